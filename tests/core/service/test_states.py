"""Review states: the walk, illegal moves, who may move, and the append-only trail."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from scr_returns.core import jsonio
from scr_returns.core.errors import (
    ConflictError,
    EnvelopeInvalidError,
    ForbiddenError,
    NotFoundError,
    PreconditionFailedError,
)
from scr_returns.core.service import Services
from scr_returns.core.service.returns import etag
from scr_returns.core.settings import Settings
from tests.support.clock import Clock
from tests.support.panel import (
    ADMIN,
    PANEL,
    REF,
    agency,
    doc,
    entry,
    make_services,
    open_review,
    submit,
)

FORM = ("testing", "chronology")


@pytest.fixture
def services(settings: Settings, clock: Clock) -> Iterator[Services]:
    built = make_services(settings, clock)
    open_review(built)
    yield built
    built.store.engine.dispose()


def latest(services: Services) -> dict[str, object]:
    """The return as the agency reads it: its state, what set it, its revision."""
    found = services.returns.latest(agency("testing"), REF, *FORM)
    event = found.state_event
    return {"state": found.state, "revision": found.revision.number,
            "state_event": json.loads(jsonio.dumps(event.as_dict())) if event else None}


def test_the_state_walk(services: Services, clock: Clock) -> None:
    states = services.states
    submit(services, "testing", doc(entry("e1", "2024-03-01")))
    assert latest(services)["state"] == "submitted"

    queried = states.change(PANEL, REF, *FORM, "queried", "Where is the May visit?")
    assert queried["state"] == "queried" and queried["allowed"] == ["accepted"]
    seen = latest(services)  # the agency reads the panel's comment on its return
    assert seen["state"] == "queried"
    assert seen["state_event"] == {  # type: ignore[comparison-overlap]
        "revision": 1, "action": "queried", "from": "submitted", "to": "queried",
        "comment": "Where is the May visit?", "by": "tok_panel", "at": clock.now.isoformat()}

    submit(services, "testing", doc(entry("e1", "2024-03-01"), entry("e2", "2024-05-02")))
    assert latest(services)["state"] == "submitted"
    assert latest(services)["revision"] == 2

    states.change(PANEL, REF, *FORM, "accepted", None)
    with pytest.raises(ConflictError, match="accepted by the panel"):
        submit(services, "testing", doc(entry("e1", "2024-03-02")))
    assert latest(services)["revision"] == 2

    reopened = states.change(PANEL, REF, *FORM, "submitted", "The dates need checking.")
    assert reopened["event"]["action"] == "reopened"
    submit(services, "testing", doc(entry("e1", "2024-03-02")))
    assert latest(services)["revision"] == 3

    history = states.history(agency("testing"), REF, *FORM)
    assert [(e["action"], e["from"], e["to"], e["revision"]) for e in history["events"]] == [
        ("submitted", None, "submitted", 1), ("queried", "submitted", "queried", 1),
        ("resubmitted", "queried", "submitted", 2), ("accepted", "submitted", "accepted", 2),
        ("reopened", "accepted", "submitted", 2), ("amended", "submitted", "submitted", 3)]
    assert [e["by"] for e in history["events"]] == [
        "tok_testing", "tok_panel", "tok_testing", "tok_panel", "tok_panel", "tok_testing"]
    assert history["events"][4]["comment"] == "The dates need checking."


@pytest.mark.parametrize(("walk", "target", "allowed"), [
    ([], "submitted", ["queried", "accepted"]),
    ([("queried", "why?")], "queried", ["accepted"]),
    ([("queried", "why?")], "submitted", ["accepted"]),
    ([("accepted", None)], "queried", ["submitted"]),
    ([("accepted", None)], "accepted", ["submitted"]),
])
def test_illegal_transitions_name_the_allowed_ones(
        services: Services, walk: list[tuple[str, str | None]], target: str,
        allowed: list[str]) -> None:
    submit(services, "testing", doc(entry("e1", "2024-03-01")))
    for state, comment in walk:
        services.states.change(PANEL, REF, *FORM, state, comment)
    with pytest.raises(ConflictError) as refused:
        services.states.change(PANEL, REF, *FORM, target, "because")
    assert refused.value.extra["allowed"] == allowed
    for name in allowed:
        assert name in refused.value.detail


@pytest.mark.parametrize(("walk", "target"), [([], "queried"), ([("accepted", None)],
                                                                 "submitted")])
def test_a_query_and_a_reopening_need_a_comment(
        services: Services, walk: list[tuple[str, str | None]], target: str) -> None:
    submit(services, "testing", doc(entry("e1", "2024-03-01")))
    for state, comment in walk:
        services.states.change(PANEL, REF, *FORM, state, comment)
    for blank in (None, "   "):
        with pytest.raises(EnvelopeInvalidError):
            services.states.change(PANEL, REF, *FORM, target, blank)


def test_only_the_panel_of_the_review_moves_a_return(services: Services) -> None:
    submit(services, "testing", doc(entry("e1", "2024-03-01")))
    for who in (ADMIN, agency("testing")):
        with pytest.raises(ForbiddenError):
            services.states.change(who, REF, *FORM, "accepted", None)
    stranger = PANEL.__class__("tok_p2", "panel", reviews=frozenset({"OTHER-1"}))
    with pytest.raises(NotFoundError):
        services.states.change(stranger, REF, *FORM, "accepted", None)
    with pytest.raises(NotFoundError):
        services.states.change(PANEL, REF, "alpha", "chronology", "accepted", None)
    with pytest.raises(NotFoundError):
        services.states.history(agency("alpha"), REF, *FORM)


def test_a_stale_if_match_refuses_the_change(services: Services) -> None:
    first = submit(services, "testing", doc(entry("e1", "2024-03-01")))
    submit(services, "testing", doc(entry("e1", "2024-03-02")))
    with pytest.raises(PreconditionFailedError):
        services.states.change(PANEL, REF, *FORM, "accepted", None,
                               if_match=etag(first.revision.number, first.revision.sha256))
    rev = services.returns.latest(PANEL, REF, *FORM).revision
    current = etag(rev.number, rev.sha256)
    assert services.states.change(PANEL, REF, *FORM, "accepted", None,
                                  if_match=current)["state"] == "accepted"


@pytest.mark.parametrize("table", ["return_events", "chronology_entries"])
def test_the_trail_and_the_entries_are_append_only(services: Services, table: str) -> None:
    submit(services, "testing", doc(entry("e1", "2024-03-01")))
    for statement in (f"UPDATE {table} SET revision = 9", f"DELETE FROM {table}"):
        with pytest.raises(sa.exc.DatabaseError, match="immutable"), \
                services.store.engine.begin() as conn:
            conn.exec_driver_sql(statement)
    with services.store.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one() == 1
