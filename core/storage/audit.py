"""The audit table's queries: serialised appends, the chain in order, filtered pages.

Appends are serialised so that concurrent workers never fork the chain:
SQLite already admits one writer at a time (``BEGIN IMMEDIATE``, see
core/storage/engine.py); PostgreSQL takes a transaction-level advisory lock,
released by the commit or rollback that ends the transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from core.storage import tables as t

CHAIN_LOCK = 727373  # NOTE: 727372 is the migrations' lock (migrations/env.py)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """What ``GET /v1/admin/audit`` narrows by; None means any."""

    since: datetime | None = None
    until: datetime | None = None
    token_id: str | None = None
    review: str | None = None
    agency: str | None = None
    status_from: int | None = None
    status_to: int | None = None


def lock_chain(conn: sa.Connection) -> None:
    """Hold the chain until this transaction ends (a no-op where writers are serial)."""
    if conn.dialect.name == "postgresql":
        conn.execute(_LOCK)


def tail(conn: sa.Connection) -> tuple[int, str] | None:
    """The newest record's id and hash, or None for an empty log."""
    row = conn.execute(_TAIL).first()
    return (int(row[0]), str(row[1])) if row else None


def insert(conn: sa.Connection, values: Mapping[str, Any]) -> None:
    # NOTE: one statement object, parameters bound at execution: SQLAlchemy
    # compiles it once, where .values(**...) would build a new statement each time.
    conn.execute(INSERT, dict(values))


INSERT = t.audit.insert()
_LOCK = sa.select(sa.func.pg_advisory_xact_lock(CHAIN_LOCK))
_TAIL = sa.select(t.audit.c.id, t.audit.c.hash).order_by(t.audit.c.id.desc()).limit(1)


def chain(conn: sa.Connection, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Every record in id order, a batch at a time (the log may be large)."""
    a, after = t.audit, None
    while True:
        query = sa.select(a).order_by(a.c.id).limit(batch)
        if after is not None:
            query = query.where(a.c.id > after)
        rows = [dict(r) for r in conn.execute(query).mappings()]
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1]["id"]


def page(conn: sa.Connection, where: AuditFilter, *, after_id: int,
         limit: int) -> list[dict[str, Any]]:
    a = t.audit
    query = sa.select(a).where(a.c.id > after_id).order_by(a.c.id).limit(limit)
    conditions = [
        (a.c.at >= where.since) if where.since else None,
        (a.c.at < where.until) if where.until else None,
        (a.c.token_id == where.token_id) if where.token_id else None,
        (a.c.review == where.review) if where.review else None,
        (a.c.agency == where.agency) if where.agency else None,
        (a.c.status >= where.status_from) if where.status_from is not None else None,
        (a.c.status <= where.status_to) if where.status_to is not None else None,
    ]
    for condition in conditions:
        if condition is not None:
            query = query.where(condition)
    return [dict(r) for r in conn.execute(query).mappings()]
