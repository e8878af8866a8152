"""Idempotent requests keep the facts of their first answer, not the rendered answer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05

A retry is answered by rendering the stored facts again (scr_returns.core.service.returns),
so the HTTP layer alone decides how an answer looks. Each stored answer is
turned into its facts: the body already held them; the status says whether the
return was created; the ETag gives the revision's hash, of which only the 20 hex
digits an ETag shows were kept (all a replay needs).
"""

from __future__ import annotations

import json
import re
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ETAG = re.compile(r'^"(\d+)-([0-9a-f]+)"$')
BODY = ("review", "agency", "form", "state", "revision_created", "revision", "schema_version",
        "submitted_at", "submitted_by", "warnings")
"""The fields of a stored answer's body, in its order."""

_old = sa.table("idempotency", sa.column("token_id", sa.String), sa.column("key", sa.String),
                sa.column("status", sa.Integer), sa.column("headers", sa.JSON),
                sa.column("body", sa.Text), sa.column("facts", sa.JSON))


def facts_of(status: int, headers: dict[str, str], body: str) -> dict[str, Any]:
    """The facts of an answer stored before this migration: its body, and what the
    status and the ETag said."""
    tag = ETAG.match(headers.get("ETag", ""))
    return {**json.loads(body), "created": status == 201,
            "sha256": tag.group(2) if tag else ""}


def upgrade() -> None:
    op.add_column("idempotency", sa.Column("facts", sa.JSON, nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(_old.c.token_id, _old.c.key, _old.c.status,
                                  _old.c.headers, _old.c.body)).all()
    for token_id, key, status, headers, body in rows:
        conn.execute(_old.update().where(_old.c.token_id == token_id, _old.c.key == key)
                     .values(facts=facts_of(status, headers, body)))
    with op.batch_alter_table("idempotency") as batch:
        batch.alter_column("facts", existing_type=sa.JSON, nullable=False)
        batch.drop_column("status")
        batch.drop_column("headers")
        batch.drop_column("body")


def downgrade() -> None:
    with op.batch_alter_table("idempotency") as batch:
        batch.add_column(sa.Column("status", sa.Integer, nullable=True))
        batch.add_column(sa.Column("headers", sa.JSON, nullable=True))
        batch.add_column(sa.Column("body", sa.Text, nullable=True))
    conn = op.get_bind()
    for token_id, key, facts in conn.execute(sa.select(_old.c.token_id, _old.c.key,
                                                       _old.c.facts)).all():
        body = {k: facts[k] for k in BODY}
        location = f"/v1/reviews/{facts['review']}/returns/{facts['agency']}/{facts['form']}"
        conn.execute(_old.update().where(_old.c.token_id == token_id, _old.c.key == key)
                     .values(status=201 if facts["created"] else 200,
                             headers={"ETag": f'"{facts["revision"]}-{facts["sha256"][:20]}"',
                                      "Location": location},
                             body=json.dumps(body, separators=(",", ":"), ensure_ascii=False)))
    with op.batch_alter_table("idempotency") as batch:
        batch.alter_column("status", existing_type=sa.Integer, nullable=False)
        batch.alter_column("headers", existing_type=sa.JSON, nullable=False)
        batch.alter_column("body", existing_type=sa.Text, nullable=False)
        batch.drop_column("facts")
