"""Who serves a SQLite database: a lock its serving processes hold for their lifetime.

``scr-returns serve`` takes a shared ``flock`` on ``<database>-serving`` before it
migrates, and keeps it open for as long as it runs; gunicorn's workers are
forked from it and share that open file, so the lock stands while the master
or any worker lives (a worker orphaned by a killed master included), and the
kernel drops it when the last of them exits, however it ends.
``scr-returns db restore`` takes the same lock exclusively for the whole
restore: it is refused while anything serves, and ``serve`` is refused while a
restore runs. It holds no data; like ``<database>-writers`` it is world-readable
and read-only access is enough.

PostgreSQL has no such file: several hosts serve one database, and a lock on one
host cannot see the others; restoring there is the DBA's job (pg_restore, every
instance stopped), and ``db restore`` refuses it.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_HELD: dict[Path, int] = {}  # this process's shared locks, by path, for its lifetime


class ServingLockError(Exception):
    """The lock is held the other way: a restore runs, or something serves."""


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + "-serving")


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)


def hold_while_serving(database: Path) -> None:
    """Take the shared lock for the rest of this process's life (and its children's)."""
    path = lock_path(database)
    if path in _HELD:
        return
    fd = _open(path)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ServingLockError(f"a restore of {database} is running; serve once it has "
                               "finished") from None
    _HELD[path] = fd


@contextmanager
def nothing_serving(database: Path) -> Iterator[None]:
    """Hold the lock exclusively: no process serves ``database`` meanwhile, none starts."""
    fd = _open(lock_path(database))
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ServingLockError(
                f"the service is running on {database} (a process holds "
                f"{lock_path(database)}): stop every 'scr-returns serve' on it first") from None
        yield
    finally:
        os.close(fd)
