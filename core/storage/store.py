"""The store: every read and write of the database, in explicit transactions.

``with store.write() as tx`` takes the write lock up front (SQLite ``BEGIN
IMMEDIATE``; row locks on PostgreSQL); ``with store.read() as tx`` reads one
snapshot; :meth:`Store.reader` opens one read transaction when first asked
and shares it until closed (a request's authentication and its first reads).
Everything the service reads or writes is a method of :class:`Tx`, gathered
from one module per part of the schema; nothing outside this package touches
a connection. Nothing here updates or deletes a revision: the database
refuses it too (triggers, see the first migration).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from scr_returns.core.storage.audit import AuditQueries
from scr_returns.core.storage.auditkey import AuditKeySource
from scr_returns.core.storage.chronology import ChronologyQueries
from scr_returns.core.storage.engine import WRITE
from scr_returns.core.storage.events import EventQueries, EventRecord
from scr_returns.core.storage.idempotency import IdempotencyQueries
from scr_returns.core.storage.meta import MetaQueries
from scr_returns.core.storage.records import ReturnRecord, RevisionRecord
from scr_returns.core.storage.returns import ReturnQueries
from scr_returns.core.storage.reviews import ReviewQueries
from scr_returns.core.storage.tokens import TokenQueries
from scr_returns.core.storage.tracker import TrackerQueries
from scr_returns.core.storage.writers import writer_queue


@dataclass(frozen=True, slots=True)
class KeyedAnswer:
    """An idempotency key and the facts of its first answer."""

    token_id: str
    key: str
    fingerprint: str
    facts: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class SubmissionWrite:
    """Everything one accepted submission writes, together or not at all.

    ``revision``: the new revision (``None`` when the document is unchanged),
    with its chronology ``entries`` (extracted rows, without return and
    revision); ``event``: the review-state transition it makes, if any (the
    return takes its ``to_state``); ``answer``: the idempotency key's facts;
    ``audit``: the request's audit record (its fields, to be chained).
    """

    ret: ReturnRecord
    at: datetime
    revision: RevisionRecord | None = None
    entries: Sequence[Mapping[str, Any]] = ()
    event: EventRecord | None = None
    answer: KeyedAnswer | None = None
    audit: Mapping[str, Any] | None = None


class Tx(ReviewQueries, ReturnQueries, EventQueries, ChronologyQueries, TrackerQueries,
         TokenQueries, IdempotencyQueries, AuditQueries, MetaQueries):
    """One open transaction; every query of the service is one of its methods."""

    def __init__(self, conn: sa.Connection, audit_keys: AuditKeySource | None = None) -> None:
        self.conn = conn
        self.audit_keys = audit_keys
        self._on_rollback: list[Callable[[], None]] = []

    def on_rollback(self, undo: Callable[[], None]) -> None:
        """Call ``undo`` if this transaction does not commit (its commit failing included)."""
        self._on_rollback.append(undo)

    def rolled_back(self) -> None:
        for undo in reversed(self._on_rollback):
            undo()

    def record_submission(self, write: SubmissionWrite) -> dict[str, Any] | None:
        """Write a submission: revision, its event and chronology rows, the idempotency
        record and the audit record, in this transaction. Returns the audit record as
        chained (None without one)."""
        ret = write.ret
        if write.revision is not None:
            # The review-state trail and the panel's chronology index are written
            # with the revision: never one without the other.
            self.append_revision(ret.id, write.revision)
            self.insert_entries(ret.id, write.revision.number, write.entries)
            if write.event is not None:
                self.append_event(ret.id, write.event)
        elif write.event is not None:
            self.change_state(ret.id, write.event)
        record = self.append_audit(write.audit) if write.audit is not None else None
        if write.answer is not None:
            a = write.answer
            # A replay's audit record names this one (its replay_of).
            facts = {**a.facts, "audit_id": record["id"]} if record is not None else a.facts
            self.store_facts(a.token_id, a.key, a.fingerprint, facts, write.at)
        return record


class Reader:
    """One read transaction, opened when first asked for and shared until :meth:`close`."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._open: AbstractContextManager[Tx] | None = None
        self._tx: Tx | None = None

    @property
    def tx(self) -> Tx:
        if self._tx is None:
            self._open = self._store.read()
            self._tx = self._open.__enter__()
        return self._tx

    @property
    def is_open(self) -> bool:
        return self._tx is not None

    def close(self) -> None:
        """End the transaction (if one was opened); a later ``tx`` opens a new one."""
        opened, self._open, self._tx = self._open, None, None
        if opened is not None:
            opened.__exit__(None, None, None)

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Store:
    """Transactions over one engine; audit records chained with ``audit_keys``' key."""

    def __init__(self, engine: sa.Engine, audit_keys: AuditKeySource | None = None) -> None:
        self.engine = engine
        self.queue = writer_queue(engine)
        self.audit_keys = audit_keys

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
                yield Tx(conn, self.audit_keys)

    def reader(self) -> Reader:
        """A read transaction to share between steps, opened on first use."""
        return Reader(self)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        # The connection first: a writer waiting for one must not hold the queue.
        with self.engine.connect() as conn, self.queue.turn() if self.queue else nullcontext():
            conn.execution_options(**{WRITE: True})
            tx = Tx(conn, self.audit_keys)
            try:
                with conn.begin():
                    yield tx
            except BaseException:
                tx.rolled_back()
                raise
