"""The facts the tracker needs about every return of a review, in one query."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from scr_returns.core.storage import tables as t


class TrackerQueries:
    """The tracker's part of a transaction (mixed into the store's Tx)."""

    conn: sa.Connection

    def return_facts(self, review_id: int) -> list[dict[str, Any]]:
        """Each return with a revision: state, latest revision's facts, first submission."""
        return [dict(row) for row in self.conn.execute(_FACTS, {"review_id": review_id})
                .mappings()]


def _facts() -> sa.Select[Any]:
    r, latest, first = t.returns, t.revisions.alias("latest"), t.revisions.alias("first")
    query = (sa.select(r.c.id, r.c.agency, r.c.form, r.c.state, r.c.latest_revision,
                       latest.c.schema_version, latest.c.submitted_at, latest.c.warnings,
                       first.c.submitted_at.label("first_submitted_at"))
             .join(latest, sa.and_(latest.c.return_id == r.c.id,
                                   latest.c.number == r.c.latest_revision))
             .join(first, sa.and_(first.c.return_id == r.c.id, first.c.number == 1))
             .where(r.c.review_id == sa.bindparam("review_id"))
             .order_by(r.c.agency, r.c.form))
    return query


_FACTS = _facts()
