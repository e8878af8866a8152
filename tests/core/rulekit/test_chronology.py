"""The common chronology rules: one crafted document per code, and a clean one."""

from __future__ import annotations

from typing import Any

import pytest

from scr_returns import COMMON_CODES, ChronologyMapping, chronology_rules
from tests.support.example_review import REVIEWS, context
from tests.support.rulekit import clean_chronology, codes, entry, run, with_entries

RULES = chronology_rules()


def test_clean_chronology_has_no_problems() -> None:
    assert run(RULES, clean_chronology()) == set()


def test_every_code_is_documented() -> None:
    documented = {c for c in COMMON_CODES if c.startswith(("chronology.", "review."))}
    assert documented == {
        "chronology.date.future", "chronology.date.outside_scope",
        "chronology.background.reason_missing", "chronology.time.inexact_date",
        "chronology.order.unsorted", "chronology.entry_id.duplicate",
        "chronology.subject.unknown", "chronology.gap.unexplained",
        "chronology.gap_explained.future", "review.agency.not_asked"}


def test_future_date() -> None:
    doc = clean_chronology()
    doc["entries"].append(entry(99, "2026-11-27", background=True, background_reason="Later."))
    assert run(RULES, doc) == {("/entries/9/date", "chronology.date.future", "error")}


def test_today_is_not_the_future() -> None:
    doc = clean_chronology()
    doc["entries"].append(entry(99, "2026-11-26", background=True, background_reason="Later."))
    assert run(RULES, doc) == set()


def test_explained_gap_after_submission() -> None:
    # Submitted on 2026-11-26: a period may end that day, not later.
    doc = clean_chronology()
    doc["gaps_explained"] = [{"from": "2024-10-01", "to": "2024-11-30", "reason": "Away."},
                             {"from": "2026-01-01", "to": "2026-11-26", "reason": "Moved."}]
    assert run(RULES, doc) == set()
    doc["gaps_explained"][1]["to"] = "2026-11-27"
    doc["gaps_explained"].append({"from": "2062-01-01", "to": "2062-02-01", "reason": "?"})
    assert run(RULES, doc) == {
        ("/gaps_explained/1/to", "chronology.gap_explained.future", "error"),
        ("/gaps_explained/2/from", "chronology.gap_explained.future", "error"),
        ("/gaps_explained/2/to", "chronology.gap_explained.future", "error")}


def test_explained_gap_dates_are_judged_without_a_review() -> None:
    doc = clean_chronology()
    doc["gaps_explained"] = [{"from": "2025-01-01", "to": "2052-01-31", "reason": "Away."}]
    found = run(RULES, doc, context("health", "chronology", review=None))
    assert found == {("/gaps_explained/0/to", "chronology.gap_explained.future", "error")}


def test_outside_scope_unless_background() -> None:
    doc = clean_chronology()
    doc["entries"].insert(0, entry(99, "2023-12-31"))
    assert run(RULES, doc) == {("/entries/0/date", "chronology.date.outside_scope", "error")}
    doc["entries"][0].update(background=True, background_reason="Earlier concerns.")
    assert run(RULES, doc) == set()


def test_month_precision_date_overlapping_the_scope_is_inside() -> None:
    doc = clean_chronology()
    doc["entries"].append(entry(99, "2025-12-01", date_precision="month"))
    assert run(RULES, doc) == set()
    doc["entries"].insert(0, entry(98, "2023-01-01", date_precision="year"))
    assert codes(run(RULES, doc)) == {"chronology.date.outside_scope"}


def test_background_needs_a_reason() -> None:
    doc = clean_chronology()
    doc["entries"].insert(0, entry(99, "2023-06-01", background=True, background_reason=" "))
    assert run(RULES, doc) == {
        ("/entries/0/background_reason", "chronology.background.reason_missing", "error")}


def test_time_needs_an_exact_date() -> None:
    doc = clean_chronology()
    doc["entries"][2].update(date="2024-07-01", date_precision="month", time="10:00")
    assert run(RULES, doc) == {("/entries/2/time", "chronology.time.inexact_date", "error")}
    doc["entries"][2]["date_precision"] = "exact"
    assert run(RULES, doc) == set()


def test_duplicate_id_reported_at_the_later_entry() -> None:
    doc = clean_chronology()
    doc["entries"][5]["id"] = "e-1"
    assert run(RULES, doc) == {("/entries/5/id", "chronology.entry_id.duplicate", "error")}


def test_unknown_subject_reported_at_the_key() -> None:
    doc = clean_chronology()
    doc["entries"][3]["subjects"] = ["child-a", "uncle"]
    assert run(RULES, doc) == {("/entries/3/subjects/1", "chronology.subject.unknown", "error")}


def test_agency_not_asked() -> None:
    ctx = context("health", "chronology", review=REVIEWS["no-agencies"])
    assert run(RULES, clean_chronology(), ctx) == {("", "review.agency.not_asked", "error")}


def test_without_a_review_only_review_free_rules_run() -> None:
    doc = with_entries(entry(1, "2020-01-01", subjects=["nobody"]), entry(1, "2030-01-01"))
    found = run(RULES, doc, context("health", "chronology", review=None))
    assert codes(found) == {"chronology.date.future", "chronology.entry_id.duplicate"}


def test_mapping_renames_columns_and_moves_entries() -> None:
    mapping = ChronologyMapping(entries="/log/items", id_field="ref",
                                columns={"date": "when", "subjects": "people"})
    item = {"ref": "x", "when": "2027-01-01", "people": ["ghost"], "background": True,
            "background_reason": "Later."}
    doc = {"log": {"items": [item, {**item, "when": "2027-01-02"}]}}
    found = run(chronology_rules(mapping), doc)
    assert {("/log/items/0/when", "chronology.date.future", "error"),
            ("/log/items/1/ref", "chronology.entry_id.duplicate", "error"),
            ("/log/items/0/people/0", "chronology.subject.unknown", "error")} <= found


def test_gap_months_must_be_positive() -> None:
    with pytest.raises(ValueError, match="gap_months"):
        chronology_rules(gap_months=0)


@pytest.mark.parametrize("document", [
    None, 5, "text", [], {}, {"entries": None}, {"entries": "x"}, {"entries": [1, "a", None]},
    {"entries": [{"date": 20240101, "time": 10, "sequence": "1", "subjects": "child-a",
                  "id": 7, "background": "yes", "date_precision": 3}]},
    {"entries": [{"date": "2024-02-30"}, {"date": "24-01-01"}]},
    {"entries": [], "gaps_explained": "x"},
    {"entries": [], "gaps_explained": [None, {"from": 1, "to": "2024-01-01", "reason": 3}]},
    {"entries": [], "gaps_explained": {"from": "2062-01-01"}},
    {"entries": [], "gaps_explained": [[], "2062-01-01", {"from": ["2062-01-01"],
                                                          "to": "2062-02-30"}]},
])
def test_rules_tolerate_schema_invalid_documents(document: Any) -> None:
    # They may report things (a gap, say), but they must not raise.
    run(RULES, document)
