"""The police rules: PNC IDs, per-force reference formats, referrals and follow-up dates."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import scr_returns.plugins.police
from scr_returns.plugins.police.rules import CHRONOLOGY_RULES, CODES
from tests.support.agencies import POLICE
from tests.support.agency_kit import Validate

VALID = Path(scr_returns.plugins.police.__file__).parent / "examples" / "valid"
HAMPSHIRE = {"crime_reference_patterns": {"hampshire": "^44[0-9]{4}/[0-9]{2}$"}}


@pytest.fixture
def chronology() -> dict[str, Any]:
    """A clean v2 chronology to break one thing at a time (a fresh copy per test)."""
    return copy.deepcopy(json.loads((VALID / "chronology.v2.json").read_text(encoding="utf-8")))


def found(problems: list[Any]) -> set[tuple[str, str]]:
    return {(p.pointer, p.code) for p in problems}


# -- PNC IDs ---------------------------------------------------------------------------

def test_pnc_id_with_wrong_check_letter_is_refused_at_its_field(
        chronology: dict[str, Any], validate: Validate) -> None:
    chronology["entries"][3]["pnc_ids"][0]["pnc_id"] = "99/1234567A"
    problems = validate("chronology", chronology, 2)
    assert found(problems) == {("/entries/3/pnc_ids/0/pnc_id", "police.pnc_id.check_letter")}
    assert problems[0].severity == "error"
    assert "99/1234567A" in problems[0].message


@pytest.mark.parametrize("pnc", ["99/1234567B", "1999/1234567B", "05/482913F", "2019/338104T"])
def test_pnc_id_with_right_check_letter_passes(pnc: str, chronology: dict[str, Any],
                                               validate: Validate) -> None:
    chronology["entries"][3]["pnc_ids"][0]["pnc_id"] = pnc
    assert validate("chronology", chronology, 2) == []


@pytest.mark.parametrize("pnc", ["99-1234567B", "99/12345678B", "99/1234567", "99/1234567I",
                                 "9/1234567B"])
def test_malformed_pnc_id_is_the_schemas_alone(pnc: str, chronology: dict[str, Any],
                                               validate: Validate) -> None:
    chronology["entries"][3]["pnc_ids"][0]["pnc_id"] = pnc
    assert found(validate("chronology", chronology, 2)) == \
        {("/entries/3/pnc_ids/0/pnc_id", "schema.pattern")}


def test_pnc_id_of_someone_outside_the_entry_is_refused(chronology: dict[str, Any],
                                                        validate: Validate) -> None:
    chronology["entries"][0]["pnc_ids"][0]["subject"] = "father"
    assert found(validate("chronology", chronology, 2)) == \
        {("/entries/0/pnc_ids/0/subject", "police.pnc_id.subject_not_in_entry")}


# -- per-force crime reference patterns ------------------------------------------------

def test_without_a_configured_pattern_any_non_empty_reference_is_accepted(
        chronology: dict[str, Any], validate: Validate) -> None:
    chronology["entries"][0]["crime_reference"] = "whatever the force writes 7"
    assert validate("chronology", chronology, 2) == []
    # ... but an empty or blank one is still refused, by the schema.
    chronology["entries"][0]["crime_reference"] = "  "
    assert found(validate("chronology", chronology, 2)) == \
        {("/entries/0/crime_reference", "schema.pattern")}


def test_configured_pattern_accepts_its_format_and_refuses_others(
        chronology: dict[str, Any], validate: Validate) -> None:
    assert validate("chronology", chronology, 2, config=HAMPSHIRE) == []
    chronology["entries"][2]["crime_reference"] = "44062/24"
    problems = validate("chronology", chronology, 2, config=HAMPSHIRE)
    assert found(problems) == {("/entries/2/crime_reference", "police.crime_reference.format")}
    assert "hampshire" in problems[0].message


def test_pattern_of_another_force_does_not_apply(chronology: dict[str, Any],
                                                 validate: Validate) -> None:
    config = {"crime_reference_patterns": {"thames-valley": "^43[0-9]{6}-[0-9]{4}$"}}
    chronology["entries"][2]["crime_reference"] = "anything"      # hampshire: unconfigured
    assert validate("chronology", chronology, 2, config=config) == []


def test_an_entry_naming_another_force_uses_that_forces_pattern(
        chronology: dict[str, Any], validate: Validate) -> None:
    config = {"crime_reference_patterns": {**HAMPSHIRE["crime_reference_patterns"],
                                           "thames-valley": "^43[0-9]{6}-[0-9]{4}$"}}
    # entry 7 is a Thames Valley crime with a Thames Valley reference
    assert chronology["entries"][7]["force"] == "thames-valley"
    assert validate("chronology", chronology, 2, config=config) == []
    chronology["entries"][7]["crime_reference"] = "440530/25"     # Hampshire's format
    assert found(validate("chronology", chronology, 2, config=config)) == \
        {("/entries/7/crime_reference", "police.crime_reference.format")}


def test_the_whole_reference_must_match_even_an_unanchored_pattern(
        chronology: dict[str, Any], validate: Validate) -> None:
    config = {"crime_reference_patterns": {"hampshire": "44[0-9]{4}/[0-9]{2}"}}
    assert validate("chronology", chronology, 2, config=config) == []
    chronology["entries"][0]["crime_reference"] = "ref 440115/24 (old)"
    assert found(validate("chronology", chronology, 2, config=config)) == \
        {("/entries/0/crime_reference", "police.crime_reference.format")}


@pytest.mark.parametrize("config", [
    {"crime_reference_patterns": {"hampshire": "^44[0-9"}},          # does not compile
    {"crime_reference_patterns": {"hampshire": 44}},                  # not a pattern
    {"crime_reference_patterns": ["^44[0-9]{4}/[0-9]{2}$"]},         # not a mapping
])
def test_an_unusable_setting_falls_back_to_accepting_any_reference(
        config: dict[str, Any], chronology: dict[str, Any], validate: Validate) -> None:
    chronology["entries"][0]["crime_reference"] = "IOW-1"
    assert validate("chronology", chronology, 2, config=config) == []


# -- domestic abuse without a referral ------------------------------------------------

def test_domestic_abuse_with_no_referral_recorded_warns_at_the_entry(
        chronology: dict[str, Any], validate: Validate) -> None:
    del chronology["entries"][0]["referral_to_childrens_services"]
    problems = validate("chronology", chronology, 2)
    assert found(problems) == {("/entries/0", "police.domestic_abuse.no_referral")}
    assert problems[0].severity == "warning"


def test_domestic_abuse_with_referral_not_made_warns_at_the_referral(
        chronology: dict[str, Any], validate: Validate) -> None:
    chronology["entries"][4]["referral_to_childrens_services"] = {
        "made": False, "reason_not_made": "Mother asked that no referral be made."}
    problems = validate("chronology", chronology, 2)
    assert found(problems) == {("/entries/4/referral_to_childrens_services",
                                "police.domestic_abuse.no_referral")}
    assert problems[0].severity == "warning"


def test_other_incidents_need_no_referral(chronology: dict[str, Any],
                                          validate: Validate) -> None:
    del chronology["entries"][2]["referral_to_childrens_services"]   # missing person
    assert validate("chronology", chronology, 2) == []


# -- follow-up dates -------------------------------------------------------------------

@pytest.mark.parametrize(("field", "code"), [
    ("referral_to_childrens_services", "police.referral.before_event"),
    ("strategy_discussion", "police.strategy_discussion.before_event"),
])
def test_follow_up_before_its_event_is_refused(field: str, code: str,
                                               chronology: dict[str, Any],
                                               validate: Validate) -> None:
    chronology["entries"][0][field]["date"] = "2024-01-15"          # same day: fine
    assert validate("chronology", chronology, 2) == []
    chronology["entries"][0][field]["date"] = "2024-01-14"
    assert found(validate("chronology", chronology, 2)) == {(f"/entries/0/{field}/date", code)}


def test_follow_up_of_an_approximately_dated_event_is_not_judged(
        chronology: dict[str, Any], validate: Validate) -> None:
    entry = chronology["entries"][0]
    del entry["time"]
    entry["date_precision"] = "approximate"
    entry["referral_to_childrens_services"]["date"] = "2024-01-10"
    assert validate("chronology", chronology, 2) == []


def test_follow_up_of_a_month_precision_event_is_judged_against_the_month(
        chronology: dict[str, Any], validate: Validate) -> None:
    entry = chronology["entries"][0]
    del entry["time"]
    entry["date"], entry["date_precision"] = "2024-01-01", "month"
    entry["referral_to_childrens_services"]["date"] = "2024-01-31"
    police = {p for p in found(validate("chronology", chronology, 2))
              if p[1].startswith("police.")}
    assert police == set()
    entry["referral_to_childrens_services"]["date"] = "2023-12-31"
    police = {p for p in found(validate("chronology", chronology, 2))
              if p[1].startswith("police.")}
    assert police == {("/entries/0/referral_to_childrens_services/date",
                       "police.referral.before_event")}


def test_a_month_date_not_written_as_the_first_still_stands_for_the_month(
        chronology: dict[str, Any], validate: Validate) -> None:
    # "January 2024" written as the 20th: a referral on the 5th may still follow it.
    entry = chronology["entries"][0]
    del entry["time"]
    entry["date"], entry["date_precision"] = "2024-01-20", "month"
    entry["referral_to_childrens_services"]["date"] = "2024-01-05"
    police = {p for p in found(validate("chronology", chronology, 2))
              if p[1].startswith("police.")}
    assert police == set()


@pytest.mark.parametrize(("field", "code"), [
    ("referral_to_childrens_services", "police.referral.future"),
    ("strategy_discussion", "police.strategy_discussion.future"),
])
def test_follow_up_after_submission_is_refused(field: str, code: str,
                                               chronology: dict[str, Any],
                                               validate: Validate) -> None:
    # Submitted on 2026-11-26: that day is fine, the next is not.
    chronology["entries"][0][field]["date"] = "2026-11-26"
    assert validate("chronology", chronology, 2) == []
    chronology["entries"][0][field]["date"] = "2026-11-27"
    problems = validate("chronology", chronology, 2)
    assert found(problems) == {(f"/entries/0/{field}/date", code)}
    assert problems[0].severity == "error"
    assert "27 November 2026" in problems[0].message


def test_future_follow_up_of_an_approximately_dated_event_is_still_refused(
        chronology: dict[str, Any], validate: Validate) -> None:
    entry = chronology["entries"][0]
    del entry["time"]
    entry["date_precision"] = "approximate"
    entry["referral_to_childrens_services"]["date"] = "2062-01-16"    # 2026 typed as 2062
    assert found(validate("chronology", chronology, 2)) == \
        {("/entries/0/referral_to_childrens_services/date", "police.referral.future")}


def test_future_follow_up_is_refused_in_version_1(validate: Validate) -> None:
    chronology = json.loads((VALID / "chronology.v1.json").read_text(encoding="utf-8"))
    entry = next(e for e in chronology["entries"] if "strategy_discussion" in e
                 and "date" in e["strategy_discussion"])
    entry["strategy_discussion"]["date"] = "2062-01-18"
    index = chronology["entries"].index(entry)
    assert found(validate("chronology", chronology, 1)) == \
        {(f"/entries/{index}/strategy_discussion/date", "police.strategy_discussion.future")}


# -- robustness ------------------------------------------------------------------------

@pytest.mark.parametrize("document", [
    None, [], "entries", {}, {"entries": None}, {"entries": [None, 3, "x"]},
    {"force": 7, "entries": [{"crime_reference": 5, "force": []}]},
    {"entries": [{"pnc_ids": "99/1234567A"}, {"pnc_ids": [None, {"pnc_id": 9, "subject": 1}]},
                 {"pnc_ids": [{"pnc_id": "99/1234567A"}], "subjects": "mother"}]},
    {"entries": [{"event_type": "domestic_abuse", "referral_to_childrens_services": "no"},
                 {"date": "2024-13-01", "strategy_discussion": {"date": "2024-01-01"}},
                 {"date": "2024-01-02", "referral_to_childrens_services": {"date": 20240101}}]},
    {"entries": [{"referral_to_childrens_services": {"date": "2062-13-01"}},
                 {"strategy_discussion": ["2062-01-01"], "date": 5},
                 {"strategy_discussion": {"date": ["2062-01-01"]}}]},
])
def test_rules_never_raise_on_what_the_schema_refuses(document: Any) -> None:
    context = POLICE.context("chronology", 2, config=HAMPSHIRE)
    for rule in CHRONOLOGY_RULES:
        for p in rule(document, context):
            assert p.code in CODES


def test_rules_work_without_a_review(chronology: dict[str, Any], validate: Validate) -> None:
    chronology["entries"][3]["pnc_ids"][0]["pnc_id"] = "99/1234567A"
    assert found(validate("chronology", chronology, 2, review=None)) == \
        {("/entries/3/pnc_ids/0/pnc_id", "police.pnc_id.check_letter")}


# -- version 3: CRO numbers, interviews, not known ------------------------------------

@pytest.fixture
def chronology_v3() -> dict[str, Any]:
    """A clean v3 chronology (a fresh copy per test)."""
    return copy.deepcopy(json.loads((VALID / "chronology.v3.json").read_text(encoding="utf-8")))


def at(document: dict[str, Any], entry_id: str) -> tuple[int, dict[str, Any]]:
    return next((i, e) for i, e in enumerate(document["entries"]) if e["id"] == entry_id)


def test_cro_number_check_letter_and_subject(chronology_v3: dict[str, Any],
                                            validate: Validate) -> None:
    index, entry = at(chronology_v3, "e-016")
    entry["cro_numbers"] = [{"subject": "partner-of-mother", "cro_number": "123456/99M"},
                            {"subject": "father", "cro_number": "54321/08W"}]
    problems = validate("chronology", chronology_v3, 3)
    assert found(problems) == {
        (f"/entries/{index}/cro_numbers/0/cro_number", "police.cro_number.check_letter"),
        (f"/entries/{index}/cro_numbers/1/subject", "police.cro_number.subject_not_in_entry")}
    assert "123456/99M" in problems[0].message or "123456/99M" in problems[1].message


def test_the_interviewee_is_a_subject_of_the_entry(chronology_v3: dict[str, Any],
                                                   validate: Validate) -> None:
    index, entry = at(chronology_v3, "e-012")
    entry["interview"]["interviewee"] = "father"
    assert found(validate("chronology", chronology_v3, 3)) == {
        (f"/entries/{index}/interview/interviewee", "police.interview.subject_not_in_entry")}


def test_a_referral_date_not_known_is_never_judged_as_a_date(
        chronology_v3: dict[str, Any], validate: Validate) -> None:
    # The first entry's referral and strategy discussion: dates not known, no rule fires
    # as if they were before the event or in the future.
    entry = chronology_v3["entries"][0]
    entry["referral_to_childrens_services"] = {"made": True, "date": "not_known"}
    assert validate("chronology", chronology_v3, 3) == []
    entry["referral_to_childrens_services"]["date"] = "2023-01-01"
    assert found(validate("chronology", chronology_v3, 3)) == {
        ("/entries/0/referral_to_childrens_services/date", "police.referral.before_event")}


def test_not_known_whether_a_referral_was_made_warns_on_domestic_abuse(
        chronology_v3: dict[str, Any], validate: Validate) -> None:
    chronology_v3["entries"][0]["referral_to_childrens_services"] = {"made": "not_known"}
    problems = validate("chronology", chronology_v3, 3)
    assert [(p.pointer, p.code, p.severity) for p in problems] == [
        ("/entries/0/referral_to_childrens_services/made", "police.domestic_abuse.no_referral",
         "warning")]


def test_v3_asks_the_details_of_its_new_events(chronology_v3: dict[str, Any],
                                               validate: Validate) -> None:
    wanted = {"e-012": "interview", "e-013": "custody_decision", "e-016": "offence"}
    expected = set()
    for entry_id, field in wanted.items():
        index, entry = at(chronology_v3, entry_id)
        del entry[field]
        expected.add((f"/entries/{index}/{field}", "schema.required"))
    assert found(validate("chronology", chronology_v3, 3)) == expected
