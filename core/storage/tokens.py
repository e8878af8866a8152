"""Bearer tokens: only each secret's SHA-256 is stored."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from scr_returns.core.storage import tables as t
from scr_returns.core.storage.records import TokenRecord
from scr_returns.core.storage.sql import param


class TokenQueries:
    """Tokens' part of a transaction (mixed into the store's Tx)."""

    conn: sa.Connection

    def insert_token(self, record: TokenRecord, secret_sha256: str) -> None:
        values = {f: getattr(record, f) for f in record.__slots__}
        self.conn.execute(t.tokens.insert().values(secret_sha256=secret_sha256, **values))

    def token_by_hash(self, secret_sha256: str) -> TokenRecord | None:
        row = self.conn.execute(_TOKEN_BY_HASH, {"secret_sha256": secret_sha256}
                                ).mappings().first()
        return TokenRecord(**row) if row else None

    def token(self, token_id: str) -> TokenRecord | None:
        row = self.conn.execute(sa.select(*_token_columns())
                                .where(t.tokens.c.id == token_id)).mappings().first()
        return TokenRecord(**row) if row else None

    def tokens(self) -> list[TokenRecord]:
        rows = self.conn.execute(sa.select(*_token_columns())
                                 .order_by(t.tokens.c.created_at, t.tokens.c.id)).mappings()
        return [TokenRecord(**row) for row in rows]

    def revoke_token(self, token_id: str, now: datetime) -> bool:
        done = self.conn.execute(t.tokens.update().where(
            t.tokens.c.id == token_id, t.tokens.c.revoked_at.is_(None)).values(revoked_at=now))
        return bool(done.rowcount)

    def touch_token(self, token_id: str, now: datetime) -> None:
        self.conn.execute(t.tokens.update().where(t.tokens.c.id == token_id)
                          .values(last_used_at=now))


def _token_columns() -> list[sa.Column[Any]]:
    return [c for c in t.tokens.c if c.name != "secret_sha256"]


# Every authenticated request runs this one: built once, its parameter bound at execution.
_TOKEN_BY_HASH = sa.select(*_token_columns()).where(param(t.tokens.c.secret_sha256))
