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
from dataclasses import dataclass
from pathlib import Path

from scr_returns.core.storage.serving import ServingLockError, nothing_serving

PAGES_PER_STEP = 1024  # ~4 MiB a step: writers wait for one step, not the whole copy


class BackupError(Exception):
    """The backup or restore could not be made or did not check out."""


@dataclass(frozen=True)
class Extent:
    """How far a database goes: its newest audit record and how many revisions it holds."""

    audit_id: int
    audit_hash: str
    audit_at: str
    revisions: int

    @property
    def head(self) -> str:
        return f"{self.audit_id}:{self.audit_hash}"


@dataclass(frozen=True)
class Comparison:
    """The backup against the live database: what a restore would take back."""

    backup: Extent
    live: Extent | None
    same_history: bool | None
    """Whether the live log's record at the backup's head is the backup's head."""

    def describe(self) -> str:
        b, live = self.backup, self.live
        text = (f"the backup's audit log ends at record {b.audit_id} ({b.audit_at or 'empty'}),"
                f" with {b.revisions} revisions")
        if live is None:
            return text + "; there is no live database"
        text += (f"; the live one ends at record {live.audit_id} ({live.audit_at or 'empty'}), "
                 f"with {live.revisions} revisions")
        if self.same_history is False:
            return text + ("; the backup is NOT an earlier state of this database (its head "
                           "is not in the live log)")
        lost = live.audit_id - b.audit_id
        return text + (f": restoring goes back {lost} audit records and "
                       f"{live.revisions - b.revisions} revisions" if lost >= 0 else
                       ": the backup is newer than the live database")


def sqlite_path(database_url: str, *, restore: bool = False) -> Path:
    prefix = "sqlite:///"
    if not database_url.startswith(prefix) or database_url == prefix + ":memory:":
        if restore:
            raise BackupError("db restore works on a SQLite database file only. On PostgreSQL, "
                              "restoring is the DBA's job: stop every instance, then "
                              "pg_restore (see docs/operations.md).")
        raise BackupError("Only a SQLite database file is backed up by this command; for "
                          "PostgreSQL use pg_dump (see docs/operations.md).")
    return Path(database_url.removeprefix(prefix))


def extent(conn: sqlite3.Connection) -> Extent:
    row = conn.execute("SELECT id, hash, at FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    revisions = int(conn.execute("SELECT count(*) FROM revisions").fetchone()[0])
    if row is None:
        return Extent(0, "0" * 64, "", revisions)
    return Extent(int(row[0]), str(row[1]), str(row[2]), revisions)


def compare(database_url: str, source: Path) -> Comparison:
    """What restoring ``source`` over the live database would take back (nothing changes)."""
    target = sqlite_path(database_url, restore=True)
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        check(src)
        backup = extent(src)
    if not target.exists():
        return Comparison(backup, None, None)
    with contextlib.closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as dst:
        live = extent(dst)
        found = dst.execute("SELECT hash FROM audit WHERE id = ?", (backup.audit_id,)).fetchone()
    same = backup.audit_id == 0 or (found is not None and found[0] == backup.audit_hash)
    return Comparison(backup, live, same)


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
    """Replace the database with the backup at ``source``; refused while anything serves it.

    The serving lock (core/storage/serving.py) is held exclusively throughout, so
    no ``serve`` process has the database open and none starts meanwhile. The
    backup is checked first; the live file is written through the backup API
    too, into its own WAL, so that no stale ``-wal`` file can be replayed over
    the restored pages.
    """
    target = sqlite_path(database_url, restore=True)
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    try:
        with nothing_serving(target):
            return _restore(target, source)
    except ServingLockError as exc:
        raise BackupError(str(exc)) from None


def _restore(target: Path, source: Path) -> Path:
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
        check(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(target, timeout=5)) as dst:
            try:
                dst.execute("BEGIN IMMEDIATE")  # fails at once if a writer is still running
                dst.execute("ROLLBACK")
            except sqlite3.OperationalError as exc:
                # Not a server (it would hold the serving lock): another command writing.
                raise BackupError("the database is in use: stop every scr-returns command "
                                  "and the service first") from exc
            src.backup(dst, pages=PAGES_PER_STEP)
            check(dst)
    return target
