"""The append-only tables' triggers say "rows of audit are immutable", not "audit are immutable".

Revision ID: 0007_contract
Revises: 0006_harden
Create Date: 2026-12-05

Only the refusal's wording changes (issue 17): the same tables refuse the same
statements. SQLite's triggers are re-created; PostgreSQL's trigger function is
replaced in place (its triggers keep calling it).
"""

from __future__ import annotations

from alembic import op

revision = "0007_contract"
down_revision = "0006_harden"
branch_labels = None
depends_on = None

APPEND_ONLY = ("revisions", "audit", "return_events", "chronology_entries")


def _reword(table: str, message: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event.lower()}")
            op.execute(
                f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{message.format(table=table, event=event)}'); "
                "END")
        return
    op.execute(
        f"CREATE OR REPLACE FUNCTION {table}_immutable() RETURNS trigger LANGUAGE plpgsql "
        f"AS $$ BEGIN RAISE EXCEPTION '{message.format(table=table, event='%')}', TG_OP; "
        "END $$")


def upgrade() -> None:
    for table in APPEND_ONLY:
        _reword(table, "rows of {table} are immutable: {event} refused")


def downgrade() -> None:
    for table in APPEND_ONLY:
        _reword(table, "{table} are immutable: {event} refused")
