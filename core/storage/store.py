"""The store: every read and write of the database, in explicit transactions.

``with store.write() as tx`` takes the write lock up front (SQLite ``BEGIN
IMMEDIATE``; row locks on PostgreSQL); ``with store.read() as tx`` reads one
snapshot. Nothing here updates or deletes a revision: the database refuses
it too (triggers, see the first migration).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from core.storage import tables as t
from core.storage.engine import WRITE
from core.storage.records import (
    ReturnRecord,
    ReviewRecord,
    RevisionHead,
    RevisionRecord,
    StoredAnswer,
    TokenRecord,
)
from core.storage.writers import writer_queue


class Tx:
    """One open transaction; every query of the service lives here."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self._on_rollback: list[Callable[[], None]] = []

    def on_rollback(self, undo: Callable[[], None]) -> None:
        """Call ``undo`` if this transaction does not commit (its commit failing included)."""
        self._on_rollback.append(undo)

    def rolled_back(self) -> None:
        for undo in reversed(self._on_rollback):
            undo()

    # -- plugin state ----------------------------------------------------------------
    def plugin_states(self) -> dict[str, bool]:
        rows = self.conn.execute(sa.select(t.plugin_state.c.name, t.plugin_state.c.enabled))
        return {name: bool(enabled) for name, enabled in rows}

    def set_plugin_state(self, name: str, enabled: bool, *, by: str | None,
                         now: datetime) -> None:
        values = {"enabled": enabled, "changed_at": now, "changed_by": by}
        stmt = _upsert(self.conn, t.plugin_state, {"name": name, **values}, ["name"], values)
        self.conn.execute(stmt)

    # -- reviews ---------------------------------------------------------------------
    def insert_review(self, values: Mapping[str, Any],
                      agencies: Mapping[str, Mapping[str, date | None]]) -> int:
        review_id = self.conn.execute(
            t.reviews.insert().values(**values).returning(t.reviews.c.id)).scalar_one()
        self._replace_review_forms(review_id, agencies)
        return int(review_id)

    def update_review(self, review_id: int, values: Mapping[str, Any],
                      agencies: Mapping[str, Mapping[str, date | None]] | None) -> None:
        self.conn.execute(t.reviews.update().where(t.reviews.c.id == review_id).values(**values))
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
        return [ReviewRecord(agencies=_agencies(by_review.get(r["id"], [])), **r) for r in rows]

    # -- returns and revisions ---------------------------------------------------------
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
                 .join(v, sa.and_(v.c.return_id == r.c.id, v.c.number == r.c.latest_revision))
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
        self.conn.execute(_INSERT_REVISION, {"return_id": ret.id, "number": rev.number,
                                             "schema_version": schema_version,
                                             "document": document, "sha256": sha256,
                                             "warnings": warnings, "submitted_at": now,
                                             "submitted_by": by})
        self.conn.execute(_NEW_LATEST, {"id_": ret.id, "latest_revision": rev.number,
                                        "state": "submitted", "updated_at": now})
        return rev

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

    # -- idempotency -----------------------------------------------------------------
    def stored_answer(self, token_id: str, key: str) -> StoredAnswer | None:
        row = self.conn.execute(_ANSWER, {"token_id": token_id, "key": key}).mappings().first()
        return StoredAnswer(**row) if row else None

    def store_answer(self, token_id: str, key: str, answer: StoredAnswer,
                     now: datetime) -> None:
        self.conn.execute(_INSERT_ANSWER, {
            "token_id": token_id, "key": key, "fingerprint": answer.fingerprint,
            "status": answer.status, "headers": answer.headers, "body": answer.body,
            "created_at": now})

    # -- tokens ----------------------------------------------------------------------
    def insert_token(self, record: TokenRecord, secret_sha256: str) -> None:
        values = {f: getattr(record, f) for f in record.__slots__}
        self.conn.execute(t.tokens.insert().values(secret_sha256=secret_sha256, **values))

    def token_by_hash(self, secret_sha256: str) -> TokenRecord | None:
        row = self.conn.execute(_TOKEN_BY_HASH, {"secret_sha256": secret_sha256}
                                ).mappings().first()
        return TokenRecord(**row) if row else None

    def token(self, token_id: str) -> TokenRecord | None:
        row = self.conn.execute(sa.select(*_token_columns())
                                .where(t.tokens.c.id == token_id)).mappings().first()
        return TokenRecord(**row) if row else None

    def tokens(self) -> list[TokenRecord]:
        rows = self.conn.execute(sa.select(*_token_columns())
                                 .order_by(t.tokens.c.created_at, t.tokens.c.id)).mappings()
        return [TokenRecord(**row) for row in rows]

    def revoke_token(self, token_id: str, now: datetime) -> bool:
        done = self.conn.execute(t.tokens.update().where(
            t.tokens.c.id == token_id, t.tokens.c.revoked_at.is_(None)).values(revoked_at=now))
        return bool(done.rowcount)

    def touch_token(self, token_id: str, now: datetime) -> None:
        self.conn.execute(t.tokens.update().where(t.tokens.c.id == token_id)
                          .values(last_used_at=now))


def _revision_columns() -> list[sa.Column[Any]]:
    v = t.revisions
    return [v.c.number, v.c.schema_version, v.c.document, v.c.sha256, v.c.warnings,
            v.c.submitted_at, v.c.submitted_by]


def _token_columns() -> list[sa.Column[Any]]:
    return [c for c in t.tokens.c if c.name != "secret_sha256"]


def _agencies(forms: Iterable[sa.RowMapping]) -> dict[str, dict[str, date | None]]:
    """review_forms rows as {agency: {form: due}}, in agency then form order."""
    agencies: dict[str, dict[str, date | None]] = {}
    for f in sorted(forms, key=lambda f: (f["agency"], f["form"])):
        agencies.setdefault(f["agency"], {})[f["form"]] = f["due"]
    return agencies


def _param(column: sa.Column[Any], name: str | None = None) -> sa.ColumnElement[bool]:
    return column == sa.bindparam(name or column.name)


# The statements of every submission and every authenticated request, built once
# with their parameters bound at execution: SQLAlchemy then compiles each once per
# process and skips building and cache-keying a new statement per call.
_r = t.returns
_RETURN = (sa.select(_r.c.id, t.reviews.c.ref.label("review_ref"), _r.c.agency, _r.c.form,
                     _r.c.state, _r.c.latest_revision, _r.c.created_at, _r.c.updated_at)
           .join(t.reviews, t.reviews.c.id == _r.c.review_id)
           .where(_param(_r.c.review_id), _param(_r.c.agency), _param(_r.c.form)))
_RETURN_LOCKED = _RETURN.with_for_update(of=_r)
_INSERT_RETURN = {
    name: dialect.insert(_r).on_conflict_do_nothing(
        index_elements=["review_id", "agency", "form"])
    for name, dialect in (("sqlite", sqlite), ("postgresql", postgresql))}
_REVIEW = sa.select(t.reviews).where(_param(t.reviews.c.ref))
_REVIEW_LOCKED = _REVIEW.with_for_update()
_REVIEW_FORMS = sa.select(t.review_forms).where(_param(t.review_forms.c.review_id))
_REVISION = sa.select(*_revision_columns()).where(_param(t.revisions.c.return_id),
                                                  _param(t.revisions.c.number))
_REVISION_HEAD = sa.select(*(c for c in _revision_columns() if c.name != "document")).where(
    _param(t.revisions.c.return_id), _param(t.revisions.c.number))
_INSERT_REVISION = t.revisions.insert()
_NEW_LATEST = _r.update().where(_r.c.id == sa.bindparam("id_"))
_ANSWER = sa.select(t.idempotency.c.fingerprint, t.idempotency.c.status,
                    t.idempotency.c.headers, t.idempotency.c.body
                    ).where(_param(t.idempotency.c.token_id), _param(t.idempotency.c.key))
_INSERT_ANSWER = t.idempotency.insert()
_TOKEN_BY_HASH = sa.select(*_token_columns()).where(_param(t.tokens.c.secret_sha256))


def _insert_ignore(conn: sa.Connection, table: sa.Table, values: Mapping[str, Any],
                   keys: list[str]) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).values(**values).on_conflict_do_nothing(index_elements=keys)


def _upsert(conn: sa.Connection, table: sa.Table, values: Mapping[str, Any], keys: list[str],
            update: Mapping[str, Any]) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).values(**values).on_conflict_do_update(
        index_elements=keys, set_=dict(update))


class Store:
    """Transactions over one engine."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.queue = writer_queue(engine)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read transaction: every query in it sees one state of the database.

        On PostgreSQL that is REPEATABLE READ (a read-only transaction there never
        fails for it); SQLite in WAL mode gives a read transaction one snapshot
        already. So a return's state and the event that set it, or a review and
        its forms, are never read from two moments.
        """
        with self.engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield Tx(conn)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        # The connection first: a writer waiting for one must not hold the queue.
        with self.engine.connect() as conn, self.queue.turn() if self.queue else nullcontext():
            conn.execution_options(**{WRITE: True})
            tx = Tx(conn)
            try:
                with conn.begin():
                    yield tx
            except BaseException:
                tx.rolled_back()
                raise
