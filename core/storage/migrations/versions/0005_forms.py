"""The integrated chronology's CSV gives an object's parts columns of their own.

Revision ID: 0005_forms
Revises: 0004
Create Date: 2026-12-12

``chronology_entries.own_keys`` names the CSV columns of an entry's own fields.
It named the top-level fields only, so an object (a police referral, an
education attendance figure) filled one cell with JSON; it now names each part
(``referral_to_childrens_services.made``), as
:func:`scr_returns.core.service.exports.own_columns` reads them. Only this index
is rewritten, from the entry's own fields as stored: no return, revision or
entry changes (the table's append-only triggers are lifted for that and put back). Downgrading writes the top-level names back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

import sqlalchemy as sa
from alembic import op

from scr_returns.core.service.exports import own_columns
from scr_returns.core.storage.chronology import keyset

revision = "0005_forms"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 1000

# The first migration owns the trigger helpers (its name starts with a digit).
_initial = import_module("scr_returns.core.storage.migrations.versions.0001_initial")

_entries = sa.table("chronology_entries", sa.column("id", sa.Integer),
                    sa.column("own_keys", sa.Text), sa.column("own", sa.Text))


def _rewrite(columns: Callable[[dict[str, Any]], Iterable[str]]) -> None:
    """Set every entry's ``own_keys`` to ``columns`` of its own fields, a batch at a time.

    The table is append-only (0003): its triggers are lifted for this rewrite of
    the derived column alone, in the migration's transaction, and put back.
    """
    _initial.allow_changes("chronology_entries")
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.select(_entries.c.id, _entries.c.own_keys, _entries.c.own)
                            .where(_entries.c.id > last).order_by(_entries.c.id)
                            .limit(BATCH)).all()
        if not rows:
            break
        for entry_id, stored, own in rows:
            keys = keyset(sorted(columns(json.loads(own))))
            if keys != stored:
                conn.execute(_entries.update().where(_entries.c.id == entry_id)
                             .values(own_keys=keys))
        last = rows[-1][0]
    _initial.forbid_changes("chronology_entries")


def upgrade() -> None:
    _rewrite(own_columns)


def downgrade() -> None:
    _rewrite(lambda own: own)
