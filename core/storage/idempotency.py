"""Idempotency keys: the facts of each key's first answer, kept per token."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from scr_returns.core.storage import tables as t
from scr_returns.core.storage.records import StoredFacts
from scr_returns.core.storage.sql import param


class IdempotencyQueries:
    """Idempotency keys' part of a transaction (mixed into the store's Tx)."""

    conn: sa.Connection

    def stored_facts(self, token_id: str, key: str) -> StoredFacts | None:
        row = self.conn.execute(_FACTS, {"token_id": token_id, "key": key}).mappings().first()
        return StoredFacts(**row) if row else None

    def store_facts(self, token_id: str, key: str, fingerprint: str,
                    facts: Mapping[str, Any], now: datetime) -> None:
        self.conn.execute(_INSERT, {"token_id": token_id, "key": key,
                                    "fingerprint": fingerprint, "facts": dict(facts),
                                    "created_at": now})


_i = t.idempotency
_FACTS = sa.select(_i.c.fingerprint, _i.c.facts).where(param(_i.c.token_id), param(_i.c.key))
_INSERT = _i.insert()
