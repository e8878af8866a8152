"""SQLite backup and restore through the online backup API, never a file copy.

A copy of the database file taken while the service writes can miss the WAL
or tear a page; ``sqlite3.Connection.backup`` copies a consistent snapshot
page by page while writers carry on (they only wait for each short step).
Both directions write to a file beside the target and check it before it
replaces anything, so a failed run leaves the old file whole.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

PAGES_PER_STEP = 1024  # ~4 MiB a step: writers wait for one step, not the whole copy


class BackupError(Exception):
    """The backup or restore could not be made or did not check out."""


def sqlite_path(database_url: str) -> Path:
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or database_url == prefix + ":memory:":
        raise BackupError("Only a SQLite database file is backed up by this command; for "
                          "PostgreSQL use pg_dump (see docs/operations.md).")
    return Path(database_url.removeprefix(prefix))


def _copy(source: Path, target: Path) -> None:
    """Online-backup ``source`` into a fresh ``target`` file and check it."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        with contextlib.closing(sqlite3.connect(partial)) as dst:
            src.backup(dst, pages=PAGES_PER_STEP)
            check(dst)
            # A single self-contained file: no -wal beside it to lose on the way.
            dst.execute("PRAGMA journal_mode=DELETE")
    except Exception:
        partial.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    partial.replace(target)


def check(conn: sqlite3.Connection) -> None:
    """Refuse a database that fails its integrity check or is not scr-returns'."""
    result = conn.execute("PRAGMA integrity_check").fetchone()
    if result is None or result[0] != "ok":
        raise BackupError(f"integrity check failed: {result[0] if result else 'no answer'}")
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE "
                                             "type = 'table'")}
    if not {"alembic_version", "revisions"} <= tables:
        raise BackupError("this is not a scr-returns database (no alembic_version or "
                          "revisions table)")


def backup(database_url: str, target: Path) -> Path:
    """Write a consistent copy of the live database to ``target`` (refused if it exists)."""
    source = sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"no database at {source}")
    if target.exists():
        raise BackupError(f"{target} exists; choose a new file name")
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(source, target)
    return target


def restore(database_url: str, source: Path) -> Path:
    """Replace the database with the backup at ``source``; the service must be stopped.

    The backup is checked first; the live file is written through the backup
    API too, into its own WAL, so that no stale ``-wal`` file can be replayed
    over the restored pages.
    """
    target = sqlite_path(database_url)
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        check(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(target, timeout=5)) as dst:
            try:
                dst.execute("BEGIN IMMEDIATE")  # fails at once if a writer is still running
                dst.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                raise BackupError("the database is in use: stop the service first") from exc
            src.backup(dst, pages=PAGES_PER_STEP)
            check(dst)
    return target
