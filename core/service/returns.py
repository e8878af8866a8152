"""The return pipeline: validate, store an immutable revision, read it back.

A submission's reads (the retry's first answer, the review) share one read
transaction, with the caller's authentication when it is handed in; the
document is then validated outside any transaction (it may be large), and
stored by one store operation in one write transaction that re-checks
everything that can race: the idempotency key, the ``If-Match`` precondition
and the latest revision. Every operation returns plain facts
(:class:`Submitted`, :class:`LatestRevision`, ...); how they look over HTTP is
the HTTP layer's business.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy.exc

from scr_returns.core import jsonio, metrics
from scr_returns.core.audit import AuditEntry
from scr_returns.core.auth import Principal
from scr_returns.core.catalog import Catalog
from scr_returns.core.descriptors import RuleContext
from scr_returns.core.errors import (
    BadRequestError,
    ConflictError,
    DocumentInvalidError,
    EnvelopeInvalidError,
    ForbiddenError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
    Problem,
    ValidationReport,
)
from scr_returns.core.plugins import LoadedForm
from scr_returns.core.rulekit.entries import Chronology
from scr_returns.core.service.chronology import extract
from scr_returns.core.service.reviews import review_context, visible_review
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store
from scr_returns.core.storage.events import EventRecord
from scr_returns.core.storage.records import (
    ReturnRecord,
    ReviewRecord,
    RevisionHead,
    RevisionRecord,
    StoredFacts,
)
from scr_returns.core.storage.store import KeyedAnswer, Reader, SubmissionWrite, Tx
from scr_returns.core.validation import validate_document, with_chronology

CLOSED_STATUSES = ("completed", "published")
ID_MAX = 2**31 - 1  # row ids are 32-bit integers in the database
PAGE_MAX = 500


@dataclass(frozen=True, slots=True)
class Submitted:
    """What an accepted submission did (or, ``replayed``, what its first attempt did)."""

    review: str
    agency: str
    form: str
    state: str
    """The return's review state afterwards."""
    revision: RevisionHead
    """The return's latest revision afterwards: the new one, or the unchanged one."""
    created: bool
    """The return's first revision: the return did not exist before."""
    revision_created: bool
    replayed: bool = False
    replay_of: int | None = None
    """For a replay: the audit record of the first answer (0 if it was not noted)."""

    def facts(self) -> dict[str, Any]:
        """As kept for an idempotent retry (JSON, flat: one object of plain values)."""
        rev = self.revision
        return {"review": self.review, "agency": self.agency, "form": self.form,
                "state": self.state, "created": self.created,
                "revision_created": self.revision_created, "revision": rev.number,
                "schema_version": rev.schema_version, "sha256": rev.sha256,
                "warnings": rev.warnings, "submitted_at": rev.submitted_at.isoformat(),
                "submitted_by": rev.submitted_by}

    @classmethod
    def replay(cls, facts: Mapping[str, Any]) -> Submitted:
        """The first answer's facts, as :meth:`facts` kept them, marked as a replay."""
        return cls(review=facts["review"], agency=facts["agency"], form=facts["form"],
                   state=facts["state"], created=facts["created"],
                   revision_created=facts["revision_created"], replayed=True,
                   replay_of=int(facts.get("audit_id", 0)),
                   revision=RevisionHead(
                       number=facts["revision"], schema_version=facts["schema_version"],
                       sha256=facts["sha256"], warnings=facts["warnings"],
                       submitted_at=datetime.fromisoformat(facts["submitted_at"]),
                       submitted_by=facts["submitted_by"]))


@dataclass(frozen=True, slots=True)
class LatestRevision:
    """A return's latest revision with its state and what put it there."""

    review: str
    agency: str
    form: str
    state: str
    state_event: EventRecord | None
    """What put the return in its state, e.g. the panel's query."""
    revision: RevisionRecord


@dataclass(frozen=True, slots=True)
class StoredRevisions:
    """Revisions of one return, each exactly as stored, oldest first."""

    review: str
    agency: str
    form: str
    revisions: list[RevisionRecord]


@dataclass(frozen=True, slots=True)
class Checked:
    """A document's validation, and its chronology entries as the rules read them."""

    report: ValidationReport
    chronology: Chronology | None


@dataclass(frozen=True)
class _Pending:
    """A validated submission on its way into the write transaction."""

    principal: Principal
    review: ReviewRecord
    agency: str
    form: str
    text: str
    """The document as stored (``jsonio.document_text``)."""
    sha256: str
    version: int
    warnings: list[dict[str, Any]]
    if_match: str | None
    key: str | None
    fingerprint: str
    now: datetime
    entries: list[dict[str, Any]] = field(default_factory=list)
    """Its chronology rows, extracted before the write lock is taken."""
    reason: str | None = None
    """Why this revision, as the submitter said (kept on its event)."""
    audit: AuditEntry | None = None


def etag(number: int, sha256: str) -> str:
    """A revision's entity tag: its number and (a prefix of) its document's hash."""
    return f'"{number}-{sha256[:20]}"'


def encode_cursor(last_id: int) -> str:
    """The cursor after row ``last_id``: its decimal id (any such number is a valid cursor:
    the page starts after it), so the OpenAPI document can state exactly what is taken."""
    return str(last_id)


def decode_cursor(cursor: str) -> int:
    if not (cursor.isascii() and cursor.isdigit() and len(cursor) <= 10
            and int(cursor) <= ID_MAX):
        raise BadRequestError("A cursor is the next_cursor of a page: a whole number.")
    return int(cursor)


def offered_version(loaded: LoadedForm, requested: int | None) -> int:
    """The form version a document is checked against: the one asked for, if offered,
    else the newest; a version not offered is an envelope problem."""
    newest = loaded.spec.newest
    assert newest is not None  # the plugin host refuses a form with none offered
    if requested is None:
        return newest.version
    version = loaded.spec.version(requested)
    if version is None or version.retired:
        offered = ", ".join(str(v.version) for v in loaded.spec.offered)
        raise EnvelopeInvalidError([Problem(
            "/schema_version", "request.schema_version",
            f"Version {requested} of this form is not offered; offered: {offered}.",
            "error", "envelope")])
    return requested


def check_document(settings: Settings, loaded: LoadedForm, document: Any, version: int,
                   review: ReviewRecord | None, now: datetime) -> Checked:
    """Schema then rules, as a submission at ``now`` is checked; no database needed."""
    ctx = with_chronology(RuleContext(
        agency=loaded.agency, form=loaded.spec.name, schema_version=version,
        today=settings.local_date(now), submitted_at=now,
        review=review_context(review) if review else None,
        production=settings.production,
        config=settings.plugin_config.get(loaded.plugin, {})), document, loaded.spec.chronology)
    report = validate_document(loaded.engines[version], loaded.spec.rules, document, ctx,
                               plugin=loaded.plugin, cap=settings.problem_cap)
    return Checked(report, ctx.chronology)


@contextmanager
def _reads(store: Store, shared: Reader | None) -> Iterator[Tx]:
    """The shared read transaction, ended after use; or a read transaction of its own."""
    if shared is None:
        with store.read() as tx:
            yield tx
        return
    try:
        yield shared.tx
    finally:
        shared.close()


class ReturnService:
    def __init__(self, settings: Settings, store: Store, catalog: Catalog,
                 clock: Callable[[], datetime]) -> None:
        self.settings = settings
        self.store = store
        self.catalog = catalog
        self.clock = clock

    # -- validation --------------------------------------------------------------------
    def _form(self, agency: str, form: str) -> LoadedForm:
        loaded = self.catalog.form(agency, form, enabled_only=False)
        if loaded is None:
            raise NotFoundError(f"No form {form!r} for agency {agency!r}.")
        if not self.catalog.is_enabled(self.catalog.host.plugins[loaded.plugin]):
            raise ConflictError(f"The {agency} agency is disabled: its forms are not offered "
                                "until an admin enables it.")
        return loaded

    def check(self, loaded: LoadedForm, document: Any, version: int,
              review: ReviewRecord | None, now: datetime) -> Checked:
        """Schema then rules, exactly as a submission is checked (and timed for /metrics)."""
        with metrics.timed_validation(loaded.agency, loaded.spec.name):
            return check_document(self.settings, loaded, document, version, review, now)

    def dry_run(self, principal: Principal, agency: str, form: str, document: Any,
                schema_version: int | None = None,
                review_ref: str | None = None) -> ValidationReport:
        """The problems a PUT of this document would give; nothing is stored."""
        loaded = self._form(agency, form)
        version = offered_version(loaded, schema_version)
        review = None
        if review_ref is not None:
            review = self._visible_review(principal, review_ref)
        return self.check(loaded, document, version, review, self.clock()).report

    def _visible_review(self, principal: Principal, ref: str) -> ReviewRecord:
        with self.store.read() as tx:
            return visible_review(tx, principal, ref)

    # -- submission --------------------------------------------------------------------
    def submit(self, principal: Principal, ref: str, agency: str, form: str,
               envelope: Mapping[str, Any], *, if_match: str | None = None,
               idempotency_key: str | None = None, audit: AuditEntry | None = None,
               reads: Reader | None = None) -> Submitted:
        """Submit (first revision) or amend a return; a retry gets the first answer again.

        ``reads``, when given, is the read transaction the caller authenticated in:
        the retry's first answer and the review are read in it, and it is ended
        before the document is validated.
        """
        if principal.role != "agency":
            raise ForbiddenError("Only an agency token submits returns.")
        if not principal.writes_return(ref, agency):
            raise NotFoundError()
        document = envelope["document"]
        sha = jsonio.document_sha256(document)
        reason = envelope.get("reason")
        fingerprint = hashlib.sha256(jsonio.dumps(
            [ref, agency, form, envelope.get("schema_version"), sha, reason]
            if reason is not None else  # as before reasons existed: stored keys still match
            [ref, agency, form, envelope.get("schema_version"), sha]).encode()).hexdigest()
        with _reads(self.store, reads) as tx:  # the first answer to a retry, or the review
            stored = (tx.stored_facts(principal.token_id, idempotency_key)
                      if idempotency_key is not None else None)
            review = visible_review(tx, principal, ref) if stored is None else None
        if stored is not None:
            return self._replay(stored, fingerprint, audit)
        assert review is not None
        if review.status in CLOSED_STATUSES:
            raise ConflictError(f"The review is {review.status}: it takes no more returns.")
        loaded = self._form(agency, form)
        version = offered_version(loaded, envelope.get("schema_version"))
        now = self.clock()
        checked = self.check(loaded, document, version, review, now)
        if not checked.report.valid:
            metrics.count_return(agency, form, "refused")
            raise DocumentInvalidError(checked.report)
        mapping = loaded.spec.chronology
        # The chronology rows come from the entries the rules read, before the write lock.
        entries = [] if mapping is None or checked.chronology is None else extract(
            review_id=review.id, agency=agency, form=form, chronology=checked.chronology)
        pending = _Pending(principal=principal, review=review, agency=agency, form=form,
                           text=jsonio.document_text(document), sha256=sha, version=version,
                           warnings=[p.as_dict() for p in checked.report.warnings],
                           if_match=if_match, key=idempotency_key, fingerprint=fingerprint,
                           now=now, entries=entries, reason=reason, audit=audit)
        try:
            done = self._store(pending)
        except sqlalchemy.exc.IntegrityError:
            # Only a concurrent request with the same idempotency key gets here
            # (PostgreSQL; SQLite serialises writers): answer as it was answered.
            if idempotency_key is None:
                raise
            with self.store.read() as tx:
                stored = tx.stored_facts(principal.token_id, idempotency_key)
            if stored is None:
                raise
            return self._replay(stored, fingerprint, audit)
        if not done.replayed:
            metrics.count_return(agency, form, "accepted")
        return done

    @staticmethod
    def _replay(stored: StoredFacts, fingerprint: str, audit: AuditEntry | None) -> Submitted:
        """The first answer again, its audit record marked as a replay of the first's."""
        if stored.fingerprint != fingerprint:
            message = ("This Idempotency-Key was already used for a different request; use a "
                       "new key for a new request.")
            raise EnvelopeInvalidError([Problem("", "request.idempotency_key.reused", message,
                                                "error", "envelope")], message)
        done = Submitted.replay(stored.facts)
        if audit is not None:
            audit.replay_of, audit.revision = done.replay_of, done.revision.number
        return done

    def _store(self, p: _Pending) -> Submitted:
        with self.store.write() as tx:
            ret = tx.lock_or_create_return(p.review.id, p.agency, p.form, p.now)
            # Only now, holding the return's lock (PostgreSQL waits here for a
            # concurrent writer of this return to commit), is a retry's first
            # answer sure to be visible.
            if p.key is not None:
                stored = tx.stored_facts(p.principal.token_id, p.key)
                if stored is not None:
                    return self._replay(stored, p.fingerprint, p.audit)
            latest = tx.revision_head(ret.id, ret.latest_revision) \
                if ret.latest_revision else None
            done, write = _decide(ret, latest, p)
            if p.key is not None:
                write = replace(write, answer=KeyedAnswer(p.principal.token_id, p.key,
                                                        p.fingerprint, done.facts()))
            if p.audit is not None:  # committed with the data, or not at all
                write = replace(write, audit=p.audit.fields(201 if done.created else 200, p.now,
                                                           revision=done.revision.number))
            record = tx.record_submission(write)
            if p.audit is not None and record is not None:
                p.audit.appended_in(tx, record)
        return done

    # -- reading -----------------------------------------------------------------------
    @staticmethod
    def _find(tx: Tx, principal: Principal, ref: str, agency: str, form: str) -> ReturnRecord:
        """The return, if it exists and the caller may read it; else 404."""
        if not principal.reads_return(ref, agency):
            raise NotFoundError()
        review = tx.review(ref)
        ret = tx.get_return(review.id, agency, form) if review else None
        if ret is None or ret.latest_revision == 0:
            raise NotFoundError()
        return ret

    def latest(self, principal: Principal, ref: str, agency: str, form: str) -> LatestRevision:
        """The latest revision with its document, its state and what set it."""
        with self.store.read() as tx:
            ret = self._find(tx, principal, ref, agency, form)
            rev = tx.revision(ret.id, ret.latest_revision)
            event = tx.last_event(ret.id)
        assert rev is not None
        return LatestRevision(ref, agency, form, ret.state, event, rev)

    def revisions(self, principal: Principal, ref: str, agency: str,
                  form: str) -> StoredRevisions:
        """Every revision ever stored, oldest first, each document exactly as stored."""
        with self.store.read() as tx:
            ret = self._find(tx, principal, ref, agency, form)
            revs = tx.revisions(ret.id)
        return StoredRevisions(ref, agency, form, revs)

    def revision(self, principal: Principal, ref: str, agency: str, form: str,
                 number: int) -> StoredRevisions:
        """One revision, exactly as stored."""
        with self.store.read() as tx:
            ret = self._find(tx, principal, ref, agency, form)
            rev = tx.revision(ret.id, number)
        if rev is None:
            raise NotFoundError()
        return StoredRevisions(ref, agency, form, [rev])

    def list(self, principal: Principal, ref: str, *, agency: str | None = None,
             form: str | None = None, state: str | None = None, cursor: str | None = None,
             limit: int = 100, has_warnings: bool | None = None) -> dict[str, Any]:
        """A page of the review's returns the caller may see, with the next cursor."""
        review = self._visible_review(principal, ref)
        own = principal.visible_agency()
        if own is not None:
            if agency is not None and agency != own:
                return {"items": [], "next_cursor": None}
            agency = own
        limit = max(1, min(limit, PAGE_MAX))
        with self.store.read() as tx:
            rows = tx.list_returns(review.id, agency=agency, form=form, state=state,
                                   has_warnings=has_warnings,
                                   after_id=decode_cursor(cursor) if cursor else 0,
                                   limit=limit + 1)
        page = rows[:limit]
        items = [{"agency": r["agency"], "form": r["form"], "state": r["state"],
                  "revision": r["latest_revision"], "schema_version": r["schema_version"],
                  "submitted_at": r["submitted_at"], "submitted_by": r["submitted_by"],
                  "warning_count": len(r["warnings"])} for r in page]
        more = len(rows) > limit
        return {"items": items, "next_cursor": encode_cursor(page[-1]["id"]) if more else None}


def _decide(ret: ReturnRecord, latest: RevisionHead | None,
            p: _Pending) -> tuple[Submitted, SubmissionWrite]:
    """What this submission does to the return as it now is: its facts and its write.

    Raises when a precondition fails: If-Match stale or missing, the return accepted.
    """
    def submitted(rev: RevisionHead, state: str, *, created: bool,
                  new: bool) -> Submitted:
        return Submitted(p.review.ref, p.agency, p.form, state, rev, created=created,
                         revision_created=new)

    if latest is None:
        if p.if_match is not None:
            raise PreconditionFailedError("There is no return yet to match If-Match; "
                                          "send the first revision without it.")
        rev = _new_revision(ret, p)
        return (submitted(rev.head(), "submitted", created=True, new=True),
                SubmissionWrite(ret, p.now, rev, p.entries, _event(ret, rev, p)))
    current = etag(latest.number, latest.sha256)
    if ret.state == "accepted":
        raise ConflictError("The return has been accepted by the panel and is "
                            "locked until the panel reopens it.")
    if p.if_match is not None and p.if_match not in ("*", current):
        raise PreconditionFailedError(
            f"The return has changed since you read it (now revision "
            f"{latest.number}, ETag {current}); read it again before amending.")
    if latest.sha256 == p.sha256 and latest.schema_version == p.version:
        if p.reason is not None and ret.state == "queried":
            # The answer to a query may be "no change, because ...": the return
            # goes back to the panel with the reason, no new revision.
            event = EventRecord(revision=latest.number, action="resubmitted",
                                from_state="queried", to_state="submitted",
                                comment=p.reason, by=p.principal.token_id, at=p.now)
            return (submitted(latest, "submitted", created=False, new=False),
                    SubmissionWrite(ret, p.now, event=event))
        return (submitted(latest, ret.state, created=False, new=False),
                SubmissionWrite(ret, p.now))
    if p.if_match is None:
        raise PreconditionRequiredError(
            f"Amending a return needs If-Match with the current ETag ({current}).")
    rev = _new_revision(ret, p)
    return (submitted(rev.head(), "submitted", created=False, new=True),
            SubmissionWrite(ret, p.now, rev, p.entries, _event(ret, rev, p)))


def _new_revision(ret: ReturnRecord, p: _Pending) -> RevisionRecord:
    return RevisionRecord(number=ret.latest_revision + 1, schema_version=p.version,
                          document=p.text, sha256=p.sha256, warnings=p.warnings,
                          submitted_at=p.now, submitted_by=p.principal.token_id)


def _event(ret: ReturnRecord, rev: RevisionRecord, p: _Pending) -> EventRecord:
    """The review-state event of a new revision."""
    first = ret.latest_revision == 0
    action = "submitted" if first else "resubmitted" if ret.state == "queried" else "amended"
    return EventRecord(revision=rev.number, action=action,
                       from_state=None if first else ret.state, to_state="submitted",
                       comment=p.reason, by=p.principal.token_id, at=p.now)
