"""Diffs between revisions: RFC 6902 patches, and chronology entries by id."""

from __future__ import annotations

import json
from collections.abc import Iterator

import jsonpatch
import pytest

from scr_returns.core.errors import NotFoundError
from scr_returns.core.service import Services
from scr_returns.core.settings import Settings
from tests.support.clock import Clock
from tests.support.panel import (
    PANEL,
    REF,
    agency,
    doc,
    entry,
    gamma_record,
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


def revision(services: Services, name: str, number: int) -> dict[str, object]:
    (found,) = services.returns.revision(PANEL, REF, name, "chronology", number).revisions
    return dict(json.loads(found.document))


def test_diff_1_to_3_names_entries_added_removed_and_changed(services: Services) -> None:
    submit(services, "testing", doc(entry("e1", "2024-03-01"), entry("e2", "2024-04-01"),
                                    entry("e3", "2024-05-01")))
    submit(services, "testing", doc(entry("e1", "2024-03-01"),
                                    entry("e2", "2024-04-01", outcome="Seen again."),
                                    entry("e3", "2024-05-01")))
    submit(services, "testing", doc(entry("e1", "2024-03-01", description="Home visit."),
                                    entry("e2", "2024-04-01", outcome="Seen again."),
                                    entry("e4", "2024-06-01")))
    diff = services.history.diff(PANEL, REF, *FORM, 1, 3)
    assert (diff["from"]["revision"], diff["to"]["revision"]) == (1, 3)
    changes = diff["chronology"]
    assert [a["entry_id"] for a in changes["added"]] == ["testing:e4"]
    assert [r["id"] for r in changes["removed"]] == ["e3"]
    assert [(c["id"], c["fields"]) for c in changes["changed"]] == [
        ("e1", ["description"]), ("e2", ["outcome"])]
    # The patch is a real RFC 6902 patch: applied to revision 1 it gives revision 3.
    assert jsonpatch.apply_patch(revision(services, "testing", 1), diff["patch"]) == \
        revision(services, "testing", 3)
    backwards = services.history.diff(PANEL, REF, *FORM, 3, 1)["chronology"]
    assert [r["id"] for r in backwards["removed"]] == ["e4"]
    assert [a["id"] for a in backwards["added"]] == ["e3"]


def test_defaults_are_the_latest_and_the_one_before(services: Services) -> None:
    submit(services, "testing", doc(entry("e1", "2024-03-01")))
    only = services.history.diff(PANEL, REF, *FORM)
    assert (only["from"]["revision"], only["to"]["revision"]) == (1, 1)
    assert only["patch"] == [] and only["chronology"] == {"added": [], "removed": [],
                                                          "changed": []}
    submit(services, "testing", doc(entry("e1", "2024-03-01"), entry("e2", "2024-03-02")))
    diff = services.history.diff(PANEL, REF, *FORM)
    assert (diff["from"]["revision"], diff["to"]["revision"]) == (1, 2)
    assert [a["id"] for a in diff["chronology"]["added"]] == ["e2"]


def test_entries_are_matched_by_the_mapped_id(services: Services) -> None:
    submit(services, "gamma", {"records": [gamma_record("g1", "2024-01-05"),
                                           gamma_record("g2", "2024-02-05")]})
    submit(services, "gamma", {"records": [gamma_record("g2", "2024-02-06"),
                                           gamma_record("g1", "2024-01-05")]})
    changes = services.history.diff(PANEL, REF, "gamma", "chronology", 1, 2)["chronology"]
    assert changes["added"] == changes["removed"] == []  # reordering adds nothing
    assert [(c["id"], c["fields"]) for c in changes["changed"]] == [("g2", ["when"])]


def test_a_form_without_chronology_has_a_patch_only(services: Services) -> None:
    submit(services, "testing", {"summary": "One."}, form="report")
    submit(services, "testing", {"summary": "Two."}, form="report")
    diff = services.history.diff(PANEL, REF, "testing", "report", 1, 2)
    assert diff["chronology"] is None
    assert diff["patch"] == [{"op": "replace", "path": "/summary", "value": "Two."}]


def test_missing_revisions_and_other_agencies_are_404(services: Services) -> None:
    submit(services, "testing", doc(entry("e1", "2024-03-01")))
    with pytest.raises(NotFoundError, match="no revision 2"):
        services.history.diff(PANEL, REF, *FORM, 1, 2)
    with pytest.raises(NotFoundError):
        services.history.diff(agency("alpha"), REF, *FORM, 1, 1)
    assert services.history.diff(agency("testing"), REF, *FORM, 1, 1)["patch"] == []
