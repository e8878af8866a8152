"""Children's social care rules: pure functions ``(document, context) -> problems``.

The schema says what each field may hold; these rules say which fields an
event needs and how events relate, with codes a practitioner can look up.
Every rule skips values of the wrong type: the schema already reports them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from scr_returns import (
    ChronologyEntry,
    Problem,
    RuleContext,
    chronology_entries,
    date_span,
    local_authority_valid,
    problem,
)

CODES: dict[str, str] = {
    "social-care.local_authority.format":
        "A local authority is not a 3-digit DfE number or a 9-character GSS code.",
    "social-care.plan_category.missing":
        "A child protection plan (or a conference that made or continued one) has no "
        "plan category.",
    "social-care.plan_category.not_applicable":
        "A plan category is given on an entry that is not about a child protection plan.",
    "social-care.conference_type.missing":
        "A child protection conference does not say whether it was initial, review or "
        "transfer-in.",
    "social-care.legal_status.missing":
        "A child becoming looked after has no legal status.",
    "social-care.closure_reason.missing": "A case closure does not say why the case closed.",
    "social-care.contact_reason.missing": "A contact does not say why it was made.",
    "social-care.assessment_outcome.missing": "An assessment does not give its outcome.",
    "social-care.section_47.details_missing":
        "A section 47 enquiry does not give its details (status, joint or not, outcome, "
        "conference called).",
    "social-care.court_report_type.missing": "A court report does not say which report.",
    "social-care.section_47.conference_not_recorded":
        "Warning: a section 47 enquiry called an initial child protection conference, and no "
        "initial conference is recorded on or after it.",
    "social-care.strategy_discussion.agency_missing":
        "Warning: a strategy discussion did not include social care, police and health.",
    "social-care.section_47.no_strategy_discussion":
        "Warning: a section 47 enquiry has no strategy discussion on or before its date.",
    "social-care.conference.no_section_47":
        "Warning: an initial child protection conference has no section 47 enquiry on or "
        "before its date.",
}

# Event types whose entries may carry a plan category: the plan itself, its end,
# and the conference that decides on it.
_PLAN_EVENTS = frozenset({"child_protection_plan", "child_protection_plan_ended",
                          "child_protection_conference"})
_PLAN_DECISIONS = frozenset({"child_protection_plan", "plan_continues"})

# Working Together: a strategy discussion involves at least these three.
_STRATEGY_CORE = ("social_care", "police", "health")

# event type -> (field it needs, code, what the practitioner is told)
_REQUIRED_DETAIL: dict[str, tuple[str, str, str]] = {
    "child_protection_conference": (
        "conference_type", "social-care.conference_type.missing",
        "Say whether this conference was initial, review or transfer-in."),
    "child_looked_after": (
        "legal_status", "social-care.legal_status.missing",
        "Give the legal status on which the child became looked after "
        "(e.g. section 20, interim care order)."),
    "case_closure": (
        "closure_reason", "social-care.closure_reason.missing",
        "Say why the case was closed."),
}

# From version 2 of the chronology: event type -> (field it needs, code, message)
_REQUIRED_DETAIL_V2: dict[str, tuple[str, str, str]] = {
    **_REQUIRED_DETAIL,
    "contact": (
        "contact_reason", "social-care.contact_reason.missing",
        "Say why the contact was made (e.g. domestic abuse, neglect), or not_known."),
    "assessment": (
        "assessment_outcome", "social-care.assessment_outcome.missing",
        "Give the assessment's outcome (e.g. child in need plan, no further action), ongoing "
        "if it had not finished, or not_known."),
    "section_47_enquiry": (
        "section_47", "social-care.section_47.details_missing",
        "Give the enquiry's details: whether it started or completed, whether it was joint "
        "with the police, and once completed its outcome and whether an initial child "
        "protection conference was called."),
    "court_report": (
        "court_report_type", "social-care.court_report_type.missing",
        "Say which report this was (e.g. section 7, statement of evidence), or not_known."),
}


def _span(entry: ChronologyEntry) -> tuple[date, date] | None:
    """The first and last day an entry's date may mean, given its precision."""
    return None if entry.date is None else date_span(entry.date, entry.get("date_precision"))


def _happened_by(entries: list[ChronologyEntry], event_type: str, latest: date) -> bool:
    """True if some entry of ``event_type`` may have happened on or before ``latest``."""
    for entry in entries:
        if entry.raw.get("event_type") != event_type:
            continue
        span = _span(entry)
        if span is not None and span[0] <= latest:
            return True
    return False


def local_authority_format(document: Mapping[str, Any], context: RuleContext,
                           ) -> Iterator[Problem]:
    """The return's local authority, and any entry's, must be a DfE number or GSS code."""
    message = ("Give the local authority as its 3-digit DfE number (e.g. '921') or its "
               "9-character GSS code (e.g. 'E06000046').")
    if isinstance(document, Mapping):
        value = document.get("local_authority")
        if isinstance(value, str) and not local_authority_valid(value):
            yield problem("/local_authority", "social-care.local_authority.format", message)
    for entry in chronology_entries(document, context=context):
        value = entry.raw.get("local_authority")
        if isinstance(value, str) and not local_authority_valid(value):
            yield problem(entry.pointer("local_authority"),
                          "social-care.local_authority.format", message)


def plan_category(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """A plan needs its category; a category belongs only to plan-related entries."""
    for entry in chronology_entries(document, context=context):
        event = entry.raw.get("event_type")
        decision = entry.raw.get("conference_decision")
        needs = event == "child_protection_plan" or (
            event == "child_protection_conference"
            and isinstance(decision, str) and decision in _PLAN_DECISIONS)
        if needs and "plan_category" not in entry.raw:
            yield problem(entry.pointer("plan_category"), "social-care.plan_category.missing",
                          "Give the category of the child protection plan: neglect, physical "
                          "abuse, emotional abuse or sexual abuse.")
        elif "plan_category" in entry.raw and isinstance(event, str) \
                and event not in _PLAN_EVENTS:
            yield problem(entry.pointer("plan_category"),
                          "social-care.plan_category.not_applicable",
                          "A plan category belongs only on a child protection plan or "
                          "conference entry; check the event type.")


def required_details(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """Conferences, becoming looked after and closures each need their key detail; from
    version 2, contacts, assessments, section 47 enquiries and court reports too."""
    # NOTE: a not_known value is the honest answer and satisfies the requirement.
    required = _REQUIRED_DETAIL if context.schema_version < 2 else _REQUIRED_DETAIL_V2
    for entry in chronology_entries(document, context=context):
        event = entry.raw.get("event_type")
        if not isinstance(event, str) or event not in required:
            continue
        field, code, message = required[event]
        if field not in entry.raw:
            yield problem(entry.pointer(field), code, message)


def strategy_discussion_agencies(document: Mapping[str, Any], context: RuleContext,
                                 ) -> Iterator[Problem]:
    """Warn when a strategy discussion left out social care, police or health."""
    for entry in chronology_entries(document, context=context):
        attended = entry.raw.get("attended_by")
        if entry.raw.get("event_type") != "strategy_discussion" \
                or not isinstance(attended, list):
            continue
        missing = [a for a in _STRATEGY_CORE if a not in attended]
        if missing:
            names = ", ".join(m.replace("_", " ") for m in missing)
            yield problem(entry.pointer("attended_by"),
                          "social-care.strategy_discussion.agency_missing",
                          f"A strategy discussion should include social care, police and "
                          f"health; {names} did not take part. Explain why in the "
                          f"description.", "warning")


def section_47_sequence(document: Mapping[str, Any], context: RuleContext,
                        ) -> Iterator[Problem]:
    """Warn when a section 47 enquiry or initial conference lacks the step before it."""
    entries = list(chronology_entries(document, context=context))
    for entry in entries:
        event = entry.raw.get("event_type")
        span = _span(entry)
        if span is None:
            continue
        if event == "section_47_enquiry" and \
                not _happened_by(entries, "strategy_discussion", span[1]):
            yield problem(entry.pointer(), "social-care.section_47.no_strategy_discussion",
                          "No strategy discussion is recorded on or before this section 47 "
                          "enquiry; add it (as background if before the scoping period) or "
                          "explain why there was none.", "warning")
        elif event == "child_protection_conference" and \
                entry.raw.get("conference_type") == "initial" and \
                not _happened_by(entries, "section_47_enquiry", span[1]):
            yield problem(entry.pointer(), "social-care.conference.no_section_47",
                          "No section 47 enquiry is recorded on or before this initial child "
                          "protection conference; add it (as background if before the "
                          "scoping period) or explain why there was none.", "warning")


def conference_called(document: Mapping[str, Any], context: RuleContext,
                      ) -> Iterator[Problem]:
    """Warn when a completed enquiry called an initial conference that is not recorded."""
    entries = list(chronology_entries(document, context=context))
    conferences = [span[1] for entry in entries
                   if entry.raw.get("event_type") == "child_protection_conference"
                   and entry.raw.get("conference_type") == "initial"
                   and (span := _span(entry)) is not None]
    for entry in entries:
        details = entry.raw.get("section_47")
        span = _span(entry)
        if entry.raw.get("event_type") != "section_47_enquiry" or span is None \
                or not isinstance(details, Mapping) or details.get("icpc_called") is not True:
            continue
        if not any(latest >= span[0] for latest in conferences):
            yield problem(entry.pointer("section_47", "icpc_called"),
                          "social-care.section_47.conference_not_recorded",
                          "This enquiry called an initial child protection conference, but "
                          "none is recorded on or after it; add the conference, or say in the "
                          "description why it did not take place.", "warning")


CHRONOLOGY_RULES = (local_authority_format, plan_category, required_details,
                    strategy_discussion_agencies, section_47_sequence, conference_called)
"""The social-care rules of the chronology form, after the common ones."""

HEADER_RULES = (local_authority_format,)
"""The social-care rules of the agency report, nil return and records-secured forms."""
