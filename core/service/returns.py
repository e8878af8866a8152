"""The return pipeline: validate, store an immutable revision, read it back.

A submission is validated outside any transaction (it may be large), then
stored in one write transaction that re-checks everything that can race:
the idempotency key, the ``If-Match`` precondition and the latest revision.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy.exc

from core import jsonio, metrics
from core.audit import AuditEntry
from core.auth import Principal
from core.catalog import Catalog
from core.descriptors import RuleContext
from core.errors import (
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
from core.memo import validation_scope
from core.plugins import LoadedForm
from core.service.chronology import extract
from core.service.reviews import review_context, visible_review
from core.settings import Settings
from core.storage import Store
from core.storage.chronology import insert_entries
from core.storage.events import EventRecord, append_event, last_event, set_state
from core.storage.records import (
    ReturnRecord,
    ReviewRecord,
    RevisionHead,
    RevisionRecord,
    StoredAnswer,
)
from core.storage.store import Tx
from core.validation import validate_document

CLOSED_STATUSES = ("completed", "published")
ID_MAX = 2**31 - 1  # row ids are 32-bit integers in the database
PAGE_MAX = 500


@dataclass(frozen=True)
class Answer:
    """A write's answer, as stored for idempotent replay."""

    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)
    replayed: bool = False


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
    return f'"{number}-{sha256[:20]}"'


def return_path(ref: str, agency: str, form: str) -> str:
    return f"/v1/reviews/{ref}/returns/{agency}/{form}"


def _revision_meta(rev: RevisionHead) -> dict[str, Any]:
    return {"revision": rev.number, "schema_version": rev.schema_version,
            "submitted_at": rev.submitted_at, "submitted_by": rev.submitted_by,
            "warnings": rev.warnings}


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"r{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        digits = raw[1:]
        if not (raw.startswith("r") and digits.isascii() and digits.isdigit()
                and int(digits) <= ID_MAX):
            raise ValueError(raw)
        return int(digits)
    except ValueError:
        raise BadRequestError("The cursor is not one this service gave out.") from None


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
                   review: ReviewRecord | None, now: datetime) -> ValidationReport:
    """Schema then rules, as a submission at ``now`` is checked; no database needed."""
    ctx = RuleContext(
        agency=loaded.agency, form=loaded.spec.name, schema_version=version,
        today=settings.local_date(now), submitted_at=now,
        review=review_context(review) if review else None,
        production=settings.production,
        config=settings.plugin_config.get(loaded.plugin, {}))
    return validate_document(loaded.engines[version], loaded.spec.rules, document, ctx,
                             plugin=loaded.plugin, cap=settings.problem_cap)


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

    def _version(self, loaded: LoadedForm, requested: int | None) -> int:
        return offered_version(loaded, requested)

    def check(self, loaded: LoadedForm, document: Any, version: int,
              review: ReviewRecord | None, now: datetime) -> ValidationReport:
        """Schema then rules, exactly as a submission is checked (and timed for /metrics)."""
        with metrics.timed_validation(loaded.agency, loaded.spec.name):
            return check_document(self.settings, loaded, document, version, review, now)

    def dry_run(self, principal: Principal, agency: str, form: str, document: Any,
                schema_version: int | None = None,
                review_ref: str | None = None) -> ValidationReport:
        """The problems a PUT of this document would give; nothing is stored."""
        loaded = self._form(agency, form)
        version = self._version(loaded, schema_version)
        review = None
        if review_ref is not None:
            review = self._visible_review(principal, review_ref)
        return self.check(loaded, document, version, review, self.clock())

    def _visible_review(self, principal: Principal, ref: str) -> ReviewRecord:
        with self.store.read() as tx:
            return visible_review(tx, principal, ref)

    # -- submission --------------------------------------------------------------------
    def submit(self, principal: Principal, ref: str, agency: str, form: str,
               envelope: Mapping[str, Any], *, if_match: str | None = None,
               idempotency_key: str | None = None, audit: AuditEntry | None = None) -> Answer:
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
        with self.store.read() as tx:  # one read: the first answer to a retry, or the review
            stored = (tx.stored_answer(principal.token_id, idempotency_key)
                      if idempotency_key is not None else None)
            review = visible_review(tx, principal, ref) if stored is None else None
        if stored is not None:
            return self._replay(stored, fingerprint)
        assert review is not None
        if review.status in CLOSED_STATUSES:
            raise ConflictError(f"The review is {review.status}: it takes no more returns.")
        loaded = self._form(agency, form)
        version = self._version(loaded, envelope.get("schema_version"))
        now = self.clock()
        mapping = loaded.spec.chronology
        with validation_scope():  # the chronology rows reuse the entries the rules parsed
            report = self.check(loaded, document, version, review, now)
            if not report.valid:
                metrics.count_return(agency, form, "refused")
                raise DocumentInvalidError(report)
            entries = [] if mapping is None else extract(
                review_id=review.id, agency=agency, form=form, document=document,
                mapping=mapping)
        pending = _Pending(principal=principal, review=review, agency=agency, form=form,
                           text=jsonio.document_text(document), sha256=sha, version=version,
                           warnings=[p.as_dict() for p in report.warnings], if_match=if_match,
                           key=idempotency_key, fingerprint=fingerprint, now=now,
                           entries=entries, reason=reason, audit=audit)
        try:
            answer = self._store(pending)
        except sqlalchemy.exc.IntegrityError:
            # Only a concurrent request with the same idempotency key gets here
            # (PostgreSQL; SQLite serialises writers): answer as it was answered.
            if idempotency_key is None:
                raise
            with self.store.read() as tx:
                stored = tx.stored_answer(principal.token_id, idempotency_key)
            if stored is None:
                raise
            return self._replay(stored, fingerprint)
        if not answer.replayed:
            metrics.count_return(agency, form, "accepted")
        return answer

    @staticmethod
    def _replay(stored: StoredAnswer, fingerprint: str) -> Answer:
        if stored.fingerprint != fingerprint:
            message = ("This Idempotency-Key was already used for a different request; use a "
                       "new key for a new request.")
            raise EnvelopeInvalidError([Problem("", "request.idempotency_key.reused", message,
                                                "error", "envelope")], message)
        return Answer(stored.status, stored.body, dict(stored.headers), replayed=True)

    def _store(self, p: _Pending) -> Answer:
        principal, review, agency, form = p.principal, p.review, p.agency, p.form
        key, fingerprint, now, if_match = p.key, p.fingerprint, p.now, p.if_match
        with self.store.write() as tx:
            ret = tx.lock_or_create_return(review.id, agency, form, now)
            # Only now, holding the return's lock (PostgreSQL waits here for a
            # concurrent writer of this return to commit), is a retry's first
            # answer sure to be visible.
            if key is not None:
                stored = tx.stored_answer(principal.token_id, key)
                if stored is not None:
                    return self._replay(stored, fingerprint)
            latest = tx.revision_head(ret.id, ret.latest_revision) \
                if ret.latest_revision else None
            state = ret.state
            rev: RevisionHead
            if latest is None:
                if if_match is not None:
                    raise PreconditionFailedError("There is no return yet to match If-Match; "
                                                  "send the first revision without it.")
                status = 201
                rev = self._insert(tx, ret, p)
            else:
                current = etag(latest.number, latest.sha256)
                if ret.state == "accepted":
                    raise ConflictError("The return has been accepted by the panel and is "
                                        "locked until the panel reopens it.")
                if if_match is not None and if_match not in ("*", current):
                    raise PreconditionFailedError(
                        f"The return has changed since you read it (now revision "
                        f"{latest.number}, ETag {current}); read it again before amending.")
                if latest.sha256 == p.sha256 and latest.schema_version == p.version:
                    status, rev = 200, latest
                    if p.reason is not None and ret.state == "queried":
                        # The answer to a query may be "no change, because ...": the
                        # return goes back to the panel with the reason, no new revision.
                        append_event(tx, ret.id, EventRecord(
                            revision=latest.number, action="resubmitted", from_state="queried",
                            to_state="submitted", comment=p.reason, by=p.principal.token_id,
                            at=p.now))
                        set_state(tx, ret.id, "submitted", p.now)
                        state = "submitted"
                elif if_match is None:
                    raise PreconditionRequiredError(
                        "Amending a return needs If-Match with the current ETag "
                        f"({current}).")
                else:
                    status = 200
                    rev = self._insert(tx, ret, p)
            number = rev.number
            if number != ret.latest_revision:
                state = "submitted"
            body = jsonio.dumps({
                "review": review.ref, "agency": agency, "form": form, "state": state,
                "revision_created": number != ret.latest_revision,
                **_revision_meta(rev)})
            headers = {"ETag": etag(rev.number, rev.sha256),
                       "Location": return_path(review.ref, agency, form)}
            if key is not None:
                tx.store_answer(principal.token_id, key,
                                StoredAnswer(fingerprint, status, headers, body), now)
            if p.audit is not None:  # committed with the data, or not at all
                p.audit.append(tx, status, now, revision=number)
        return Answer(status, body, headers)

    @staticmethod
    def _insert(tx: Tx, ret: ReturnRecord, p: _Pending) -> RevisionRecord:
        rev = tx.insert_revision(ret, schema_version=p.version, document=p.text,
                                 sha256=p.sha256,
                                 warnings=p.warnings, by=p.principal.token_id, now=p.now)
        number = rev.number
        # The review-state trail and the panel's chronology index are written
        # in the revision's own transaction: never one without the other.
        first = ret.latest_revision == 0
        action = "submitted" if first else \
            "resubmitted" if ret.state == "queried" else "amended"
        append_event(tx, ret.id, EventRecord(
            revision=number, action=action, from_state=None if first else ret.state,
            to_state="submitted", comment=p.reason, by=p.principal.token_id, at=p.now))
        insert_entries(tx, ret.id, number, p.entries)
        return rev

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

    def latest(self, principal: Principal, ref: str, agency: str, form: str) -> Answer:
        """The latest revision with its document, as JSON text, and its ETag."""
        with self.store.read() as tx:
            ret = self._find(tx, principal, ref, agency, form)
            rev = tx.revision(ret.id, ret.latest_revision)
            event = last_event(tx, ret.id)
        assert rev is not None
        # state_event: what put the return in its state, e.g. the panel's query.
        meta = {"review": ref, "agency": agency, "form": form, "state": ret.state,
                "state_event": event.as_dict() if event else None, **_revision_meta(rev)}
        return Answer(200, jsonio.with_raw(meta, "document", rev.document),
                      {"ETag": etag(rev.number, rev.sha256)})

    def revisions(self, principal: Principal, ref: str, agency: str, form: str) -> str:
        """Every revision ever stored, oldest first, each document exactly as stored."""
        with self.store.read() as tx:
            ret = self._find(tx, principal, ref, agency, form)
            revs = tx.revisions(ret.id)
        items = [jsonio.with_raw(_revision_meta(r), "document", r.document) for r in revs]
        head = jsonio.dumps({"review": ref, "agency": agency, "form": form})
        return head[:-1] + ',"revisions":[' + ",".join(items) + "]}"

    def revision(self, principal: Principal, ref: str, agency: str, form: str,
                 number: int) -> Answer:
        with self.store.read() as tx:
            ret = self._find(tx, principal, ref, agency, form)
            rev = tx.revision(ret.id, number)
        if rev is None:
            raise NotFoundError()
        meta = {"review": ref, "agency": agency, "form": form, **_revision_meta(rev)}
        return Answer(200, jsonio.with_raw(meta, "document", rev.document),
                      {"ETag": etag(rev.number, rev.sha256)})

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
                  "warning_count": len(r["warnings"]),
                  "href": return_path(ref, r["agency"], r["form"])} for r in page]
        more = len(rows) > limit
        return {"items": items, "next_cursor": encode_cursor(page[-1]["id"]) if more else None}
