"""SQLite writers queue on a file lock before they ask SQLite for its write lock.

SQLite admits one writer at a time. A writer that finds the database locked
waits in SQLite's busy handler, which sleeps 1, 2, 5, 10, ... up to 100 ms
between attempts. The service's write transactions hold the lock for well
under a millisecond, so under load those sleeps, not the writes, set the pace
(and the slowest answers). The service's writers therefore first take an
exclusive ``flock`` on a file beside the database, retrying every 50 us at
first and every millisecond at most, then ``BEGIN IMMEDIATE`` as before.

The queue only paces writers; SQLite's lock stays the authority. A writer that
has queued for the whole timeout (half SQLite's busy timeout, so that the two
waits together stay within gunicorn's worker timeout), that opens a write
inside its own (in one thread), or that cannot open the lock file, goes
straight to SQLite and its busy timeout. The kernel drops
the file lock of a process that dies, so a killed worker never blocks the
queue. Writers that do not queue (the command line, another tool) are still
serialised correctly by SQLite; they just do not get the shorter waits.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

log = logging.getLogger(__name__)

FIRST_PAUSE = 0.00005
LONGEST_PAUSE = 0.001


class WriterQueue:
    """The queue of one SQLite database's writers (see the module docstring)."""

    def __init__(self, path: Path, timeout: float) -> None:
        self.path = path
        self.timeout = timeout
        self._warned = False

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for this writer's turn (at most ``timeout``), and hold it meanwhile."""
        held: set[Path] = _HELD.__dict__.setdefault("paths", set())
        fd = None if self.path in held else self._open()
        if fd is None:
            yield  # a write inside this thread's own write, or no lock file: SQLite decides
            return
        try:
            if self._wait(fd):
                held.add(self.path)
            yield
        finally:
            held.discard(self.path)
            os.close(fd)  # releases the lock

    def _open(self) -> int | None:
        # Read-only is enough for flock, so a file made by another user (the
        # first `scr-returns token create` run as root, say) still serves;
        # world-readable, as it holds nothing.
        try:
            return os.open(self.path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("writers of %s do not queue (%s): SQLite's busy handler alone "
                            "paces them", self.path, type(exc).__name__)
            return None

    def _wait(self, fd: int) -> bool:
        deadline = time.monotonic() + self.timeout
        pause = FIRST_PAUSE
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
            time.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)


_HELD = threading.local()  # the queues this thread holds a turn in, by path
_QUEUES: weakref.WeakKeyDictionary[sa.Engine, WriterQueue] = weakref.WeakKeyDictionary()


def queue_for(engine: sa.Engine, path: Path, timeout: float) -> None:
    """Make ``engine``'s writers queue on ``path`` (``make_engine`` does this for SQLite)."""
    _QUEUES[engine] = WriterQueue(path, timeout)


def writer_queue(engine: sa.Engine) -> WriterQueue | None:
    """The queue of ``engine``'s writers, or None (PostgreSQL, SQLite in memory)."""
    return _QUEUES.get(engine)
