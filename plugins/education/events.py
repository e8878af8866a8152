"""Rules about what an education chronology entry records for its event type.

Some event types carry a details object of their own (a term's attendance, a
suspension...). The type and the details must go together: a suspension entry
without its length is as unusable to the panel as attendance figures filed
under a home visit, whose term the panel cannot tell.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import MAXYEAR, MINYEAR, date
from typing import Any

from scr_returns import (
    ChronologyEntry,
    Problem,
    Rule,
    RuleContext,
    chronology_entries,
    parse_date,
    problem,
)

DETAIL_TYPES: tuple[str, ...] = ("attendance", "suspension", "permanent_exclusion",
                                  "dsl_referral", "ehc_plan", "elective_home_education")
"""Event types with details: an entry of one gives a field of the same name, and no
entry of another type may give it."""

DETAIL_TYPES_V2: tuple[str, ...] = (*DETAIL_TYPES, "dsl_no_referral", "operation_encompass")
"""The event types with details from version 2 of the chronology on."""

SUSPENSION_LIMIT_DAYS = 45
"""A pupil may not be suspended for more than 45 school days in a school year."""

# The earliest day each term can begin: (which year of the academic year it
# falls in, 0 the first or 1 the second; month; day). Deliberately early:
# some academies start the autumn term in August and an early Easter can start
# the summer term in March, and a refusal must never be wrong.
_TERM_STARTS = {"autumn": (0, 8, 1), "spring": (1, 1, 1), "summer": (1, 3, 1)}

# The schema's pattern for an academic year, with its parts named.
_ACADEMIC_YEAR = re.compile(r"(?P<first>[0-9]{4})/(?P<second>[0-9]{2})")

# Attendance figures are usually given to one decimal place or a whole number.
_PERCENT_TOLERANCE = 0.5


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _latest_day(entry: ChronologyEntry) -> date | None:
    """The latest day the entry's date can mean, or ``None`` if it is unreadable or vague."""
    day = entry.date
    precision = entry.get("date_precision") or "exact"
    if day is None or precision == "approximate":
        return None
    if precision == "month":
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if precision == "year":
        return day.replace(month=12, day=31)
    return day


def _consecutive(first: int, second: int) -> bool:
    return (first + 1) % 100 == second


def details_match_type(document: Mapping[str, Any], context: RuleContext
                       ) -> Iterator[Problem]:
    """An entry gives its type's details, and no details of another type."""
    detail_types = DETAIL_TYPES if context.schema_version < 2 else DETAIL_TYPES_V2
    for entry in chronology_entries(document, context=context):
        event_type = entry.get("event_type")
        if not isinstance(event_type, str):
            continue  # the schema reports a missing or mistyped event type
        if event_type in detail_types and event_type not in entry.raw:
            yield problem(entry.pointer(event_type),
                          "education.event.details_missing",
                          f"An entry of type {event_type!r} must give '{event_type}': the "
                          "panel needs those details to read the event.")
        for field in detail_types:
            if field in entry.raw and field != event_type:
                yield problem(entry.pointer(field),
                              "education.event.details_unexpected",
                              f"'{field}' belongs to entries of type {field!r}, not "
                              f"{event_type!r}. Change the event type, or record the "
                              f"{field.replace('_', ' ')} as an entry of its own.")


def attendance_year_and_term(document: Mapping[str, Any], context: RuleContext
                             ) -> Iterator[Problem]:
    """The academic year is two consecutive years, and the term had begun by the entry's date."""
    for entry in chronology_entries(document, context=context):
        attendance = entry.raw.get("attendance")
        if not isinstance(attendance, Mapping) or not isinstance(attendance.get("academic_year"),
                                                                  str):
            continue
        written = attendance["academic_year"]
        shape = _ACADEMIC_YEAR.fullmatch(written)
        if shape is None:
            continue  # the schema's pattern refuses it
        start = int(shape["first"])
        if not _consecutive(start, int(shape["second"])):
            yield problem(entry.pointer("attendance", "academic_year"),
                          "education.attendance.academic_year",
                          f"{written!r} is not an academic year: write its two consecutive "
                          f"years, e.g. {start}/{(start + 1) % 100:02d}.")
            continue
        term = attendance.get("term")
        latest = _latest_day(entry)
        if not isinstance(term, str) or term not in _TERM_STARTS or latest is None:
            continue
        offset, month, day = _TERM_STARTS[term]
        if not MINYEAR <= start + offset <= MAXYEAR:
            continue  # e.g. "0000/01": no real term to compare with
        begins = date(start + offset, month, day)
        if latest < begins:
            yield problem(entry.pointer("attendance", "term"),
                          "education.attendance.term_not_started",
                          f"This entry is dated {entry.get('date')} but gives attendance for the "
                          f"{term} term of {written}, which had not started then. Check the "
                          "term, the academic year and the entry's date.")


def attendance_sessions(document: Mapping[str, Any], context: RuleContext
                        ) -> Iterator[Problem]:
    """Sessions add up, and the percentage agrees with them when they are given."""
    for entry in chronology_entries(document, context=context):
        attendance = entry.raw.get("attendance")
        if not isinstance(attendance, Mapping):
            continue
        possible = _count(attendance.get("sessions_possible"))
        attended = _count(attendance.get("sessions_attended"))
        unauthorised = _count(attendance.get("unauthorised_sessions"))
        percentage = _number(attendance.get("percentage"))
        if possible is None or possible < 1:
            continue
        if attended is not None and attended > possible:
            yield problem(entry.pointer("attendance", "sessions_attended"),
                          "education.attendance.sessions",
                          f"{attended} sessions attended is more than the {possible} "
                          "possible sessions.")
            continue
        if unauthorised is not None and attended is not None \
                and unauthorised > possible - attended:
            yield problem(entry.pointer("attendance", "unauthorised_sessions"),
                          "education.attendance.sessions",
                          f"{unauthorised} sessions of unauthorised absence is more than the "
                          f"{possible - attended} sessions missed ({possible} possible, "
                          f"{attended} attended).")
        if attended is not None and percentage is not None:
            actual = 100 * attended / possible
            if abs(actual - percentage) > _PERCENT_TOLERANCE:
                yield problem(entry.pointer("attendance", "percentage"),
                              "education.attendance.percentage_mismatch",
                              f"{attended} of {possible} sessions is {actual:.1f}% attendance, "
                              f"not {percentage:g}%. Check the figures against the register.")


def attendance_period(document: Mapping[str, Any], context: RuleContext
                      ) -> Iterator[Problem]:
    """An attendance figure says the period it covers (from version 2: a term, or from and
    to); that period runs forwards and has ended by the entry's date."""
    for entry in chronology_entries(document, context=context):
        attendance = entry.raw.get("attendance")
        if not isinstance(attendance, Mapping):
            continue
        if context.schema_version >= 2 and not {"term", "academic_year"} <= set(attendance) \
                and not {"from", "to"} <= set(attendance):
            yield problem(entry.pointer("attendance"), "education.attendance.period_missing",
                          "Say which period this attendance figure covers: its term and "
                          "academic year, or its first and last day ('from' and 'to').")
        start, end = parse_date(attendance.get("from")), parse_date(attendance.get("to"))
        latest = _latest_day(entry)
        if start is not None and end is not None and end < start:
            yield problem(entry.pointer("attendance", "to"), "education.attendance.period_order",
                          f"The attendance figure's period ends ({end.isoformat()}) before it "
                          f"begins ({start.isoformat()}). Check both dates.")
        elif end is not None and latest is not None and end > latest:
            yield problem(entry.pointer("attendance", "to"),
                          "education.attendance.period_after_entry",
                          f"The attendance figure covers days up to {end.isoformat()}, after "
                          f"this entry's date ({entry.get('date')}), so it cannot have been "
                          "known then. Check the period and the entry's date.")


def encompass_incident_date(document: Mapping[str, Any], context: RuleContext
                            ) -> Iterator[Problem]:
    """An Operation Encompass notification follows the incident it tells of."""
    for entry in chronology_entries(document, context=context):
        details = entry.raw.get("operation_encompass")
        incident = parse_date(details.get("incident_date")) \
            if isinstance(details, Mapping) else None
        latest = _latest_day(entry)
        if incident is not None and latest is not None and incident > latest:
            yield problem(entry.pointer("operation_encompass", "incident_date"),
                          "education.operation_encompass.incident_after_notification",
                          f"The incident is dated {incident.isoformat()}, after the "
                          f"notification about it ({entry.get('date')}). Check both dates; "
                          "if the notification does not give the incident's date, write "
                          "not_known.")


def _school_year(day: date) -> int:
    """The first calendar year of the school year (1 September - 31 August) of ``day``."""
    return day.year if day.month >= 9 else day.year - 1


def suspension_total(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """Warn where one pupil's suspensions pass 45 school days in a school year.

    The law caps them at 45, but the chronology records what happened: going
    over is something the panel must see, not a reason to refuse the return.
    Reported once, at the suspension that passes the limit.
    """
    totals: dict[tuple[str, int], float] = defaultdict(float)
    for entry in chronology_entries(document, context=context):
        if entry.get("event_type") != "suspension":
            continue
        details, day = entry.raw.get("suspension"), entry.date
        days = _number(details.get("days")) if isinstance(details, Mapping) else None
        subjects = entry.get("subjects")
        if days is None or day is None or not isinstance(subjects, list):
            continue
        year = _school_year(day)
        over = []
        for subject in dict.fromkeys(s for s in subjects if isinstance(s, str)):
            before = totals[subject, year]
            totals[subject, year] = before + days
            if before <= SUSPENSION_LIMIT_DAYS < before + days:
                over.append(f"{subject} ({before + days:g} days)")
        if over:
            yield problem(entry.pointer("suspension", "days"),
                          "education.suspension.over_45_days",
                          f"With this suspension, suspensions in the {year}/{(year + 1) % 100:02d} "
                          f"school year add up to more than {SUSPENSION_LIMIT_DAYS} school "
                          f"days for {', '.join(over)}, the most the law allows. If that is "
                          "what happened, say so in the description.", "warning")


EVENT_RULES: tuple[Rule, ...] = (details_match_type, attendance_year_and_term,
                                 attendance_sessions, attendance_period, encompass_incident_date,
                                 suspension_total)
"""The event-type rules of the education chronology."""
