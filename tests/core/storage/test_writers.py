"""The SQLite writers' queue: one turn at a time, across threads and processes, bounded."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scr_returns.core.storage import Store, make_engine
from scr_returns.core.storage.writers import WriterQueue, writer_queue

HOLDER = """
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
sys.stdin.readline()
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the queue's lock until its stdin gets a line."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path / "db-writers")],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "held"
    yield proc
    proc.kill()
    proc.wait()


def _is_free(path: Path) -> bool:
    fd = os.open(path, os.O_RDONLY | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def _turn_in_thread(queue: WriterQueue, events: list[str]) -> threading.Thread:
    def take() -> None:
        with queue.turn():
            events.append("turn")
    thread = threading.Thread(target=take)
    thread.start()
    return thread


def test_a_writer_waits_for_another_process_then_goes_at_once(
        tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    queue = WriterQueue(tmp_path / "db-writers", timeout=30)
    events: list[str] = []
    thread = _turn_in_thread(queue, events)
    time.sleep(0.3)
    assert events == []  # still queued behind the other process
    assert holder.stdin is not None
    holder.stdin.write("go\n")
    holder.stdin.flush()
    released = time.monotonic()
    thread.join(timeout=10)
    assert events == ["turn"]
    assert time.monotonic() - released < 2


def test_a_killed_holder_never_blocks_the_queue(tmp_path: Path,
                                                holder: subprocess.Popen[str]) -> None:
    queue = WriterQueue(tmp_path / "db-writers", timeout=30)
    events: list[str] = []
    thread = _turn_in_thread(queue, events)
    os.kill(holder.pid, signal.SIGKILL)  # the kernel drops its lock
    thread.join(timeout=10)
    assert events == ["turn"]


def test_a_writer_stops_queuing_after_the_timeout(tmp_path: Path,
                                                  holder: subprocess.Popen[str]) -> None:
    queue = WriterQueue(tmp_path / "db-writers", timeout=0.2)
    started = time.monotonic()
    with queue.turn():  # not its turn: it goes on, and SQLite's own lock decides
        waited = time.monotonic() - started
    assert 0.2 <= waited < 5


def test_the_turn_is_held_until_the_writer_is_done(tmp_path: Path) -> None:
    path = tmp_path / "db-writers"
    queue = WriterQueue(path, timeout=30)
    with queue.turn():
        assert not _is_free(path)
        with queue.turn():  # a write inside this thread's own write does not wait for itself
            assert not _is_free(path)
        assert not _is_free(path)  # the inner turn leaves the outer one held
    assert _is_free(path)


def test_without_a_lock_file_writers_go_to_sqlite_and_it_is_said_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    queue = WriterQueue(tmp_path / "no-such-folder" / "db-writers", timeout=30)
    for _ in range(2):
        with queue.turn():  # does not wait, does not fail: SQLite's lock still holds
            pass
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "do not queue (FileNotFoundError)" in caplog.records[0].getMessage()


def test_the_lock_file_serves_writers_that_may_only_read_it(tmp_path: Path) -> None:
    path = tmp_path / "db-writers"
    path.touch(mode=0o444)
    path.chmod(0o444)  # e.g. made by another user: flock needs no write access
    queue = WriterQueue(path, timeout=30)
    with queue.turn():
        assert not _is_free(path)
    assert _is_free(path)


def test_threads_take_turns_one_at_a_time(tmp_path: Path) -> None:
    queue = WriterQueue(tmp_path / "db-writers", timeout=30)
    inside, most, lock = [0], [0], threading.Lock()

    def write() -> None:
        for _ in range(50):
            with queue.turn():
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.0002)
                with lock:
                    inside[0] -= 1

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert most[0] == 1


def test_sqlite_files_get_a_queue_and_nothing_else_does(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'scr.sqlite3'}", busy_timeout=7)
    memory = make_engine("sqlite://")
    try:
        queue = writer_queue(engine)
        assert queue is not None
        assert queue.path == tmp_path / "scr.sqlite3-writers"
        assert queue.timeout == 3.5  # half: with SQLite's own wait, within gunicorn's
        assert writer_queue(memory) is None
        assert Store(engine).queue is queue
    finally:
        engine.dispose()
        memory.dispose()


def test_store_writes_hold_the_turn(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'scr.sqlite3'}")
    try:
        store = Store(engine)
        assert store.queue is not None
        with store.write():
            assert not _is_free(store.queue.path)
        assert _is_free(store.queue.path)
        with pytest.raises(RuntimeError), store.write():
            raise RuntimeError("rolled back")
        assert _is_free(store.queue.path)  # released on failure too
    finally:
        engine.dispose()
