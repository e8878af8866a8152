"""The tracker: due dates, submission, state, counts, overdue, completeness."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from scr_returns.core.envelopes import ReviewPatchSchema, load
from scr_returns.core.errors import ForbiddenError, NotFoundError
from scr_returns.core.service import Services
from scr_returns.core.settings import Settings
from tests.support.clock import Clock
from tests.support.panel import (
    ADMIN,
    PANEL,
    REF,
    REVIEW_JSON,
    agency,
    doc,
    entry,
    gamma_record,
    make_services,
    open_review,
    submit,
)


@pytest.fixture
def services(settings: Settings, clock: Clock) -> Iterator[Services]:
    built = make_services(settings, clock)
    open_review(built)
    yield built
    built.store.engine.dispose()


def forms(tracker: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(a["agency"], f["form"]): f for a in tracker["agencies"] for f in a["forms"]}


def test_tracker_follows_every_form_owed(services: Services, clock: Clock) -> None:
    before = forms(services.tracker.tracker(PANEL, REF))
    assert len(before) == 5 and not any(f["submitted"] for f in before.values())
    # Today is 2026-11-26: testing/chronology (due 1 Nov) and alpha (20 Nov) are late.
    assert {k for k, f in before.items() if f["overdue"]} == {("testing", "chronology"),
                                                              ("alpha", "chronology")}
    assert before[("alpha", "chronology")]["days_overdue"] == 6
    assert before[("beta", "chronology")]["due"] is None

    submit(services, "testing", doc(entry("e1", "2024-03-01", description="A gap here.")))
    clock.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    submit(services, "gamma", {"records": [gamma_record("g1", "2024-01-05")]})
    clock.now = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    submit(services, "gamma", {"records": [gamma_record("g1", "2024-01-06")]})
    services.states.change(PANEL, REF, "gamma", "chronology", "accepted", None)

    tracker = services.tracker.tracker(PANEL, REF)
    assert tracker["today"] == date(2026, 11, 27)
    now = forms(tracker)
    testing = now[("testing", "chronology")]
    assert (testing["submitted"], testing["overdue"], testing["submitted_late"]) == \
        (True, False, True)
    assert (testing["revision"], testing["state"]) == (1, "submitted")
    assert (testing["error_count"], testing["warning_count"]) == (0, 1)
    assert testing["warning_codes"] == {"testing.gap.noted": 1}
    gamma = now[("gamma", "chronology")]
    assert (gamma["revision"], gamma["state"], gamma["submitted_late"]) == (2, "accepted", False)
    assert (gamma["first_submitted_at"].hour, gamma["last_submitted_at"].hour) == (9, 11)
    assert now[("alpha", "chronology")]["days_overdue"] == 7
    assert now[("testing", "report")]["overdue"] is False  # due 31 Dec
    by_agency = {a["agency"]: a for a in tracker["agencies"]}
    assert by_agency["gamma"]["complete"] is True
    assert by_agency["testing"]["submitted"] == 1 and by_agency["testing"]["forms_owed"] == 2
    assert tracker["completeness"] == {
        "forms_owed": 5, "submitted": 2, "accepted": 1, "queried": 0, "outstanding": 3,
        "overdue": 1, "with_warnings": 1, "submitted_percent": 40.0, "accepted_percent": 20.0,
        "complete": False}


def test_recheck_finds_errors_the_review_now_causes(services: Services) -> None:
    submit(services, "testing", doc(entry("e1", "2024-03-01", subjects=["mother"])))
    subjects = [s for s in REVIEW_JSON["subjects"] if s["key"] != "mother"]
    services.reviews.update(REF, load(ReviewPatchSchema(partial=True), {"subjects": subjects}))
    stored = forms(services.tracker.tracker(PANEL, REF))[("testing", "chronology")]
    assert stored["error_count"] == 0
    rechecked = services.tracker.tracker(PANEL, REF, recheck=True)
    assert rechecked["counts_from"] == "recheck"
    assert forms(rechecked)[("testing", "chronology")]["error_count"] == 1


def test_the_tracker_is_the_panels_and_the_admins(services: Services) -> None:
    assert services.tracker.tracker(ADMIN, REF)["review"] == REF
    with pytest.raises(ForbiddenError):
        services.tracker.tracker(agency("testing"), REF)
    stranger = PANEL.__class__("tok_p2", "panel", reviews=frozenset({"OTHER-1"}))
    with pytest.raises(NotFoundError):
        services.tracker.tracker(stranger, REF)
