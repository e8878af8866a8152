"""``scr-returns db backup|restore``: the online backup API, checked, never a file copy."""

from __future__ import annotations

import importlib
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from scr_returns.core.storage import make_engine, upgrade
from scr_returns.core.storage.backup import BackupError, backup, restore

cli = importlib.import_module("scr_returns.core.cli.main")


@pytest.fixture
def live(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def tokens(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM tokens").fetchone()[0])


def add_token(url: str, n: int) -> None:
    with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
        conn.execute("INSERT INTO tokens (id, name, role, agency, reviews, secret_sha256, "
                     "created_at, expires_at, revoked_at) VALUES (?, 'n', 'admin', NULL, '[]', "
                     "?, '2026-01-01', '2027-01-01', NULL)", (f"t{n}", f"h{n}"))


def test_a_backup_taken_while_writers_write_is_consistent(live: str, tmp_path: Path) -> None:
    add_token(live, 0)
    stop = threading.Event()

    def write() -> None:
        n = 1
        while not stop.is_set():
            add_token(live, n)
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    try:
        target = backup(live, tmp_path / "copy.sqlite3")
    finally:
        stop.set()
        writer.join()
    assert tokens(target) >= 1
    assert not (tmp_path / "copy.sqlite3-wal").exists()
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_restore_brings_back_the_backup(live: str, tmp_path: Path) -> None:
    add_token(live, 1)
    saved = backup(live, tmp_path / "b.sqlite3")
    add_token(live, 2)
    restore(live, saved)
    assert tokens(Path(live.removeprefix("sqlite:///"))) == 1


def test_refusals(live: str, tmp_path: Path) -> None:
    saved = backup(live, tmp_path / "b.sqlite3")
    with pytest.raises(BackupError, match="exists"):
        backup(live, saved)
    with pytest.raises(BackupError, match="pg_dump"):
        backup("postgresql+psycopg://x@y/z", tmp_path / "p")
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)")
    with pytest.raises(BackupError, match="not a scr-returns database"):
        restore(live, other)


def test_the_commands(live: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCR_RETURNS_DATABASE_URL", live)
    runner = CliRunner()
    made = runner.invoke(cli.main, ["db", "backup", str(tmp_path / "c.sqlite3")])
    assert made.exit_code == 0, made.output
    refused = runner.invoke(cli.main, ["db", "restore", str(tmp_path / "c.sqlite3")])
    assert refused.exit_code != 0 and "--yes" in refused.output
    done = runner.invoke(cli.main, ["db", "restore", "--yes", str(tmp_path / "c.sqlite3")])
    assert done.exit_code == 0, done.output
