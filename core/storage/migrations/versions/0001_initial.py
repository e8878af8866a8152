"""Initial schema: plugin state, reviews, returns, immutable revisions, tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from scr_returns.core.storage.tables import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

IMMUTABLE = ("revisions",)


def upgrade() -> None:
    op.create_table(
        "plugin_state",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("changed_at", UtcDateTime(), nullable=False),
        sa.Column("changed_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_plugin_state"),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("ref", sa.String(64), nullable=False),
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
        sa.PrimaryKeyConstraint("id", name="pk_reviews"),
        sa.UniqueConstraint("ref", name="uq_reviews_ref"),
    )
    op.create_table(
        "review_forms",
        sa.Column("review_id", sa.Integer, nullable=False),
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("form", sa.String(40), nullable=False),
        sa.Column("due", sa.Date, nullable=True),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"],
                                name="fk_review_forms_review_id_reviews"),
        sa.PrimaryKeyConstraint("review_id", "agency", "form", name="pk_review_forms"),
    )
    op.create_table(
        "returns",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("review_id", sa.Integer, nullable=False),
        sa.Column("agency", sa.String(40), nullable=False),
        sa.Column("form", sa.String(40), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("latest_revision", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"],
                                name="fk_returns_review_id_reviews"),
        sa.PrimaryKeyConstraint("id", name="pk_returns"),
        sa.UniqueConstraint("review_id", "agency", "form",
                            name="uq_returns_review_id_agency_form"),
    )
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("return_id", sa.Integer, nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("document", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("warnings", sa.JSON, nullable=False),
        sa.Column("submitted_at", UtcDateTime(), nullable=False),
        sa.Column("submitted_by", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(["return_id"], ["returns.id"],
                                name="fk_revisions_return_id_returns"),
        sa.PrimaryKeyConstraint("id", name="pk_revisions"),
        sa.UniqueConstraint("return_id", "number", name="uq_revisions_return_id_number"),
    )
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("agency", sa.String(40), nullable=True),
        sa.Column("reviews", sa.JSON, nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tokens"),
        sa.UniqueConstraint("secret_sha256", name="uq_tokens_secret_sha256"),
    )
    op.create_table(
        "idempotency",
        sa.Column("token_id", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token_id", "key", name="pk_idempotency"),
    )
    for table in IMMUTABLE:
        forbid_changes(table)


def downgrade() -> None:
    for table in IMMUTABLE:
        allow_changes(table)
    for table in ("idempotency", "tokens", "revisions", "returns", "review_forms",
                  "reviews", "plugin_state"):
        op.drop_table(table)


def forbid_changes(table: str) -> None:
    """Make the database itself refuse UPDATE and DELETE on ``table``."""
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} are immutable: {event} refused'); END")
        return
    op.execute(
        f"CREATE FUNCTION {table}_immutable() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{table} are immutable: % refused', TG_OP; END $$")
    op.execute(
        f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_immutable()")
    op.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_immutable()")


def allow_changes(table: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
        return
    op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table}")
    op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    op.execute(f"DROP FUNCTION IF EXISTS {table}_immutable()")
