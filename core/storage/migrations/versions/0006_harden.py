"""Audit records say when an answer was an idempotent replay, and of which record.

Revision ID: 0006_harden
Revises: 0005_forms
Create Date: 2026-12-12

``replay_of`` is the id of the audit record of the first answer to the same
Idempotency-Key (kept in the key's facts as ``audit_id`` from now on), or 0 for
a replay of an answer stored before this migration, whose record was not
noted. It is NULL for every other record, and a record's hash covers it only
when set (scr_returns.core.storage.audit.record_hash), so the records already
chained keep their hashes.
"""

from __future__ import annotations

from importlib import import_module

import sqlalchemy as sa
from alembic import op

revision = "0006_harden"
down_revision = "0005_forms"
branch_labels = None
depends_on = None

_initial = import_module("scr_returns.core.storage.migrations.versions.0001_initial")


def upgrade() -> None:
    # NOTE: a plain ADD COLUMN, not a batch copy: the table's triggers refuse
    # changes to its rows, and the rows stay as they are.
    op.add_column("audit", sa.Column("replay_of", sa.Integer, nullable=True))


def downgrade() -> None:
    # SQLite copies the table to drop a column, and its triggers go with the old copy.
    _initial.allow_changes("audit")
    with op.batch_alter_table("audit") as batch:
        batch.drop_column("replay_of")
    _initial.forbid_changes("audit")
