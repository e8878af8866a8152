"""The identifier and pupil rules of the education forms, one behaviour at a time."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from scr_returns.plugins.education.rules import (
    listed_schools,
    pupil_upns,
    pupils_known,
    upns_unique,
)
from tests.support.agencies import EDUCATION
from tests.support.agency_kit import Validate, pairs
from tests.support.example_review import REVIEW, context

CTX = context("education", "chronology")


def _school_entry(document: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = document["entries"][1]
    assert "school" in entry
    return entry


def test_wrong_check_letter_is_refused_at_the_upn(validate: Validate) -> None:
    document = EDUCATION.valid_example("chronology")
    document["pupils"]["child-a"]["upn"] = "B801200005002"
    problems = validate("chronology", document)
    assert pairs(problems) == {("/pupils/child-a/upn", "education.upn.check_letter")}
    assert problems[0].severity == "error"
    assert "B801200005002" in problems[0].message


def test_domain_example_upn_passes(validate: Validate) -> None:
    document = EDUCATION.valid_example("chronology")
    document["pupils"] = {"child-a": {"upn": "B801200005001"}}
    assert validate("chronology", document) == []


def test_former_upns_are_checked_too(validate: Validate) -> None:
    document = EDUCATION.valid_example("chronology")
    document["pupils"]["child-a"]["former_upns"] = ["B801200005002", "E000200005001"]
    assert pairs(validate("chronology", document)) == {
        ("/pupils/child-a/former_upns/0", "education.upn.check_letter"),
        ("/pupils/child-a/former_upns/1", "education.upn.la_number"),
    }


def test_upn_la_number_need_not_match_the_schools_laestab(validate: Validate) -> None:
    # A UPN keeps the number of the authority that issued it when the pupil
    # moves: child-a's Bristol (801) UPN at an Isle of Wight (921) school is fine.
    document = EDUCATION.valid_example("chronology")
    assert document["pupils"]["child-a"]["upn"][1:4] == "801"
    assert _school_entry(document)["school"]["laestab"][:3] == "921"
    assert validate("chronology", document) == []


def test_one_upn_for_two_pupils_is_reported_at_the_second(validate: Validate) -> None:
    document = EDUCATION.valid_example("chronology")
    document["pupils"]["sibling-1"]["upn"] = "B801200005001"
    problems = validate("chronology", document)
    assert pairs(problems) == {("/pupils/sibling-1/upn", "education.upn.duplicate")}
    assert "'child-a'" in problems[0].message


def test_a_pupil_may_repeat_their_own_upn_as_former() -> None:
    document = {"pupils": {"child-a": {"upn": "B801200005001",
                                       "former_upns": ["B801200005001"]}}}
    assert list(upns_unique(document, CTX)) == []


def test_pupil_key_outside_the_register(validate: Validate) -> None:
    document = EDUCATION.valid_example("chronology")
    document["pupils"]["child-b"] = {"upn": "W921200012346"}
    problems = validate("chronology", document)
    assert pairs(problems) == {("/pupils/child-b", "education.pupil.subject_unknown")}
    assert "IOW-2026-01" in problems[0].message


def test_pupil_register_needs_the_review() -> None:
    document = {"pupils": {"child-b": {"upn": "W921200012346"}}}
    assert list(pupils_known(document, context("education", "chronology", review=None))) == []
    assert [p.code for p in pupils_known(document, CTX)] == ["education.pupil.subject_unknown"]


def test_school_identifiers_on_entries(validate: Validate) -> None:
    document = EDUCATION.valid_example("chronology")
    _school_entry(document)["school"].update(urn="EY12345", laestab="5552345")
    assert pairs(validate("chronology", document)) == {
        ("/entries/1/school/urn", "education.urn.format"),
        ("/entries/1/school/laestab", "education.laestab.la_number"),
    }


def test_school_without_identifiers_is_fine(validate: Validate) -> None:
    document = EDUCATION.valid_example("chronology")
    _school_entry(document)["school"] = {"name": "Oakfield Primary School"}
    assert validate("chronology", document) == []


@pytest.mark.parametrize(("form", "field"), [("agency-report", "schools"),
                                             ("nil-return", "schools_checked"),
                                             ("records-secured", "schools")])
def test_school_identifiers_on_the_short_forms(validate: Validate, form: str,
                                               field: str) -> None:
    document = EDUCATION.valid_example(form)
    document[field][0]["urn"] = "1182230"
    assert pairs(validate(form, document)) == {(f"/{field}/0/urn", "education.urn.format")}


def test_ehc_plan_local_authority(validate: Validate) -> None:
    document = EDUCATION.valid_example("chronology")
    plan = next(e for e in document["entries"] if "ehc_plan" in e
                and "local_authority" in e["ehc_plan"])
    index = document["entries"].index(plan)
    for good in ("921", "E06000046"):
        plan["ehc_plan"]["local_authority"] = good
        assert validate("chronology", document) == []
    plan["ehc_plan"]["local_authority"] = "IOW"
    assert pairs(validate("chronology", document)) == {
        (f"/entries/{index}/ehc_plan/local_authority", "education.local_authority.format")}


def test_agency_not_asked_into_the_review(validate: Validate) -> None:
    review = dataclasses.replace(REVIEW, agencies={"health": ("chronology",)})
    for form in ("chronology", "agency-report", "nil-return", "records-secured"):
        problems = validate(form, EDUCATION.valid_example(form), review=review)
        assert ("", "review.agency.not_asked") in pairs(problems), form


@pytest.mark.parametrize("document", [
    None, [], "text", 7,
    {"pupils": []}, {"pupils": {"child-a": None}}, {"pupils": {"child-a": {"upn": 801}}},
    {"pupils": {"child-a": {"upn": "B801200005001", "former_upns": "B801200005001"}}},
    {"schools": "Oakfield"}, {"schools": [None, {"urn": 118223}]},
    {"entries": [None, {"school": "Oakfield"}, {"school": {"laestab": None}}]},
])
def test_rules_skip_values_of_the_wrong_type(document: Any) -> None:
    for rule in (pupil_upns, upns_unique, pupils_known, listed_schools):
        assert list(rule(document, CTX)) == []


def test_schema_values_of_the_wrong_type_give_schema_problems_only(validate: Validate
                                                                  ) -> None:
    document = EDUCATION.valid_example("chronology")
    document["pupils"]["child-a"]["upn"] = 801200005001
    _school_entry(document)["school"]["urn"] = 118223
    assert {p.code for p in validate("chronology", document)} == {"schema.type"}
