"""The audit table: its chain format, serialised appends, the chain in order, filtered pages.

Each record's ``hash`` is the HMAC-SHA256, under the audit key kept outside
the database (core/storage/auditkey.py), of its own fields and the previous
record's hash (plain SHA-256 for records written before the key existed), and
ids run 1, 2, 3, ... without gaps (core/audit.py verifies it). Appends are
serialised so that concurrent workers never fork the chain: SQLite already
admits one writer at a time (``BEGIN IMMEDIATE``, see core/storage/engine.py);
PostgreSQL takes a transaction-level advisory lock, released by the commit or
rollback that ends the transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from scr_returns.core.storage import tables as t
from scr_returns.core.storage.auditkey import AuditKeySource

CHAIN_LOCK = 727373  # NOTE: 727372 is the migrations' lock (migrations/env.py)
GENESIS = "0" * 64
FIELDS = ("id", "at", "request_id", "token_id", "role", "method", "route", "review", "agency",
          "form", "revision", "target", "status", "purpose", "prev_hash")
"""What a record's hash covers, in this order (``hash`` itself aside)."""
LATER_FIELDS = ("replay_of",)
"""Fields added since, covered after those, each only when set: older records keep their hashes."""


def record_hash(record: Mapping[str, Any], secret: bytes | None = None) -> str:
    """The record's hash: HMAC-SHA256 under ``secret``, or plain SHA-256 without one."""
    values = [record[name] for name in FIELDS]
    at = record["at"]
    values[1] = at.astimezone(UTC).isoformat(timespec="microseconds")
    values += [[name, record[name]] for name in LATER_FIELDS if record.get(name) is not None]
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if secret is None:
        return hashlib.sha256(text).hexdigest()
    return hmac.new(secret, text, hashlib.sha256).hexdigest()


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


class AuditQueries:
    """The audit log's part of a transaction (mixed into the store's Tx)."""

    conn: sa.Connection
    audit_keys: AuditKeySource | None

    def append_audit(self, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Chain a record of ``fields`` (every field but id, prev_hash and hash) onto the log.

        Holds the chain until this transaction ends; returns the record as stored.
        Without a key source (a store built bare, in tests) the hash is plain SHA-256.
        """
        if self.conn.dialect.name == "postgresql":
            self.conn.execute(_LOCK)
        key = self.audit_keys.key(self) if self.audit_keys is not None else None
        last = self.audit_tail()
        record: dict[str, Any] = {**fields, "id": last[0] + 1 if last else 1,
                                  "at": fields["at"].astimezone(UTC),
                                  "prev_hash": last[1] if last else GENESIS}
        record["hash"] = record_hash(record, key.secret if key is not None else None)
        # NOTE: one statement object, parameters bound at execution: SQLAlchemy
        # compiles it once, where .values(**...) would build a new statement each time.
        self.conn.execute(_INSERT, record)
        return record

    def audit_tail(self) -> tuple[int, str] | None:
        """The newest record's id and hash, or None for an empty log."""
        row = self.conn.execute(_TAIL).first()
        return (int(row[0]), str(row[1])) if row else None

    def audit_tail_check(self, secret: bytes | None) -> tuple[int, bool, bool] | None:
        """The newest record's id, whether its hash is plain, whether it is keyed with
        ``secret``; None for an empty log."""
        found = self.conn.execute(sa.select(t.audit).order_by(t.audit.c.id.desc()).limit(1)) \
            .mappings().first()
        if found is None:
            return None
        row = dict(found)
        keyed = secret is not None and record_hash(row, secret) == row["hash"]
        return int(row["id"]), record_hash(row) == row["hash"], keyed

    def audit_chain(self, batch: int = 1000) -> Iterator[dict[str, Any]]:
        """Every record in id order, a batch at a time (the log may be large)."""
        a, after = t.audit, None
        while True:
            query = sa.select(a).order_by(a.c.id).limit(batch)
            if after is not None:
                query = query.where(a.c.id > after)
            rows = [dict(r) for r in self.conn.execute(query).mappings()]
            yield from rows
            if len(rows) < batch:
                return
            after = rows[-1]["id"]

    def audit_page(self, where: AuditFilter, *, after_id: int,
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
        return [dict(r) for r in self.conn.execute(query).mappings()]


_INSERT = t.audit.insert()
_LOCK = sa.select(sa.func.pg_advisory_xact_lock(CHAIN_LOCK))
_TAIL = sa.select(t.audit.c.id, t.audit.c.hash).order_by(t.audit.c.id.desc()).limit(1)
