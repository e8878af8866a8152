"""Focused tests of the legal rules, one behaviour each."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

import scr_returns.plugins.legal
from scr_returns import Problem
from scr_returns.plugins.legal import rules
from tests.support.agencies import LEGAL
from tests.support.agency_kit import Validate
from tests.support.example_review import REVIEW, context

AGENCY = LEGAL.agency
VALID = Path(scr_returns.plugins.legal.__file__).parent / "examples" / "valid"


def entry(event_type: str, date: str = "2025-03-03", **fields: Any) -> dict[str, Any]:
    return {"id": f"e-{event_type}-{date}", "date": date, "event_type": event_type, **fields}


def problems(rule: Any, *entries: dict[str, Any], **header: Any) -> list[Problem]:
    return list(rule({**header, "entries": list(entries)}, context(AGENCY, "chronology")))


def found(rule: Any, *entries: dict[str, Any], **header: Any) -> list[tuple[str, str, str]]:
    return [(p.pointer, p.code, p.severity) for p in problems(rule, *entries, **header)]


def load(name: str) -> Any:
    return json.loads((VALID / name).read_text(encoding="utf-8"))


def epo(days: int, *, extension: bool = False, **fields: Any) -> dict[str, Any]:
    ends = f"2025-03-{3 + days:02d}"
    return entry("court_order", order_type="emergency_protection_order", expires_on=ends,
                 extension=extension, **fields)


# -- order type -------------------------------------------------------------------------
def test_applications_and_orders_need_the_order_type() -> None:
    found_ = problems(rules.order_type, entry("court_application"), entry("court_order"))
    assert [(p.pointer, p.code) for p in found_] == [
        ("/entries/0/order_type", "legal.order_type.missing"),
        ("/entries/1/order_type", "legal.order_type.missing")]
    assert "applied for" in found_[0].message and "made" in found_[1].message


@pytest.mark.parametrize("event", ["court_application", "court_hearing", "court_order",
                                   "proceedings_withdrawn", "proceedings_concluded"])
def test_an_order_type_fits_court_events(event: str) -> None:
    assert found(rules.order_type, entry(event, order_type="care_order")) == []


@pytest.mark.parametrize("event", ["legal_planning_meeting", "legal_advice",
                                   "pre_proceedings_letter", "other"])
def test_an_order_type_does_not_fit_other_events(event: str) -> None:
    assert found(rules.order_type, entry(event, order_type="care_order")) == [
        ("/entries/0/order_type", "legal.order_type.not_applicable", "error")]


# -- Public Law Outline stage -----------------------------------------------------------
def test_a_hearing_needs_its_stage() -> None:
    assert found(rules.plo_stage, entry("court_hearing")) == [
        ("/entries/0/plo_stage", "legal.plo_stage.missing", "error")]
    assert found(rules.plo_stage, entry("court_hearing", plo_stage="final_hearing")) == []
    # Other events may leave the stage out.
    assert found(rules.plo_stage, entry("court_order"), entry("legal_advice")) == []


@pytest.mark.parametrize(("event", "stage", "fits"), [
    ("court_application", "pre_proceedings", False),
    ("court_order", "pre_proceedings", False),
    ("court_hearing", "issues_resolution_hearing", True),
    ("pre_proceedings_letter", "pre_proceedings", True),
    ("pre_proceedings_meeting", "case_management_hearing", False),
    ("legal_planning_meeting", "pre_proceedings", True),
    ("legal_advice", "final_hearing", True),
])
def test_the_stage_must_fit_the_event(event: str, stage: str, fits: bool) -> None:
    expected = [] if fits else [("/entries/0/plo_stage", "legal.plo_stage.mismatch", "error")]
    assert found(rules.plo_stage, entry(event, plo_stage=stage)) == expected


# -- legal planning meetings ------------------------------------------------------------
def test_a_legal_planning_meeting_records_its_decision() -> None:
    assert found(rules.meeting_decision, entry("legal_planning_meeting")) == [
        ("/entries/0/meeting_decision", "legal.meeting_decision.missing", "error")]
    assert found(rules.meeting_decision, entry(
        "legal_planning_meeting", meeting_decision="threshold_not_met")) == []


# -- order duration ---------------------------------------------------------------------
# Made Monday 3 March 2025: the 8th day (Tuesday 11th) is a working day. An
# extension with no original order in the return is measured from the latest
# that order could have ended (the 11th): 7 days more is Tuesday the 18th.
@pytest.mark.parametrize(("days", "extension", "allowed"), [
    (8, False, True), (9, False, False), (15, True, True), (16, True, False),
    (0, False, True)])
def test_an_emergency_protection_order_lasts_no_longer_than_the_act_allows(
        days: int, extension: bool, allowed: bool) -> None:
    expected = [] if allowed else [
        ("/entries/0/expires_on", "legal.emergency_protection.too_long", "error")]
    assert found(rules.order_duration, epo(days, extension=extension)) == expected


def test_an_extension_runs_from_when_the_order_it_extends_would_end() -> None:
    original = entry("court_order", "2025-03-03", order_type="emergency_protection_order",
                     expires_on="2025-03-06")
    lawful = entry("court_order", "2025-03-06", order_type="emergency_protection_order",
                   expires_on="2025-03-13", extension=True)
    assert found(rules.order_duration, original, lawful) == []
    late = {**lawful, "expires_on": "2025-03-14"}
    assert found(rules.order_duration, original, late) == [
        ("/entries/1/expires_on", "legal.emergency_protection.too_long", "error")]


def test_an_order_whose_eighth_day_is_a_holiday_runs_on() -> None:
    # Made Sunday 19 May 2024: the 8th day is the late May bank holiday (Monday
    # 27th), so the order may run to the next working day, Tuesday 28th (s 45(2)).
    assert found(rules.order_duration, entry(
        "court_order", "2024-05-19", order_type="emergency_protection_order",
        expires_on="2024-05-28")) == []


def test_other_orders_have_no_length_limit() -> None:
    assert found(rules.order_duration, entry("court_order", order_type="interim_care_order",
                                             expires_on="2025-09-30")) == []


def test_an_inexact_order_date_is_not_measured() -> None:
    assert found(rules.order_duration, epo(20, date_precision="approximate")) == []


def test_an_order_cannot_end_before_it_is_made() -> None:
    assert found(rules.order_duration, entry("court_order", order_type="care_order",
                                             expires_on="2025-03-02")) == [
        ("/entries/0/expires_on", "legal.order.expiry_before_made", "error")]


# -- order and application --------------------------------------------------------------
@pytest.mark.parametrize(("applied", "made"), [
    ("care_order", "interim_care_order"),
    ("care_order", "care_order"),
    ("care_order", "supervision_order"),
    ("supervision_order", "interim_supervision_order"),
    ("supervision_order", "care_order"),
    ("supervision_order", "interim_care_order"),
    ("emergency_protection_order", "emergency_protection_order"),
])
def test_an_order_made_on_a_fitting_application_is_fine(applied: str, made: str) -> None:
    assert found(rules.order_has_application,
                 entry("court_application", "2025-01-10", order_type=applied),
                 entry("court_order", "2025-02-10", order_type=made)) == []


@pytest.mark.parametrize(("applied", "made"), [
    ("care_order", "emergency_protection_order"),
    ("emergency_protection_order", "care_order"),
])
def test_an_order_without_a_fitting_application_is_a_warning(applied: str, made: str) -> None:
    assert found(rules.order_has_application,
                 entry("court_application", "2025-01-10", order_type=applied),
                 entry("court_order", "2025-02-10", order_type=made)) == [
        ("/entries/1", "legal.order.no_application", "warning")]


def test_an_application_after_the_order_does_not_count() -> None:
    assert found(rules.order_has_application,
                 entry("court_order", "2025-02-10", order_type="care_order"),
                 entry("court_application", "2025-03-10", order_type="care_order")) == [
        ("/entries/0", "legal.order.no_application", "warning")]


# -- local authority --------------------------------------------------------------------
def test_the_local_authority_is_optional_but_checked_when_given() -> None:
    assert found(rules.local_authority_format, entry("legal_advice")) == []
    assert found(rules.local_authority_format, entry("legal_advice"),
                 local_authority="E10000014") == []
    assert found(rules.local_authority_format, entry("legal_advice"),
                 local_authority="E11000001") == [
        ("/local_authority", "legal.local_authority.format", "error")]


# -- robustness -------------------------------------------------------------------------
@pytest.mark.parametrize("document", [
    {}, {"entries": {}}, {"entries": [None, [], "x"]},
    {"local_authority": [], "entries": [{"event_type": "court_order", "date": 20250303,
                                         "order_type": 4, "expires_on": "tomorrow"}]},
])
def test_rules_skip_what_the_schema_reports(document: Any) -> None:
    for rule in rules.CHRONOLOGY_RULES:
        assert list(rule(document, context(AGENCY, "chronology"))) == []


def test_every_rule_code_is_documented() -> None:
    spec = scr_returns.plugins.legal.scr_returns_register_agency()
    assert set(rules.CODES) <= set(spec.codes)
    assert all(code.startswith("legal.") for code in rules.CODES)


# -- through the whole validation -------------------------------------------------------
@pytest.mark.parametrize("form", ["chronology", "agency-report", "nil-return",
                                  "records-secured"])
def test_every_form_refuses_a_review_that_did_not_ask_legal(form: str,
                                                            validate: Validate) -> None:
    agencies = {a: f for a, f in REVIEW.agencies.items() if a != AGENCY}
    review = dataclasses.replace(REVIEW, agencies=agencies)
    found_ = validate(form, load(f"{form}.v1.json"), review=review)
    assert [(p.pointer, p.code) for p in found_] == [("", "review.agency.not_asked")]


@pytest.mark.parametrize("name", sorted(p.name for p in VALID.glob("*.json")))
def test_a_valid_example_is_clean_without_a_review(name: str, validate: Validate) -> None:
    form, version = name.split(".")[:2]
    assert validate(form, load(name), int(version[1:]), review=None) == []


def test_the_local_authority_may_be_left_out(validate: Validate) -> None:
    document = load("chronology.v1.json")
    del document["local_authority"]
    assert validate("chronology", document) == []


# -- version 2: private law, hearings outside the PLO stages, PLO review meetings -----

def _at(document: dict[str, Any], entry_id: str) -> tuple[int, dict[str, Any]]:
    return next((i, e) for i, e in enumerate(document["entries"]) if e["id"] == entry_id)


def test_a_private_law_hearing_has_no_plo_stage_but_a_hearing_type(
        validate: Validate) -> None:
    document = load("chronology.v2.json")
    index, entry = _at(document, "lg-0016")  # a child arrangements hearing
    del entry["hearing_type"]
    assert {(p.pointer, p.code) for p in validate("chronology", document, 2)} == {
        (f"/entries/{index}/hearing_type", "legal.hearing_type.missing")}
    entry["hearing_type"] = "not_known"
    entry["plo_stage"] = "final_hearing"
    assert {(p.pointer, p.code) for p in validate("chronology", document, 2)} == {
        (f"/entries/{index}/plo_stage", "legal.plo_stage.private_law")}


def test_a_public_law_hearing_outside_the_stages_says_what_it_was(validate: Validate) -> None:
    document = load("chronology.v2.json")
    index, entry = _at(document, "lg-0019")
    del entry["hearing_type"]
    assert {(p.pointer, p.code) for p in validate("chronology", document, 2)} == {
        (f"/entries/{index}/hearing_type", "legal.hearing_type.missing")}


def test_a_not_known_stage_is_never_a_mismatch(validate: Validate) -> None:
    document = load("chronology.v2.json")
    for entry in document["entries"]:
        if "plo_stage" in entry:
            entry["plo_stage"] = "not_known"
    assert validate("chronology", document, 2) == []


def test_a_plo_review_meeting_is_pre_proceedings(validate: Validate) -> None:
    document = load("chronology.v2.json")
    index, entry = _at(document, "lg-0018")
    entry["plo_stage"] = "issues_resolution_hearing"
    assert {(p.pointer, p.code) for p in validate("chronology", document, 2)} == {
        (f"/entries/{index}/plo_stage", "legal.plo_stage.mismatch")}
