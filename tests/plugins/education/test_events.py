"""The event-type rules of the education chronology: details, attendance, suspensions."""

from __future__ import annotations

from typing import Any

import pytest

from scr_returns.plugins.education.events import (
    DETAIL_TYPES,
    attendance_period,
    attendance_sessions,
    attendance_year_and_term,
    details_match_type,
    encompass_incident_date,
    suspension_total,
)
from tests.support.agencies import EDUCATION
from tests.support.agency_kit import Validate, pairs
from tests.support.example_review import context

CTX = context("education", "chronology")


def _entry(date: str, event_type: str, **more: Any) -> dict[str, Any]:
    return {"id": f"e-{date}-{event_type}", "date": date, "event_type": event_type,
            "subjects": ["child-a"], **more}


def _attendance(date: str, year: str, term: str, **more: Any) -> dict[str, Any]:
    figures = {"academic_year": year, "term": term, "percentage": 90, **more}
    return _entry(date, "attendance", attendance=figures)


def _codes(rule: Any, *entries: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.pointer, p.code) for p in rule({"entries": list(entries)}, CTX)]


# -- details belong to their event type ----------------------------------------------

@pytest.mark.parametrize("event_type", DETAIL_TYPES)
def test_each_detail_type_requires_its_details(event_type: str) -> None:
    assert _codes(details_match_type, _entry("2024-03-01", event_type)) == [
        (f"/entries/0/{event_type}", "education.event.details_missing")]


@pytest.mark.parametrize("event_type", ["home_visit", "other", "suspension"])
def test_details_of_another_type_are_unexpected(event_type: str) -> None:
    entry = _entry("2024-03-01", event_type, suspension={"days": 1}, attendance={})
    found = _codes(details_match_type, entry)
    unexpected = {(f"/entries/0/{f}", "education.event.details_unexpected")
                  for f in ("suspension", "attendance") if f != event_type}
    assert set(found) == unexpected


def test_event_type_without_details_needs_none() -> None:
    assert _codes(details_match_type, _entry("2024-03-01", "home_visit")) == []


def test_unreadable_event_type_is_left_to_the_schema() -> None:
    assert _codes(details_match_type, _entry("2024-03-01", None, suspension={})) == []


# -- attendance: year, term, sessions, percentage ------------------------------------

@pytest.mark.parametrize(("year", "ok"), [("2024/25", True), ("2024/26", False),
                                          ("2024/24", False), ("2025/24", False)])
def test_academic_year_is_two_consecutive_years(year: str, ok: bool) -> None:
    found = _codes(attendance_year_and_term, _attendance("2025-07-20", year, "summer"))
    assert found == ([] if ok else [("/entries/0/attendance/academic_year",
                                     "education.attendance.academic_year")])


def test_academic_year_spanning_a_century() -> None:
    assert _codes(attendance_year_and_term, _attendance("2000-01-10", "1999/00", "autumn")) \
        == []


@pytest.mark.parametrize(("year", "term"), [("0000/01", "autumn"), ("9999/00", "spring")])
def test_a_year_outside_the_calendar_never_raises(year: str, term: str) -> None:
    # Schema-valid (four digits / two digits), but no such term can be compared.
    assert _codes(attendance_year_and_term, _attendance("2025-07-20", year, term)) == []


def test_malformed_academic_year_is_left_to_the_schema() -> None:
    for year in ("2024-25", "24/25", "2024/2025"):
        assert _codes(attendance_year_and_term, _attendance("2025-07-20", year, "summer")) == []


@pytest.mark.parametrize(("date", "term", "started"), [
    ("2024-07-31", "autumn", False), ("2024-08-01", "autumn", True),
    ("2024-12-31", "spring", False), ("2025-01-01", "spring", True),
    ("2025-02-28", "summer", False), ("2025-03-01", "summer", True),
    ("2026-01-15", "autumn", True),
])
def test_term_must_have_started_by_the_entry_date(date: str, term: str, started: bool
                                                  ) -> None:
    found = _codes(attendance_year_and_term, _attendance(date, "2024/25", term))
    expected = [] if started else [("/entries/0/attendance/term",
                                    "education.attendance.term_not_started")]
    assert found == expected


def test_term_start_judged_on_the_latest_day_an_inexact_date_can_mean() -> None:
    # "July 2024" (given as 2024-07-01) may mean 31 July: not before autumn 2024/25 began
    # on the earliest possible day, 1 August, so it is refused; "2024" may mean December.
    month = _attendance("2024-07-01", "2024/25", "autumn")
    month["date_precision"] = "month"
    assert len(_codes(attendance_year_and_term, month)) == 1
    year = _attendance("2024-01-01", "2024/25", "autumn")
    year["date_precision"] = "year"
    assert _codes(attendance_year_and_term, year) == []
    vague = _attendance("2024-01-01", "2024/25", "autumn")
    vague["date_precision"] = "approximate"
    assert _codes(attendance_year_and_term, vague) == []


def test_attended_cannot_exceed_possible() -> None:
    entry = _attendance("2025-01-05", "2024/25", "autumn", sessions_possible=140,
                        sessions_attended=141, percentage=100)
    assert _codes(attendance_sessions, entry) == [
        ("/entries/0/attendance/sessions_attended", "education.attendance.sessions")]


def test_unauthorised_cannot_exceed_sessions_missed() -> None:
    entry = _attendance("2025-01-05", "2024/25", "autumn", sessions_possible=140,
                        sessions_attended=120, unauthorised_sessions=21,
                        percentage=85.7)
    assert _codes(attendance_sessions, entry) == [
        ("/entries/0/attendance/unauthorised_sessions", "education.attendance.sessions")]
    entry["attendance"]["unauthorised_sessions"] = 20
    assert _codes(attendance_sessions, entry) == []


@pytest.mark.parametrize(("percentage", "ok"), [(84.3, True), (84, True), (84.7, True),
                                                (84.8, False), (83.7, False), (48.3, False)])
def test_percentage_agrees_with_sessions_to_half_a_point(percentage: float, ok: bool
                                                         ) -> None:
    # 118 of 140 is 84.29%.
    entry = _attendance("2025-01-05", "2024/25", "autumn", sessions_possible=140,
                        sessions_attended=118, percentage=percentage)
    found = _codes(attendance_sessions, entry)
    assert found == ([] if ok else [("/entries/0/attendance/percentage",
                                     "education.attendance.percentage_mismatch")])


def test_percentage_alone_is_not_cross_checked() -> None:
    entry = _attendance("2025-01-05", "2024/25", "autumn", percentage=12.5)
    assert _codes(attendance_sessions, entry) == []


def test_attendance_out_of_range_is_the_schemas(validate: Validate) -> None:
    document = EDUCATION.valid_example("chronology")
    entry = next(e for e in document["entries"] if e["event_type"] == "attendance")
    index = document["entries"].index(entry)
    for value, code in ((100.5, "schema.maximum"), (-1, "schema.minimum"), ("90%", "schema.type")):
        entry["attendance"] = {"academic_year": "2023/24", "term": "autumn", "percentage": value}
        assert pairs(validate("chronology", document)) == {
            (f"/entries/{index}/attendance/percentage", code)}
    entry["attendance"]["percentage"] = 100
    assert validate("chronology", document) == []


# -- suspensions over 45 days --------------------------------------------------------

def _suspension(date: str, days: float, *subjects: str) -> dict[str, Any]:
    entry = _entry(date, "suspension", suspension={"days": days, "reasons": ["damage"]})
    entry["subjects"] = list(subjects or ["child-a"])
    return entry


def test_exactly_45_days_is_within_the_limit() -> None:
    assert _codes(suspension_total, _suspension("2024-10-01", 40),
                  _suspension("2025-06-01", 5)) == []


def test_passing_45_days_warns_once_at_the_suspension_that_passes_it() -> None:
    entries = [_suspension("2024-10-01", 40), _suspension("2025-06-01", 5.5),
               _suspension("2025-07-01", 3)]
    problems = list(suspension_total({"entries": entries}, CTX))
    assert [(p.pointer, p.code, p.severity) for p in problems] == [
        ("/entries/1/suspension/days", "education.suspension.over_45_days", "warning")]
    assert "2024/25" in problems[0].message and "45.5 days" in problems[0].message


def test_school_year_runs_september_to_august() -> None:
    # 31 August closes 2024/25; 1 September opens 2025/26.
    assert _codes(suspension_total, _suspension("2025-08-31", 40),
                  _suspension("2025-09-01", 40)) == []
    assert len(_codes(suspension_total, _suspension("2024-09-01", 40),
                      _suspension("2025-08-31", 6))) == 1


def test_totals_are_per_pupil() -> None:
    entries = [_suspension("2024-10-01", 30, "child-a"),
               _suspension("2024-11-01", 30, "sibling-1"),
               _suspension("2025-01-10", 10, "child-a", "sibling-1"),
               _suspension("2025-02-10", 10, "sibling-1")]
    problems = list(suspension_total({"entries": entries}, CTX))
    assert [p.pointer for p in problems] == ["/entries/3/suspension/days"]
    assert "sibling-1" in problems[0].message and "child-a" not in problems[0].message


def test_suspension_warning_does_not_block_acceptance(validate: Validate) -> None:
    document = EDUCATION.valid_example("chronology")
    entries = document["entries"]
    index, first = next((i, e) for i, e in enumerate(entries) if e["id"] == "ed-012")
    first["suspension"]["days"] = 45
    # A second suspension the same day, after the parent contact (sequence 2).
    entries.insert(index + 2, dict(first, id="ed-012b", sequence=3,
                                   suspension={"days": 1, "reasons": ["damage"]}))
    problems = validate("chronology", document)
    assert [(p.code, p.severity) for p in problems] == [
        ("education.suspension.over_45_days", "warning")]


@pytest.mark.parametrize("entries", [
    [None, "x", 3],
    [{"event_type": "suspension", "date": "2024-10-01", "subjects": ["child-a"],
      "suspension": {"days": "45"}}],
    [{"event_type": "suspension", "date": "not a date", "subjects": ["child-a"],
      "suspension": {"days": 46}}],
    [{"event_type": "suspension", "date": "2024-10-01", "subjects": "child-a",
      "suspension": {"days": 46}}],
    [{"event_type": "attendance", "date": "2024-10-01", "attendance": {
        "academic_year": 2024, "term": "winter", "percentage": "x",
        "sessions_possible": 0, "sessions_attended": True}}],
    [{"event_type": "attendance", "date": "2024-10-01", "attendance": "90%"}],
])
def test_event_rules_skip_values_of_the_wrong_type(entries: list[Any]) -> None:
    for rule in (details_match_type, attendance_year_and_term, attendance_sessions,
                 suspension_total):
        assert list(rule({"entries": entries}, CTX)) == []
    for document in (None, {"entries": "none"}, {"entries": None}):
        assert list(suspension_total(document, CTX)) == []


# -- version 2: the attendance period, Operation Encompass, the DSL's decision --------

CTX_V2 = context("education", "chronology", 2)


def _v2(rule: Any, *entries: dict[str, Any]) -> list[tuple[str, str]]:
    return [(p.pointer, p.code) for p in rule({"entries": list(entries)}, CTX_V2)]


@pytest.mark.parametrize(("start", "end", "expected"), [
    ("2024-09-04", "2024-12-18", []),
    ("2024-09-04", "2024-12-20", []),                     # up to the entry's own day
    ("2024-12-18", "2024-09-04", ["education.attendance.period_order"]),
    ("2024-09-04", "2024-12-21", ["education.attendance.period_after_entry"]),
])
def test_attendance_period_runs_forwards_and_is_over_by_the_entry(
        start: str, end: str, expected: list[str]) -> None:
    entry = _entry("2024-12-20", "attendance",
                   attendance={"percentage": 80, "from": start, "to": end})
    assert [code for _, code in _v2(attendance_period, entry)] == expected


def test_an_encompass_incident_not_known_is_never_after_its_notification() -> None:
    def notice(incident: str) -> dict[str, Any]:
        return _entry("2024-10-07", "operation_encompass",
                      operation_encompass={"incident_date": incident})
    assert _v2(encompass_incident_date, notice("not_known")) == []
    assert _v2(encompass_incident_date, notice("2024-10-05")) == []
    assert _v2(encompass_incident_date, notice("2024-10-08")) == [
        ("/entries/0/operation_encompass/incident_date",
         "education.operation_encompass.incident_after_notification")]


@pytest.mark.parametrize("event_type", ["dsl_no_referral", "operation_encompass"])
def test_v2_detail_types_need_their_details_in_v2_only(event_type: str) -> None:
    entry = _entry("2024-10-07", event_type)
    assert _v2(details_match_type, entry) == [
        (f"/entries/0/{event_type}", "education.event.details_missing")]
    assert _codes(details_match_type, entry) == []  # v1 has no such type: the schema says so


def test_v2_attendance_says_its_period_as_a_term_or_from_and_to() -> None:
    def attendance(**period: str) -> dict[str, Any]:
        return _entry("2024-12-20", "attendance", attendance={"percentage": 80, **period})
    assert _v2(attendance_period, attendance(academic_year="2024/25", term="autumn")) == []
    assert _v2(attendance_period, attendance(**{"from": "2024-09-04", "to": "2024-12-18"})) \
        == []
    assert _v2(attendance_period, attendance(academic_year="2024/25")) == [
        ("/entries/0/attendance", "education.attendance.period_missing")]
    assert _codes(attendance_period, attendance()) == []  # v1 asks a term by schema
