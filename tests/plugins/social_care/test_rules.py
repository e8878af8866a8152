"""Focused tests of the social-care rules, one behaviour each."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

import scr_returns.plugins.social_care
from scr_returns import Problem
from scr_returns.plugins.social_care import rules
from tests.support.agencies import SOCIAL_CARE
from tests.support.agency_kit import Validate
from tests.support.example_review import REVIEW, context

AGENCY = SOCIAL_CARE.agency
VALID = Path(scr_returns.plugins.social_care.__file__).parent / "examples" / "valid"


def entry(event_type: str, date: str = "2024-05-10", **fields: Any) -> dict[str, Any]:
    return {"id": f"e-{event_type}-{date}", "date": date, "event_type": event_type, **fields}


def found(rule: Any, *entries: dict[str, Any], **header: Any) -> list[tuple[str, str, str]]:
    document = {**header, "entries": list(entries)}
    problems: list[Problem] = list(rule(document, context(AGENCY, "chronology")))
    return [(p.pointer, p.code, p.severity) for p in problems]


def load(name: str) -> Any:
    return json.loads((VALID / name).read_text(encoding="utf-8"))


# -- local authority --------------------------------------------------------------------
@pytest.mark.parametrize("code", ["921", "E06000046", "E09000022", "W06000015"])
def test_local_authority_accepts_dfe_numbers_and_gss_codes(code: str) -> None:
    assert found(rules.local_authority_format, entry("contact", local_authority=code),
                 local_authority=code) == []


@pytest.mark.parametrize("code", ["92", "9210", "E05000046", "E0600004", "e06000046",
                                  " 921", "Isle of Wight", ""])
def test_local_authority_refuses_other_codes(code: str) -> None:
    assert found(rules.local_authority_format, entry("contact", local_authority=code),
                 local_authority=code) == [
        ("/local_authority", "social-care.local_authority.format", "error"),
        ("/entries/0/local_authority", "social-care.local_authority.format", "error"),
    ]


def test_local_authority_of_the_wrong_type_is_left_to_the_schema() -> None:
    assert found(rules.local_authority_format, entry("contact", local_authority=921),
                 local_authority=None) == []


# -- plan category ----------------------------------------------------------------------
def test_a_plan_needs_its_category() -> None:
    assert found(rules.plan_category, entry("child_protection_plan")) == [
        ("/entries/0/plan_category", "social-care.plan_category.missing", "error")]
    assert found(rules.plan_category,
                 entry("child_protection_plan", plan_category="sexual_abuse")) == []


@pytest.mark.parametrize(("decision", "needs"), [
    ("child_protection_plan", True), ("plan_continues", True),
    ("plan_ends", False), ("no_plan", False)])
def test_a_conference_needs_a_category_only_when_it_makes_or_continues_a_plan(
        decision: str, needs: bool) -> None:
    problems = found(rules.plan_category, entry("child_protection_conference",
                                                conference_decision=decision))
    assert problems == ([("/entries/0/plan_category", "social-care.plan_category.missing",
                          "error")] if needs else [])


def test_a_category_on_an_unrelated_entry_is_refused() -> None:
    assert found(rules.plan_category, entry("home_visit", plan_category="neglect")) == [
        ("/entries/0/plan_category", "social-care.plan_category.not_applicable", "error")]
    assert found(rules.plan_category,
                 entry("child_protection_plan_ended", plan_category="neglect")) == []


# -- required details -------------------------------------------------------------------
@pytest.mark.parametrize(("event", "field", "code"), [
    ("child_protection_conference", "conference_type", "social-care.conference_type.missing"),
    ("child_looked_after", "legal_status", "social-care.legal_status.missing"),
    ("case_closure", "closure_reason", "social-care.closure_reason.missing"),
])
def test_events_need_their_key_detail(event: str, field: str, code: str) -> None:
    assert found(rules.required_details, entry(event)) == [
        (f"/entries/0/{field}", code, "error")]
    assert found(rules.required_details, entry(event, **{field: "other"})) == []


def test_other_events_need_no_detail() -> None:
    assert found(rules.required_details, entry("home_visit"), entry("contact")) == []


# -- strategy discussions and section 47 -------------------------------------------------
def test_a_strategy_discussion_without_police_is_a_warning_naming_police() -> None:
    problems = list(rules.strategy_discussion_agencies(
        {"entries": [entry("strategy_discussion", attended_by=["social_care", "health"])]},
        context(AGENCY, "chronology")))
    assert [(p.code, p.severity) for p in problems] == [
        ("social-care.strategy_discussion.agency_missing", "warning")]
    assert "police" in problems[0].message


def test_a_strategy_discussion_with_the_three_agencies_is_fine() -> None:
    assert found(rules.strategy_discussion_agencies, entry(
        "strategy_discussion", attended_by=["health", "police", "social_care", "other"])) == []
    # Attendance not given: nothing to judge.
    assert found(rules.strategy_discussion_agencies, entry("strategy_discussion")) == []


def test_a_section_47_enquiry_needs_a_strategy_discussion_on_or_before_it() -> None:
    s47 = entry("section_47_enquiry", "2024-05-10")
    assert found(rules.section_47_sequence, entry("strategy_discussion", "2024-05-10"),
                 s47) == []
    assert found(rules.section_47_sequence, s47,
                 entry("strategy_discussion", "2024-05-11")) == [
        ("/entries/0", "social-care.section_47.no_strategy_discussion", "warning")]


def test_a_month_precision_strategy_discussion_may_precede_the_enquiry() -> None:
    strategy = entry("strategy_discussion", "2024-05-01", date_precision="month")
    assert found(rules.section_47_sequence, strategy,
                 entry("section_47_enquiry", "2024-05-03")) == []


def test_only_an_initial_conference_needs_a_section_47_enquiry() -> None:
    initial = entry("child_protection_conference", "2024-06-03", conference_type="initial")
    review = entry("child_protection_conference", "2024-09-03", conference_type="review")
    assert found(rules.section_47_sequence, initial, review) == [
        ("/entries/0", "social-care.conference.no_section_47", "warning")]
    assert found(rules.section_47_sequence, entry("section_47_enquiry", "2024-05-20"),
                 entry("strategy_discussion", "2024-05-20"), initial) == []


# -- robustness -------------------------------------------------------------------------
@pytest.mark.parametrize("document", [
    {}, {"entries": "none"}, {"entries": [None, 3, "x"]},
    {"local_authority": 5, "entries": [{"event_type": 7, "date": "soon",
                                        "plan_category": [], "attended_by": "police"}]},
])
def test_rules_skip_what_the_schema_reports(document: Any) -> None:
    for rule in rules.CHRONOLOGY_RULES:
        assert list(rule(document, context(AGENCY, "chronology"))) == []


def test_every_rule_code_is_documented() -> None:
    spec = scr_returns.plugins.social_care.scr_returns_register_agency()
    assert set(rules.CODES) <= set(spec.codes)
    assert all(code.startswith("social-care.") for code in rules.CODES)


def test_the_hook_returns_the_same_value_every_time() -> None:
    assert scr_returns.plugins.social_care.scr_returns_register_agency() is \
        scr_returns.plugins.social_care.scr_returns_register_agency()


# -- through the whole validation -------------------------------------------------------
@pytest.mark.parametrize("form", ["chronology", "agency-report", "nil-return",
                                  "records-secured"])
def test_every_form_refuses_a_review_that_did_not_ask_social_care(
        form: str, validate: Validate) -> None:
    agencies = {a: f for a, f in REVIEW.agencies.items() if a != AGENCY}
    review = dataclasses.replace(REVIEW, agencies=agencies)
    problems = validate(form, load(f"{form}.v1.json"), review=review)
    assert [(p.pointer, p.code) for p in problems] == [("", "review.agency.not_asked")]


@pytest.mark.parametrize("name", sorted(p.name for p in VALID.glob("*.json")))
def test_a_valid_example_is_clean_without_a_review(name: str, validate: Validate) -> None:
    form, version = name.split(".")[:2]
    problems = validate(form, load(name), int(version[1:]), review=None)
    assert problems == []


def test_one_bad_agency_field_gives_one_problem(validate: Validate) -> None:
    # The entry $refs the common columns beside its own properties, so a bad value
    # is not also reported as "not part of the form".
    document = load("chronology.v1.json")
    document["entries"][8]["plan_category"] = "multiple"
    document["entries"][9]["date"] = "2024-02-30"
    problems = validate("chronology", document)
    assert sorted((p.pointer, p.code) for p in problems if p.source == "schema") == [
        ("/entries/8/plan_category", "schema.enum"),
        ("/entries/9/date", "schema.format"),
    ]


# -- version 2: contacts, assessments, section 47 enquiries, court reports ----------

def _v2_entry(document: dict[str, Any], entry_id: str) -> tuple[int, dict[str, Any]]:
    return next((i, e) for i, e in enumerate(document["entries"]) if e["id"] == entry_id)


@pytest.mark.parametrize(("entry_id", "field", "code"), [
    ("sc-0002", "contact_reason", "social-care.contact_reason.missing"),
    ("sc-0004", "assessment_outcome", "social-care.assessment_outcome.missing"),
    ("sc-0007", "section_47", "social-care.section_47.details_missing"),
    ("sc-0018", "court_report_type", "social-care.court_report_type.missing"),
])
def test_v2_events_need_their_detail_and_not_known_is_an_answer(
        validate: Validate, entry_id: str, field: str, code: str) -> None:
    document = load("chronology.v2.json")
    index, entry = _v2_entry(document, entry_id)
    del entry[field]
    assert {(p.pointer, p.code) for p in validate("chronology", document, 2)} == {
        (f"/entries/{index}/{field}", code)}
    entry[field] = {"status": "started"} if field == "section_47" else "not_known"
    assert validate("chronology", document, 2) == []


def test_v1_contacts_and_assessments_need_no_v2_detail(validate: Validate) -> None:
    assert validate("chronology", load("chronology.v1.json"), 1) == []


def test_a_called_conference_must_be_recorded_unless_not_known(validate: Validate) -> None:
    document = load("chronology.v2.json")
    document["entries"] = [e for e in document["entries"] if e["id"] != "sc-0008"]
    _v2_entry(document, "sc-0009")[1].pop("sequence")
    index, entry = _v2_entry(document, "sc-0017")
    assert [(p.pointer, p.code, p.severity) for p in validate("chronology", document, 2)] == [
        (f"/entries/{index}/section_47/icpc_called",
         "social-care.section_47.conference_not_recorded", "warning")]
    entry["section_47"]["icpc_called"] = "not_known"
    assert validate("chronology", document, 2) == []
