"""Returns and their immutable revisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from scr_returns.core.storage import tables as t
from scr_returns.core.storage.records import ReturnRecord, RevisionHead, RevisionRecord
from scr_returns.core.storage.sql import insert_ignore, param


class ReturnQueries:
    """Returns' and revisions' part of a transaction (mixed into the store's Tx).

    Nothing here updates or deletes a revision.
    """

    conn: sa.Connection

    def get_return(self, review_id: int, agency: str, form: str, *,
                   lock: bool = False) -> ReturnRecord | None:
        row = self.conn.execute(_RETURN_LOCKED if lock else _RETURN,
                                {"review_id": review_id, "agency": agency, "form": form}
                                ).mappings().first()
        return ReturnRecord(**row) if row else None

    def lock_or_create_return(self, review_id: int, agency: str, form: str,
                              now: datetime) -> ReturnRecord:
        """The return, locked for writing; created (with no revision yet) if new."""
        found = self.get_return(review_id, agency, form, lock=True)
        if found is None:
            self.conn.execute(_INSERT_RETURN[self.conn.dialect.name], {
                "review_id": review_id, "agency": agency, "form": form,
                "state": "submitted", "latest_revision": 0, "created_at": now,
                "updated_at": now})
            found = self.get_return(review_id, agency, form, lock=True)
        assert found is not None
        return found

    def list_returns(self, review_id: int, *, agency: str | None = None,
                     form: str | None = None, state: str | None = None,
                     has_warnings: bool | None = None,
                     after_id: int = 0, limit: int | None = None) -> list[dict[str, Any]]:
        """Returns with at least one revision, by id, each with its latest revision's facts."""
        r, v = t.returns, t.revisions
        query = (sa.select(r.c.id, r.c.agency, r.c.form, r.c.state, r.c.latest_revision,
                           r.c.updated_at, v.c.schema_version, v.c.submitted_at,
                           v.c.submitted_by, v.c.warnings)
                 .join(v, sa.and_(v.c.return_id == r.c.id,
                                  v.c.number == r.c.latest_revision))
                 .where(r.c.review_id == review_id, r.c.id > after_id))
        for column, value in ((r.c.agency, agency), (r.c.form, form), (r.c.state, state)):
            if value is not None:
                query = query.where(column == value)
        if has_warnings is not None:
            # json_array_length: the same function on SQLite and PostgreSQL (json).
            count = sa.func.json_array_length(v.c.warnings)
            query = query.where(count > 0 if has_warnings else count == 0)
        query = query.order_by(r.c.id)
        if limit is not None:
            query = query.limit(limit)
        return [dict(row) for row in self.conn.execute(query).mappings()]

    def insert_revision(self, ret: ReturnRecord, *, schema_version: int, document: str,
                        sha256: str, warnings: list[dict[str, Any]], by: str,
                        now: datetime) -> RevisionRecord:
        """Append the next revision and make it the return's latest; returns it as stored."""
        rev = RevisionRecord(number=ret.latest_revision + 1, schema_version=schema_version,
                             document=document, sha256=sha256, warnings=warnings,
                             submitted_at=now, submitted_by=by)
        self.append_revision(ret.id, rev)
        return rev

    def append_revision(self, return_id: int, rev: RevisionRecord) -> None:
        """Store ``rev`` (the next number) and make it the return's latest, submitted."""
        self.conn.execute(_INSERT_REVISION, {
            "return_id": return_id, "number": rev.number,
            "schema_version": rev.schema_version, "document": rev.document,
            "sha256": rev.sha256, "warnings": rev.warnings,
            "submitted_at": rev.submitted_at, "submitted_by": rev.submitted_by})
        self.conn.execute(_NEW_LATEST, {"id_": return_id, "latest_revision": rev.number,
                                        "state": "submitted", "updated_at": rev.submitted_at})

    def revision_head(self, return_id: int, number: int) -> RevisionHead | None:
        """A revision's facts without its document (which may be megabytes)."""
        row = self.conn.execute(_REVISION_HEAD, {"return_id": return_id, "number": number}
                                ).mappings().first()
        return RevisionHead(**row) if row else None

    def revision(self, return_id: int, number: int) -> RevisionRecord | None:
        row = self.conn.execute(_REVISION, {"return_id": return_id, "number": number}
                                ).mappings().first()
        return RevisionRecord(**row) if row else None

    def revisions(self, return_id: int) -> list[RevisionRecord]:
        v = t.revisions
        rows = self.conn.execute(
            sa.select(*_revision_columns()).where(v.c.return_id == return_id)
            .order_by(v.c.number)).mappings().all()
        return [RevisionRecord(**row) for row in rows]


def _revision_columns() -> list[sa.Column[Any]]:
    v = t.revisions
    return [v.c.number, v.c.schema_version, v.c.document, v.c.sha256, v.c.warnings,
            v.c.submitted_at, v.c.submitted_by]


# The statements of every submission, built once with their parameters bound at
# execution: SQLAlchemy then compiles each once per process and skips building
# and cache-keying a new statement per call.
_r = t.returns
_RETURN = (sa.select(_r.c.id, t.reviews.c.ref.label("review_ref"), _r.c.agency, _r.c.form,
                     _r.c.state, _r.c.latest_revision, _r.c.created_at, _r.c.updated_at)
           .join(t.reviews, t.reviews.c.id == _r.c.review_id)
           .where(param(_r.c.review_id), param(_r.c.agency), param(_r.c.form)))
_RETURN_LOCKED = _RETURN.with_for_update(of=_r)
_INSERT_RETURN = insert_ignore(_r, ["review_id", "agency", "form"])
_REVISION = sa.select(*_revision_columns()).where(param(t.revisions.c.return_id),
                                                  param(t.revisions.c.number))
_REVISION_HEAD = sa.select(*(c for c in _revision_columns() if c.name != "document")).where(
    param(t.revisions.c.return_id), param(t.revisions.c.number))
_INSERT_REVISION = t.revisions.insert()
_NEW_LATEST = _r.update().where(_r.c.id == sa.bindparam("id_"))
