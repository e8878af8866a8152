"""Audit log: one append-only, hash-chained record per request.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from importlib import import_module

import sqlalchemy as sa
from alembic import op

from scr_returns.core.storage.tables import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# NOTE: the first migration owns the trigger helpers; its file name starts with
# a digit, so it is reached through importlib rather than an import statement.
_initial = import_module("scr_returns.core.storage.migrations.versions.0001_initial")


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("token_id", sa.String(32), nullable=True),
        sa.Column("role", sa.String(16), nullable=True),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("route", sa.String(200), nullable=False),
        sa.Column("review", sa.String(64), nullable=True),
        sa.Column("agency", sa.String(40), nullable=True),
        sa.Column("form", sa.String(40), nullable=True),
        sa.Column("revision", sa.Integer, nullable=True),
        sa.Column("target", sa.String(200), nullable=True),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("purpose", sa.String(500), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit"),
        sa.UniqueConstraint("hash", name="uq_audit_hash"),
    )
    for column in ("at", "token_id", "review", "agency", "status"):
        op.create_index(f"ix_audit_{column}", "audit", [column])
    _initial.forbid_changes("audit")


def downgrade() -> None:
    _initial.allow_changes("audit")
    op.drop_table("audit")
