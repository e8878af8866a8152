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


def chronology() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((VALID / "chronology.v1.json").read_text("utf-8"))
    return copy.deepcopy(document)


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


def test_injury_without_referral_or_reason_warns_at_the_entry(validate: Validate) -> None:
    doc = chronology()
    del doc["entries"][4]["safeguarding_referral_made"]
    assert found(validate("chronology", doc)) == {
        ("/entries/4/safeguarding_referral_made", "health.injury.no_action", "warning")}
    doc["entries"][4]["safeguarding_referral_made"] = False
    assert len(validate("chronology", doc)) == 1


def test_injury_with_a_reason_for_no_referral_is_clean(validate: Validate) -> None:
    doc = chronology()
    entry = doc["entries"][4]
    entry["safeguarding_referral_made"] = False
    entry["no_referral_reason"] = "Witnessed fall at nursery; explanation consistent."
    assert validate("chronology", doc) == []


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
