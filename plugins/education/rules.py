"""The education forms' own rules: pure functions (document, context) -> problems.

Identifiers (UPN, URN, LAESTAB, local authority) are checked here rather than by
schema patterns, so a bad identifier gives exactly one problem, with a code
naming the identifier and a message saying what is wrong with it (see
:mod:`scr_returns.plugins.education.identifiers`). The rules about what an entry of each
event type records live in :mod:`scr_returns.plugins.education.events`.

Rules run even on documents the schema refused, so every value is checked for
its type before use and anything unexpected is skipped: the schema reports it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from scr_returns import (
    Problem,
    Rule,
    RuleContext,
    chronology_entries,
    json_pointer,
    local_authority_valid,
    problem,
)

from .events import EVENT_RULES
from .identifiers import laestab_fault, upn_fault, urn_fault

CODES: dict[str, str] = {
    "education.upn.format":
        "A unique pupil number is not 13 characters: a letter, 11 digits and a digit or letter.",
    "education.upn.check_letter":
        "A unique pupil number's check letter does not match the rest of the number.",
    "education.upn.la_number":
        "Characters 2-4 of a unique pupil number are not a DfE local authority number.",
    "education.upn.duplicate": "One unique pupil number is given for two different pupils.",
    "education.pupil.subject_unknown":
        "A UPN is given for a key that is not in the review's subject register.",
    "education.urn.format": "A school URN is not 6 digits (or EY and 6 digits).",
    "education.laestab.format": "A LAESTAB is not 7 digits.",
    "education.laestab.la_number":
        "The first three digits of a LAESTAB are not a DfE local authority number.",
    "education.local_authority.format":
        "A local authority is not a 3-digit DfE number or a 9-character GSS code.",
    "education.event.details_missing":
        "An entry of this event type lacks the details the type requires (e.g. attendance "
        "figures, suspension length).",
    "education.event.details_unexpected":
        "An entry gives details that belong to a different event type.",
    "education.attendance.academic_year":
        "An academic year is not two consecutive years (e.g. 2024/25).",
    "education.attendance.term_not_started":
        "Attendance is recorded for a term that had not started on the entry's date.",
    "education.attendance.sessions":
        "Attended or unauthorised sessions exceed what the possible sessions allow.",
    "education.attendance.percentage_mismatch":
        "The attendance percentage disagrees with the sessions attended and possible.",
    "education.attendance.period_missing":
        "An attendance figure does not say the period it covers (a term, or from and to).",
    "education.attendance.period_order":
        "The period an attendance figure covers ends before it begins.",
    "education.attendance.period_after_entry":
        "The period an attendance figure covers runs past the entry's date.",
    "education.operation_encompass.incident_after_notification":
        "An Operation Encompass notification is dated before the incident it tells of.",
    "education.upn_recorded.subject_not_in_entry":
        "The pupil whose UPN an entry names is not one of the entry's subjects.",
    "education.upn_recorded.not_listed":
        "The UPN an entry names is not that pupil's UPN of that kind (current, temporary, "
        "former) in 'pupils'.",
    "education.suspension.over_45_days":
        "Warning: suspensions of one pupil add up to more than 45 school days in a school "
        "year, the legal maximum.",
}
"""Every code these rules produce -> its meaning (merged into AgencySpec.codes)."""

# Fields of the three short forms that list schools (see their schemas).
_SCHOOL_LISTS = ("schools", "schools_checked")


def _report(pointer: str, fault: tuple[str, str] | None) -> Iterator[Problem]:
    if fault is not None:
        yield problem(pointer, *fault)


def _school_problems(school: object, at: str) -> Iterator[Problem]:
    """Problems of the URN and LAESTAB of the school object at pointer ``at``."""
    if not isinstance(school, Mapping):
        return
    urn, laestab = school.get("urn"), school.get("laestab")
    if isinstance(urn, str):
        yield from _report(at + json_pointer("urn"), urn_fault(urn))
    if isinstance(laestab, str):
        yield from _report(at + json_pointer("laestab"), laestab_fault(laestab))


def entry_schools(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """URN and LAESTAB of the school on each chronology entry."""
    for entry in chronology_entries(document, context=context):
        yield from _school_problems(entry.raw.get("school"), entry.pointer("school"))


def listed_schools(document: object, context: RuleContext) -> Iterator[Problem]:
    """URN and LAESTAB of each school listed by an agency report, nil return or records form."""
    if not isinstance(document, Mapping):
        return
    for field in _SCHOOL_LISTS:
        schools = document.get(field)
        if isinstance(schools, list):
            for index, school in enumerate(schools):
                yield from _school_problems(school, json_pointer(field, index))


def _pupil_upns(document: object) -> Iterator[tuple[str, str, str]]:
    """(subject key, pointer, UPN) for every UPN in the chronology's pupils."""
    pupils = document.get("pupils") if isinstance(document, Mapping) else None
    if not isinstance(pupils, Mapping):
        return
    for key, pupil in pupils.items():
        if not isinstance(pupil, Mapping):
            continue
        if isinstance(pupil.get("upn"), str):
            yield key, json_pointer("pupils", key, "upn"), pupil["upn"]
        for field in _UPN_LISTS.values():
            listed = pupil.get(field)
            if isinstance(listed, list):
                for index, upn in enumerate(listed):
                    if isinstance(upn, str):
                        yield key, json_pointer("pupils", key, field, index), upn


# The kind of UPN an entry names -> the list of such UPNs in a pupil's record.
_UPN_LISTS = {"temporary": "temporary_upns", "former": "former_upns"}


def _listed_upns(pupil: object, kind: str) -> list[object]:
    if not isinstance(pupil, Mapping):
        return []
    if kind == "current":
        return [pupil.get("upn")]
    listed = pupil.get(_UPN_LISTS.get(kind, ""))
    return listed if isinstance(listed, list) else []


def upn_recorded(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """The UPN an entry names belongs to one of its subjects and is listed in ``pupils``."""
    pupils = document.get("pupils") if isinstance(document, Mapping) else None
    for entry in chronology_entries(document, context=context):
        named = entry.raw.get("upn_recorded")
        if not isinstance(named, Mapping):
            continue
        subject, kind, upn = named.get("subject"), named.get("kind"), named.get("upn")
        subjects = entry.get("subjects")
        if isinstance(subject, str) and isinstance(subjects, list) and subject not in subjects:
            yield problem(entry.pointer("upn_recorded", "subject"),
                          "education.upn_recorded.subject_not_in_entry",
                          f"{subject!r} is not one of this entry's subjects; add them to "
                          "'subjects' or correct the key.")
        if not isinstance(upn, str):
            continue
        fault = upn_fault(upn)
        if fault is not None:
            yield from _report(entry.pointer("upn_recorded", "upn"), fault)
        elif isinstance(subject, str) and isinstance(kind, str) and kind in (
                "current", *_UPN_LISTS) and isinstance(pupils, Mapping) and \
                upn not in _listed_upns(pupils.get(subject), kind):
            yield problem(entry.pointer("upn_recorded", "upn"),
                          "education.upn_recorded.not_listed",
                          f"UPN {upn} is not {subject!r}'s {kind} UPN in 'pupils'. List it "
                          "there, or correct the UPN or its kind.")


def pupil_upns(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """Each UPN well formed, its check letter right and its LA number real."""
    for _, pointer, upn in _pupil_upns(document):
        yield from _report(pointer, upn_fault(upn))


def upns_unique(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """A UPN belongs to one pupil for life: two subjects cannot share one."""
    owner: dict[str, str] = {}
    for key, pointer, upn in _pupil_upns(document):
        first = owner.setdefault(upn, key)
        if first != key:
            yield problem(pointer, "education.upn.duplicate",
                          f"UPN {upn} is already given for {first!r}; a UPN belongs to one "
                          "pupil only. Check which of them it belongs to.")


def pupils_known(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """Each pupil key names a subject in the review's register (needs the review)."""
    review = context.review
    pupils = document.get("pupils") if isinstance(document, Mapping) else None
    if review is None or not isinstance(pupils, Mapping):
        return
    for key in pupils:
        if key not in review.subjects:
            yield problem(json_pointer("pupils", key), "education.pupil.subject_unknown",
                          f"{key!r} is not in the subject register of review {review.ref}; "
                          f"use one of: {', '.join(sorted(review.subjects))}.")


def plan_local_authority(document: Mapping[str, Any], context: RuleContext
                         ) -> Iterator[Problem]:
    """The local authority named on an EHC plan entry is a DfE number or GSS code."""
    for entry in chronology_entries(document, context=context):
        plan = entry.raw.get("ehc_plan")
        value = plan.get("local_authority") if isinstance(plan, Mapping) else None
        if isinstance(value, str) and not local_authority_valid(value):
            yield problem(entry.pointer("ehc_plan", "local_authority"),
                          "education.local_authority.format",
                          f"{value!r} is not a local authority: give its 3-digit DfE number "
                          "(e.g. 921) or its 9-character GSS code (e.g. E06000046).")


CHRONOLOGY_RULES: tuple[Rule, ...] = (pupil_upns, upns_unique, pupils_known, upn_recorded,
                                      entry_schools, plan_local_authority, *EVENT_RULES)
"""Education's own chronology rules, run after the common ones."""

SCHOOL_LIST_RULES: tuple[Rule, ...] = (listed_schools,)
"""Education's own rules for the agency report, nil return and records-secured forms."""
