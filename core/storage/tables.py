"""The database schema, as SQLAlchemy Core tables (the migrations create it)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every database."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

metadata = sa.MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

plugin_state = sa.Table(
    "plugin_state", metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("changed_at", UtcDateTime(), nullable=False),
    sa.Column("changed_by", sa.String(64), nullable=True),
)

reviews = sa.Table(
    "reviews", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ref", sa.String(64), nullable=False, unique=True),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("scope_from", sa.Date, nullable=False),
    sa.Column("scope_to", sa.Date, nullable=False),
    sa.Column("terms_of_reference", sa.Text, nullable=True),
    sa.Column("subjects", sa.JSON, nullable=False),
    sa.Column("kloes", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

review_forms = sa.Table(
    "review_forms", metadata,
    sa.Column("review_id", sa.ForeignKey("reviews.id"), primary_key=True),
    sa.Column("agency", sa.String(40), primary_key=True),
    sa.Column("form", sa.String(40), primary_key=True),
    sa.Column("due", sa.Date, nullable=True),
)

returns = sa.Table(
    "returns", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("review_id", sa.ForeignKey("reviews.id"), nullable=False),
    sa.Column("agency", sa.String(40), nullable=False),
    sa.Column("form", sa.String(40), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("latest_revision", sa.Integer, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("review_id", "agency", "form"),
)

# Immutable: triggers in the migrations refuse UPDATE and DELETE.
revisions = sa.Table(
    "revisions", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("return_id", sa.ForeignKey("returns.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("warnings", sa.JSON, nullable=False),
    sa.Column("submitted_at", UtcDateTime(), nullable=False),
    sa.Column("submitted_by", sa.String(32), nullable=False),
    sa.UniqueConstraint("return_id", "number"),
)

tokens = sa.Table(
    "tokens", metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("agency", sa.String(40), nullable=True),
    sa.Column("reviews", sa.JSON, nullable=False),
    sa.Column("secret_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
    sa.Column("last_used_at", UtcDateTime(), nullable=True),
)

idempotency = sa.Table(
    "idempotency", metadata,
    sa.Column("token_id", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    # The facts of the first answer (scr_returns.core.service.returns.Submitted), rendered
    # again for a retry: never the rendered answer itself.
    sa.Column("facts", sa.JSON, nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
)

# Append-only and hash-chained (core/audit.py); triggers in the migrations
# refuse UPDATE and DELETE.
audit = sa.Table(
    "audit", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UtcDateTime(), nullable=False, index=True),
    sa.Column("request_id", sa.String(64), nullable=False),
    sa.Column("token_id", sa.String(32), nullable=True, index=True),
    sa.Column("role", sa.String(16), nullable=True),
    sa.Column("method", sa.String(10), nullable=False),
    sa.Column("route", sa.String(200), nullable=False),
    sa.Column("review", sa.String(64), nullable=True, index=True),
    sa.Column("agency", sa.String(40), nullable=True, index=True),
    sa.Column("form", sa.String(40), nullable=True),
    sa.Column("revision", sa.Integer, nullable=True),
    sa.Column("target", sa.String(200), nullable=True),
    sa.Column("status", sa.Integer, nullable=False, index=True),
    sa.Column("purpose", sa.String(500), nullable=True),
    # The audit record of the first answer this one replays (0: not noted, before 0005).
    sa.Column("replay_of", sa.Integer, nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
)

# Review-state transitions of a return: who moved it, when and why.
# Append-only: triggers in the migrations refuse UPDATE and DELETE.
return_events = sa.Table(
    "return_events", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("return_id", sa.ForeignKey("returns.id"), nullable=False, index=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("from_state", sa.String(16), nullable=True),
    sa.Column("to_state", sa.String(16), nullable=False),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("by", sa.String(32), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
)

# Each chronology revision's entries, extracted when the revision is stored
# (same transaction), so the integrated chronology is one ordered SELECT that
# streams, never a load of every document. Immutable like the revisions.
chronology_entries = sa.Table(
    "chronology_entries", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("review_id", sa.ForeignKey("reviews.id"), nullable=False),
    sa.Column("return_id", sa.ForeignKey("returns.id"), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("agency", sa.String(40), nullable=False),
    sa.Column("form", sa.String(40), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("entry_id", sa.Text, nullable=False),
    sa.Column("date", sa.Date, nullable=True),
    sa.Column("date_end", sa.Date, nullable=True),
    sa.Column("precision_rank", sa.SmallInteger, nullable=False),
    sa.Column("time", sa.String(5), nullable=True),
    sa.Column("sequence", sa.Integer, nullable=True),
    sa.Column("event_type", sa.Text, nullable=True),
    sa.Column("subjects", sa.Text, nullable=False),
    sa.Column("background", sa.Boolean, nullable=False),
    sa.Column("own_keys", sa.Text, nullable=False),
    sa.Column("common", sa.Text, nullable=False),
    sa.Column("own", sa.Text, nullable=False),
    sa.UniqueConstraint("return_id", "revision", "position"),
    sa.Index("ix_chronology_entries_return_id_revision", "return_id", "revision"),
)
