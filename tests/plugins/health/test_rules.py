"""Focused tests of the health plugin's own rules."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import scr_returns.plugins.health
from scr_returns import Problem
from scr_returns.plugins.health.rules import CHRONOLOGY_RULES, injury_without_action, nhs_number
from tests.support.agency_kit import Validate
from tests.support.example_review import context

VALID = Path(scr_returns.plugins.health.__file__).parent / "examples" / "valid"


def chronology(version: int = 1) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((VALID / f"chronology.v{version}.json")
                                          .read_text("utf-8"))
    return copy.deepcopy(document)


def entry_at(doc: dict[str, Any], entry_id: str) -> tuple[int, dict[str, Any]]:
    return next((i, e) for i, e in enumerate(doc["entries"]) if e["id"] == entry_id)


def found(problems: list[Problem]) -> set[tuple[str, str, str]]:
    return {(p.pointer, p.code, p.severity) for p in problems}


def test_wrong_check_digit_is_refused_at_the_field(validate: Validate) -> None:
    doc = chronology()
    doc["subject_nhs_number"] = "9434765918"
    problems = validate("chronology", doc)
    assert found(problems) == {("/subject_nhs_number", "health.nhs_number.check_digit",
                                "error")}
    assert "9434765918" in problems[0].message


def test_right_check_digit_passes(validate: Validate) -> None:
    doc = chronology()
    doc["subject_nhs_number"] = "9434765919"
    assert validate("chronology", doc) == []


def test_test_range_refused_in_production_only(validate: Validate) -> None:
    doc = chronology()
    doc["subject_nhs_number"] = "9990000018"  # checks, but never issued
    assert found(validate("chronology", doc)) == {
        ("/subject_nhs_number", "health.nhs_number.test_range", "error")}
    assert validate("chronology", doc, production=False) == []


def test_test_number_with_a_bad_check_digit_is_a_check_digit_error() -> None:
    ctx = context("health", "chronology")
    codes = [p.code for p in nhs_number({"subject_nhs_number": "9990000019"}, ctx)]
    assert codes == ["health.nhs_number.check_digit"]


def test_malformed_nhs_number_is_left_to_the_schema(validate: Validate) -> None:
    doc = chronology()
    doc["subject_nhs_number"] = "94347659"
    assert found(validate("chronology", doc)) == {
        ("/subject_nhs_number", "schema.pattern", "error")}


def test_injury_without_referral_or_reason_warns_at_the_injury(validate: Validate) -> None:
    doc = chronology()
    del doc["entries"][4]["safeguarding_referral_made"]
    assert found(validate("chronology", doc)) == {
        ("/entries/4/injury_description", "health.injury.no_action", "warning")}
    doc["entries"][4]["safeguarding_referral_made"] = False
    assert len(validate("chronology", doc)) == 1


def test_injury_with_a_reason_for_no_referral_is_clean(validate: Validate) -> None:
    doc = chronology()
    entry = doc["entries"][4]
    entry["safeguarding_referral_made"] = False
    entry["no_referral_reason"] = "Witnessed fall at nursery; explanation consistent."
    assert validate("chronology", doc) == []


@pytest.mark.parametrize("action", ["none", "not recorded", "None."])
def test_injury_with_no_action_is_accepted_with_a_warning_at_the_injury(
        validate: Validate, action: str) -> None:
    # v1 and v2 alike: 'decision_or_action' is required, and saying that nothing was
    # done (or that the record does not say) is accepted; the panel is warned.
    for version in (1, 2):
        doc = chronology(version)
        index, entry = entry_at(doc, "h-0005")
        entry["decision_or_action"] = action
        problems = validate("chronology", doc, version)
        assert found(problems) == {(f"/entries/{index}/injury_description",
                                    "health.injury.no_action", "warning")}
        assert repr(action) in problems[0].message


def test_no_action_without_an_injury_is_no_warning(validate: Validate) -> None:
    doc = chronology(2)
    entry_at(doc, "h-0002")[1]["decision_or_action"] = "none"
    assert validate("chronology", doc, 2) == []


def test_other_peoples_nhs_numbers_are_checked_and_belong_to_the_entry(
        validate: Validate) -> None:
    doc = chronology(2)
    index, entry = entry_at(doc, "h-0008")
    entry["other_nhs_numbers"] = [{"subject": "mother", "nhs_number": "4010232138"},
                                  {"subject": "father", "nhs_number": "4505577104"}]
    at = f"/entries/{index}/other_nhs_numbers"
    assert found(validate("chronology", doc, 2)) == {
        (f"{at}/0/nhs_number", "health.nhs_number.check_digit", "error"),
        (f"{at}/1/subject", "health.other_nhs_number.subject_not_in_entry", "error"),
        # the mother's number is 4010232137 on another entry
        (f"{at}/0/nhs_number", "health.nhs_number.conflict", "error")}


@pytest.mark.parametrize(("change", "says"), [
    ({"subject": "father", "nhs_number": "4010232137"}, "for 'mother' on an earlier entry"),
    ({"subject": "mother", "nhs_number": "9434765919"}, "the subject child's"),
    ({"subject": "mother", "nhs_number": "4505577104"}, "4010232137 on an earlier entry"),
])
def test_one_person_one_nhs_number(validate: Validate, change: dict[str, str],
                                   says: str) -> None:
    doc = chronology(2)
    index, entry = entry_at(doc, "h-0009")
    entry["subjects"] = ["sibling-1", "mother", "father"]
    entry["other_nhs_numbers"] = [change]
    problems = validate("chronology", doc, 2)
    assert found(problems) == {(f"/entries/{index}/other_nhs_numbers/0/nhs_number",
                                "health.nhs_number.conflict", "error")}
    assert says in problems[0].message


def test_not_known_setting_and_attendance_are_accepted_and_invented_nothing(
        validate: Validate) -> None:
    doc = chronology(2)
    for entry in doc["entries"]:
        entry["setting"] = "not-known"
        entry["attendance"] = "not-known"
    assert validate("chronology", doc, 2) == []
    assert validate("chronology", doc, 1) != []  # v1 has no such value


def test_blank_injury_description_is_not_an_injury() -> None:
    ctx = context("health", "chronology")
    doc = {"entries": [{"injury_description": "   "}]}
    assert list(injury_without_action(doc, ctx)) == []


@pytest.mark.parametrize("document", [
    None, [], "text", {"entries": "x"}, {"entries": [None, 3, "e"]},
    {"subject_nhs_number": 9434765918}, {"entries": [{"injury_description": 5}]},
])
def test_rules_tolerate_schema_invalid_documents(document: Any) -> None:
    ctx = context("health", "chronology")
    for rule in CHRONOLOGY_RULES:
        assert list(rule(document, ctx)) == []


def test_spec_documents_every_code() -> None:
    spec = scr_returns.plugins.health.scr_returns_register_agency()
    assert {"health.nhs_number.check_digit", "health.nhs_number.test_range",
            "health.injury.no_action"} <= set(spec.codes)
    chronology_form = spec.form("chronology")
    assert chronology_form is not None and chronology_form.chronology is not None
    assert all(f.example is not None for f in spec.forms)
