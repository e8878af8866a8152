"""``scr-returns db backup|restore``: the online backup API, checked, never a file copy."""

from __future__ import annotations

import importlib
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from scr_returns.core.storage import make_engine, upgrade
from scr_returns.core.storage.backup import BackupError, backup, restore
from scr_returns.core.storage.serving import (
    ServingLockError,
    hold_while_serving,
    lock_path,
    nothing_serving,
)

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
    monkeypatch.setenv("SCR_RETURNS_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    made = runner.invoke(cli.main, ["db", "backup", str(tmp_path / "c.sqlite3")])
    assert made.exit_code == 0, made.output
    refused = runner.invoke(cli.main, ["db", "restore", str(tmp_path / "c.sqlite3")])
    assert refused.exit_code != 0 and "--yes" in refused.output
    done = runner.invoke(cli.main, ["db", "restore", "--yes", str(tmp_path / "c.sqlite3")])
    assert done.exit_code == 0, done.output


HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_SH)
print("held", flush=True)
time.sleep(60)
"""


def test_restore_is_refused_while_a_process_serves_the_database(live: str,
                                                                tmp_path: Path) -> None:
    add_token(live, 1)
    saved = backup(live, tmp_path / "b.sqlite3")
    add_token(live, 2)
    database = Path(live.removeprefix("sqlite:///"))
    # A serving process: holds the shared lock, as serve and its workers do.
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock_path(database))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(BackupError, match="service is running"):
            restore(live, saved)
        assert tokens(database) == 2  # nothing was replaced
    finally:
        holder.kill()
        holder.wait()
    restore(live, saved)
    assert tokens(database) == 1


def test_serve_is_refused_while_a_restore_runs(live: str) -> None:
    database = Path(live.removeprefix("sqlite:///"))
    with nothing_serving(database), pytest.raises(ServingLockError, match="restore"):
        hold_while_serving(database)


def test_restore_refuses_postgresql_and_names_pg_restore(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="pg_restore"):
        restore("postgresql+psycopg://x@y/z", tmp_path / "whatever")


def test_the_restore_says_how_far_back_it_goes_and_is_audited(
        live: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCR_RETURNS_DATABASE_URL", live)
    monkeypatch.setenv("SCR_RETURNS_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    for _ in range(2):
        assert runner.invoke(cli.main, ["token", "create", "--role", "admin"]).exit_code == 0
    saved = tmp_path / "b.sqlite3"
    assert runner.invoke(cli.main, ["db", "backup", str(saved)]).exit_code == 0
    for _ in range(3):
        assert runner.invoke(cli.main, ["token", "create", "--role", "admin"]).exit_code == 0
    asked = runner.invoke(cli.main, ["db", "restore", str(saved)])
    assert asked.exit_code != 0
    assert "ends at record 2" in asked.output and "ends at record 5" in asked.output
    assert "goes back 3 audit records" in asked.output
    done = runner.invoke(cli.main, ["db", "restore", "--yes", str(saved)])
    assert done.exit_code == 0, done.output
    with sqlite3.connect(live.removeprefix("sqlite:///")) as conn:
        rows = conn.execute("SELECT id, route, target FROM audit ORDER BY id").fetchall()
    assert [r[0] for r in rows] == [1, 2, 3]
    assert rows[-1][1] == "scr-returns db restore"
    assert rows[-1][2].startswith("backup 2:") and " over 5:" in rows[-1][2]
    assert runner.invoke(cli.main, ["audit", "verify"]).exit_code == 0
