"""Engines: SQLite tuned for several writing processes, or PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from scr_returns.core.storage.writers import queue_for

WRITE = "scr_write"
"""Execution option marking a connection whose transaction will write."""


def make_engine(url: str, *, busy_timeout: float = 30.0, **kw: Any) -> sa.Engine:
    """An engine for ``url``; for SQLite, WAL + synchronous=FULL + BEGIN IMMEDIATE writes."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        kw.setdefault("pool_pre_ping", True)
        return sa.create_engine(url, **kw)
    on_disk = bool(parsed.database) and parsed.database != ":memory:"
    if on_disk:
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": busy_timeout}, **kw)
    if on_disk:
        queue_for(engine, Path(f"{parsed.database}-writers"), busy_timeout / 2)
    timeout_ms = int(busy_timeout * 1000)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # NOTE: pysqlite's own transaction handling would BEGIN lazily and
        # DEFERRED; we switch it off and issue BEGIN ourselves (see _on_begin).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={timeout_ms}")
        cur.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        # A deferred transaction that later writes can fail at once with
        # "database is locked" (no busy wait on lock upgrade); taking the write
        # lock up front makes writers queue on the busy timeout instead.
        write = conn.get_execution_options().get(WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
