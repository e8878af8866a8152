"""The return pipeline without HTTP: what a submission stores, and the facts it answers with."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import sqlalchemy as sa

import scr_returns.core.rulekit.entries
from scr_returns import (
    AgencySpec,
    ChronologyMapping,
    FormSpec,
    FormVersion,
    chronology_rules,
    hookimpl,
)
from scr_returns.core.audit import AuditEntry
from scr_returns.core.bootstrap import build_services
from scr_returns.core.envelopes import ReviewSchema, load
from scr_returns.core.errors import (
    ConflictError,
    DocumentInvalidError,
    EnvelopeInvalidError,
    NotFoundError,
    PreconditionFailedError,
    PreconditionRequiredError,
)
from scr_returns.core.plugins import PluginHost
from scr_returns.core.service import Services
from scr_returns.core.service.returns import Submitted, etag
from scr_returns.core.settings import Settings
from scr_returns.core.storage import Store, make_engine
from scr_returns.core.storage.chronology import EntryFilter
from tests import testplugin
from tests.support.clock import Clock
from tests.support.panel import PANEL, REF, REVIEW_JSON, agency, doc, entry

FORM = ("testing", "chronology")


class Common:
    """An agency whose chronology runs core's common rules (which read the parsed entries)."""

    @hookimpl
    def scr_returns_register_agency(self) -> AgencySpec:
        schema = testplugin._chronology_schema(1) | {
            "$id": "https://scr-returns.invalid/schemas/common-rules/chronology.v1.json"}
        return AgencySpec(name="common-rules", title="Common", version="1", forms=(
            FormSpec(name="chronology", title="Chronology", description="Dated entries.",
                     versions=(FormVersion(1, schema),),
                     rules=chronology_rules(ChronologyMapping()),
                     chronology=ChronologyMapping()),))


@pytest.fixture
def services(settings: Settings, clock: Clock) -> Iterator[Services]:
    # NOTE: the enabled plugins are read once: a submission's transactions can be counted.
    settings = replace(settings, plugin_refresh_seconds=3600)
    host = PluginHost(entry_points=False, extra={"testing": testplugin,
                                                 "common-rules": Common()})
    review = copy.deepcopy(REVIEW_JSON)
    review["agencies"].append({"agency": "common-rules", "forms": [{"form": "chronology"}]})
    built = build_services(settings, host=host, store=Store(make_engine(settings.database_url)),
                           clock=clock)
    built.reviews.create(load(ReviewSchema(), review))
    yield built
    built.store.engine.dispose()


def put(services: Services, document: dict[str, Any], *, name: str = "testing",
        **kwargs: Any) -> Submitted:
    return services.returns.submit(agency(name), REF, name, "chronology",
                                   {"document": document}, **kwargs)


def stored_revisions(services: Services, name: str = "testing") -> int:
    try:
        return len(services.returns.revisions(PANEL, REF, name, "chronology").revisions)
    except NotFoundError:
        return 0


def test_a_first_submission_creates_the_return(services: Services, clock: Clock) -> None:
    done = put(services, doc(entry("e1", "2024-03-01")))
    assert (done.review, done.agency, done.form) == (REF, *FORM)
    assert (done.created, done.revision_created, done.replayed) == (True, True, False)
    assert done.state == "submitted"
    rev = done.revision
    assert (rev.number, rev.schema_version, rev.submitted_at, rev.submitted_by) == \
        (1, 2, clock.now, "tok_testing")
    latest = services.returns.latest(PANEL, REF, *FORM)
    assert latest.revision.sha256 == rev.sha256 and latest.state == "submitted"
    assert latest.state_event is not None and latest.state_event.action == "submitted"


def test_amending_needs_the_current_etag(services: Services) -> None:
    first = put(services, doc(entry("e1", "2024-03-01")))
    changed = doc(entry("e1", "2024-03-02"))
    with pytest.raises(PreconditionRequiredError):
        put(services, changed)
    with pytest.raises(PreconditionFailedError):
        put(services, changed, if_match='"1-0000"')
    assert stored_revisions(services) == 1
    done = put(services, changed, if_match=etag(first.revision.number, first.revision.sha256))
    assert (done.created, done.revision_created, done.revision.number) == (False, True, 2)


def test_the_same_document_again_stores_nothing(services: Services) -> None:
    document = doc(entry("e1", "2024-03-01"))
    put(services, document)
    again = put(services, document, if_match="*")
    assert (again.created, again.revision_created, again.revision.number) == (False, False, 1)
    assert stored_revisions(services) == 1


def test_an_invalid_document_stores_nothing(services: Services) -> None:
    with pytest.raises(DocumentInvalidError) as refused:
        put(services, doc(entry("e1", "2024-02-30")))
    assert [p.code for p in refused.value.report.errors] == ["schema.format"]
    assert stored_revisions(services) == 0


def test_a_retry_gets_the_first_answers_facts_again(services: Services) -> None:
    document = doc(entry("e1", "2024-03-01"))
    first = put(services, document, idempotency_key="k-1")
    retry = put(services, document, idempotency_key="k-1")
    assert retry.replayed is True
    # No audit entry was handed in, so the first answer's record is not noted (0).
    assert retry == Submitted(**{**{f: getattr(first, f) for f in first.__slots__},
                                 "replayed": True, "replay_of": 0})
    assert stored_revisions(services) == 1
    with pytest.raises(EnvelopeInvalidError, match="already used"):
        put(services, doc(entry("e1", "2024-03-09")), idempotency_key="k-1")


def test_an_accepted_return_is_locked(services: Services) -> None:
    put(services, doc(entry("e1", "2024-03-01")))
    services.states.change(PANEL, REF, *FORM, "accepted", None)
    with pytest.raises(ConflictError, match="accepted"):
        put(services, doc(entry("e1", "2024-03-02")), if_match="*")


def test_the_audit_record_is_written_with_the_revision(services: Services) -> None:
    entry_ = AuditEntry(request_id="req-00000001", method="PUT", route="/v1/x")
    put(services, doc(entry("e1", "2024-03-01")), audit=entry_)
    assert entry_.appended is not None
    assert (entry_.appended["status"], entry_.appended["revision"]) == (201, 1)
    with services.store.read() as tx:
        assert [r["request_id"] for r in tx.audit_chain()] == ["req-00000001"]


def test_entries_are_parsed_once_for_the_rules_and_the_chronology(
        services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = []
    real = scr_returns.core.rulekit.entries._parse_entries

    def counting(document: object, mapping: ChronologyMapping) -> Any:
        parsed.append(document)
        return real(document, mapping)

    monkeypatch.setattr(scr_returns.core.rulekit.entries, "_parse_entries", counting)
    put(services, doc(entry("e1", "2024-03-01"), entry("e2", "2024-04-01")),
        name="common-rules")
    assert len(parsed) == 1  # seven common rules and the chronology rows share one parse
    with services.store.read() as tx:
        review = tx.review(REF)
        assert review is not None
        rows = list(tx.entry_rows(review.id, EntryFilter(agencies=("common-rules",))))
    assert [r["entry_id"] for r in rows] == ["e1", "e2"]


def test_the_callers_read_transaction_is_shared_then_ended(services: Services) -> None:
    secret, _ = services.tokens.create(name="t", role="agency", agency="testing",
                                       reviews=[REF])
    services.tokens.authenticate(secret)  # the first use notes the token used: a write
    put(services, doc(entry("c1", "2024-03-01")), name="common-rules")  # reads the plugins
    begun: list[object] = []
    sa.event.listen(services.store.engine, "begin", begun.append)
    reads = services.store.reader()
    principal = services.tokens.authenticate(secret, reads)
    assert reads.is_open  # the token was read in it, and it stays open for the submission
    services.returns.submit(principal, REF, *FORM, {"document": doc(entry("e1", "2024-03-01"))},
                            reads=reads)
    assert not reads.is_open
    assert len(begun) == 2  # token, retry and review in one read; then one write
