"""Review states and the integrated chronology: return events, extracted chronology entries.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26

NOTE: chronology entries are extracted by the service when a revision is
stored; revisions stored before this migration are not back-filled (there
were none in any deployment when it was written).
"""

from __future__ import annotations

from importlib import import_module

import sqlalchemy as sa
from alembic import op

from scr_returns.core.storage.tables import UtcDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The first migration owns the trigger helpers (its name starts with a digit).
_initial = import_module("scr_returns.core.storage.migrations.versions.0001_initial")

APPEND_ONLY = ("return_events", "chronology_entries")


def upgrade() -> None:
    op.create_table(
        "return_events",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("return_id", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("from_state", sa.String(16), nullable=True),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("comment", sa.Text, nullable=True),
        sa.Column("by", sa.String(32), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["return_id"], ["returns.id"],
                                name="fk_return_events_return_id_returns"),
        sa.PrimaryKeyConstraint("id", name="pk_return_events"),
    )
    op.create_index("ix_return_events_return_id", "return_events", ["return_id"])
    op.create_table(
        "chronology_entries",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("review_id", sa.Integer, nullable=False),
        sa.Column("return_id", sa.Integer, nullable=False),
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
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"],
                                name="fk_chronology_entries_review_id_reviews"),
        sa.ForeignKeyConstraint(["return_id"], ["returns.id"],
                                name="fk_chronology_entries_return_id_returns"),
        sa.PrimaryKeyConstraint("id", name="pk_chronology_entries"),
        sa.UniqueConstraint("return_id", "revision", "position",
                            name="uq_chronology_entries_return_id_revision_position"),
    )
    op.create_index("ix_chronology_entries_return_id_revision", "chronology_entries",
                    ["return_id", "revision"])
    for table in APPEND_ONLY:
        _initial.forbid_changes(table)


def downgrade() -> None:
    for table in APPEND_ONLY:
        _initial.allow_changes(table)
    op.drop_table("chronology_entries")
    op.drop_table("return_events")
