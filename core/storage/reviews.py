"""Reviews and the forms each asks of each agency."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa

from scr_returns.core.storage import tables as t
from scr_returns.core.storage.records import ReviewRecord
from scr_returns.core.storage.sql import param


class ReviewQueries:
    """Reviews' part of a transaction (mixed into the store's Tx)."""

    conn: sa.Connection

    def insert_review(self, values: Mapping[str, Any],
                      agencies: Mapping[str, Mapping[str, date | None]]) -> int:
        review_id = self.conn.execute(
            t.reviews.insert().values(**values).returning(t.reviews.c.id)).scalar_one()
        self._replace_review_forms(review_id, agencies)
        return int(review_id)

    def update_review(self, review_id: int, values: Mapping[str, Any],
                      agencies: Mapping[str, Mapping[str, date | None]] | None) -> None:
        self.conn.execute(t.reviews.update().where(t.reviews.c.id == review_id)
                          .values(**values))
        if agencies is not None:
            self._replace_review_forms(review_id, agencies)

    def _replace_review_forms(self, review_id: int,
                              agencies: Mapping[str, Mapping[str, date | None]]) -> None:
        rf = t.review_forms
        self.conn.execute(rf.delete().where(rf.c.review_id == review_id))
        rows = [{"review_id": review_id, "agency": a, "form": f, "due": due}
                for a, forms in agencies.items() for f, due in forms.items()]
        if rows:
            self.conn.execute(rf.insert(), rows)

    def review_exists(self, ref: str) -> bool:
        return self.conn.execute(
            sa.select(t.reviews.c.id).where(t.reviews.c.ref == ref)).first() is not None

    def review(self, ref: str, *, lock: bool = False) -> ReviewRecord | None:
        """One review; ``lock`` holds its row until the transaction ends (PostgreSQL)."""
        row = self.conn.execute(_REVIEW_LOCKED if lock else _REVIEW,
                                {"ref": ref}).mappings().first()
        if row is None:
            return None
        return ReviewRecord(agencies=_agencies(self.conn.execute(
            _REVIEW_FORMS, {"review_id": row["id"]}).mappings()), **row)

    def reviews(self, refs: list[str] | None = None) -> list[ReviewRecord]:
        query = sa.select(t.reviews).order_by(t.reviews.c.ref)
        if refs is not None:
            query = query.where(t.reviews.c.ref.in_(refs))
        rows = self.conn.execute(query).mappings().all()
        if not rows:
            return []
        rf = t.review_forms
        forms = self.conn.execute(
            sa.select(rf).where(rf.c.review_id.in_([r["id"] for r in rows]))
            .order_by(rf.c.agency, rf.c.form)).mappings().all()
        by_review: dict[int, list[sa.RowMapping]] = {}
        for f in forms:
            by_review.setdefault(f["review_id"], []).append(f)
        return [ReviewRecord(agencies=_agencies(by_review.get(r["id"], [])), **r)
                for r in rows]


def _agencies(forms: Iterable[sa.RowMapping]) -> dict[str, dict[str, date | None]]:
    """review_forms rows as {agency: {form: due}}, in agency then form order."""
    agencies: dict[str, dict[str, date | None]] = {}
    for f in sorted(forms, key=lambda f: (f["agency"], f["form"])):
        agencies.setdefault(f["agency"], {})[f["form"]] = f["due"]
    return agencies


# Built once with their parameters bound at execution (see core/storage/returns.py).
_REVIEW = sa.select(t.reviews).where(param(t.reviews.c.ref))
_REVIEW_LOCKED = _REVIEW.with_for_update()
_REVIEW_FORMS = sa.select(t.review_forms).where(param(t.review_forms.c.review_id))
