"""Legal services rules: pure functions ``(document, context) -> problems``.

The schema says what each field may hold; these rules say which fields an
event needs, how the Public Law Outline stage fits the event, and what the
Children Act 1989 allows an emergency protection order to last. Every rule
skips values of the wrong type: the schema already reports them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from scr_returns import (
    ChronologyEntry,
    Problem,
    RuleContext,
    chronology_entries,
    date_span,
    is_not_known,
    local_authority_valid,
    parse_date,
    problem,
)

CODES: dict[str, str] = {
    "legal.local_authority.format":
        "The local authority is not a 3-digit DfE number or a 9-character GSS code.",
    "legal.order_type.missing": "A court application or order does not say which order.",
    "legal.order_type.not_applicable":
        "An order type is given on an entry that is not about court proceedings.",
    "legal.plo_stage.missing": "A court hearing does not give its Public Law Outline stage.",
    "legal.plo_stage.mismatch":
        "The Public Law Outline stage does not fit the event (a court event at the "
        "pre-proceedings stage, or a pre-proceedings event at a court stage).",
    "legal.plo_stage.private_law":
        "A Public Law Outline stage is given for a private-law court event.",
    "legal.hearing_type.missing":
        "A hearing without a Public Law Outline stage (private law, or public law outside "
        "the stages) does not say what kind of hearing it was.",
    "legal.meeting_decision.missing": "A legal planning meeting does not record its decision.",
    "legal.order.expiry_before_made": "An order ends before the date it was made.",
    "legal.emergency_protection.too_long":
        "An emergency protection order lasts longer than the law allows (8 days; an "
        "extension at most 7 more).",
    "legal.order.no_application":
        "Warning: an order is recorded with no application for it on or before its date.",
}

# Events that belong to court proceedings, where an order type makes sense.
_COURT_EVENTS = frozenset({"court_application", "court_hearing", "court_order",
                           "proceedings_withdrawn", "proceedings_concluded"})
_PRE_PROCEEDINGS_EVENTS = frozenset({"pre_proceedings_letter", "pre_proceedings_meeting",
                                     "plo_review_meeting"})
# Section 8 orders: private law, though the court may make one in any family
# proceedings, on an application for another or of its own motion, public-law
# proceedings included (Children Act 1989 s 10(1)).
_PRIVATE_ORDERS = frozenset({"child_arrangements_order", "prohibited_steps_order",
                             "specific_issue_order"})
_NEEDS_ORDER_TYPE = frozenset({"court_application", "court_order"})

# Which applications an order may be made on. On an application for a care or
# a supervision order the court may make either (Children Act 1989 s 31(5)),
# and an interim care or supervision order on either (s 38(1)).
_CARE_OR_SUPERVISION = frozenset({"care_order", "interim_care_order", "supervision_order",
                                  "interim_supervision_order"})
_MADE_ON: dict[str, frozenset[str]] = {
    "emergency_protection_order": frozenset({"emergency_protection_order"}),
    **{kind: _CARE_OR_SUPERVISION for kind in _CARE_OR_SUPERVISION},
    **{kind: _PRIVATE_ORDERS | _CARE_OR_SUPERVISION for kind in _PRIVATE_ORDERS},
}

# Children Act 1989 s 45(1) and (5): an EPO lasts at most 8 days; it may be
# extended once, by at most 7 days from when it would have ended. By s 45(2), an
# order whose 8th day is Christmas Day, Good Friday, a bank holiday or a Sunday
# runs on to noon of the next day that is none of those.
EPO_MAX_DAYS = 8
EPO_EXTENSION_MAX_DAYS = 7

def _may_not_be_working_day(day: date) -> bool:
    """Whether ``day`` could be a Sunday, Christmas Day, Good Friday or a bank holiday.

    Without a bank-holiday calendar this errs on the lawful side: every Monday,
    every Friday in March or April, and the Christmas and New Year days that
    substitute holidays can fall on count as possibly not working days.
    """
    return (day.weekday() in (0, 6)
            or (day.weekday() == 4 and day.month in (3, 4))
            or (day.month == 12 and day.day >= 25)
            or (day.month == 1 and day.day <= 3))


def _latest_lawful_end(start: date, days: int) -> date:
    """``start`` plus ``days``, carried past days that may not be working days (s 45(2))."""
    end = start + timedelta(days=days)
    while _may_not_be_working_day(end):
        end += timedelta(days=1)
    return end


def _span(entry: ChronologyEntry) -> tuple[date, date] | None:
    """The first and last day an entry's date may mean, given its precision."""
    return None if entry.date is None else date_span(entry.date, entry.get("date_precision"))


def local_authority_format(document: Mapping[str, Any], context: RuleContext,
                           ) -> Iterator[Problem]:
    """The local authority acted for, when given, must be a DfE number or GSS code."""
    value = document.get("local_authority") if isinstance(document, Mapping) else None
    if isinstance(value, str) and not local_authority_valid(value):
        yield problem("/local_authority", "legal.local_authority.format",
                      "Give the local authority as its 3-digit DfE number (e.g. '921') or its "
                      "9-character GSS code (e.g. 'E06000046').")


def order_type(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """Applications and orders name the order; other events outside court do not."""
    for entry in chronology_entries(document, context=context):
        event = entry.raw.get("event_type")
        if not isinstance(event, str):
            continue
        if event in _NEEDS_ORDER_TYPE and "order_type" not in entry.raw:
            what = "applied for" if event == "court_application" else "made"
            yield problem(entry.pointer("order_type"),
                          "legal.order_type.missing",
                          f"Say which order was {what} (e.g. emergency protection, interim "
                          f"care, care, child arrangements), or not_known.")
        elif "order_type" in entry.raw and event not in _COURT_EVENTS:
            yield problem(entry.pointer("order_type"),
                          "legal.order_type.not_applicable",
                          "An order type belongs only on a court application, hearing or "
                          "order; check the event type, or record the decision to apply as "
                          "a legal planning meeting's decision.")


def _private_law(entry: ChronologyEntry) -> bool:
    """A court event of private-law proceedings: so declared, or about a section 8 order
    with nothing saying public law."""
    proceedings, order = entry.raw.get("proceedings"), entry.raw.get("order_type")
    return proceedings == "private_law" or (
        proceedings != "public_law" and isinstance(order, str) and order in _PRIVATE_ORDERS)


def plo_stage(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """A public-law hearing gives its PLO stage, and the stage must fit court or
    pre-proceedings; a private-law event has none. A not-known stage fits anything."""
    for entry in chronology_entries(document, context=context):
        event = entry.raw.get("event_type")
        stage = entry.raw.get("plo_stage")
        pointer = entry.pointer("plo_stage")
        if not isinstance(event, str):
            continue  # the schema reports it
        private = event in _COURT_EVENTS and _private_law(entry)
        if private and "plo_stage" in entry.raw:
            yield problem(pointer, "legal.plo_stage.private_law",
                          "The Public Law Outline applies to public-law proceedings only; "
                          "leave the stage out of a private-law event, or correct "
                          "'proceedings' or the order type.")
        elif event == "court_hearing" and "plo_stage" not in entry.raw and not private:
            yield problem(pointer, "legal.plo_stage.missing",
                          "Give the Public Law Outline stage of this hearing (e.g. case "
                          "management hearing, issues resolution hearing, final hearing), "
                          "not_at_a_plo_stage for a hearing outside the stages, or not_known.")
        elif not isinstance(stage, str) or is_not_known(stage):
            continue
        elif event in _COURT_EVENTS and stage == "pre_proceedings":
            yield problem(pointer, "legal.plo_stage.mismatch",
                          "A court event cannot be at the pre-proceedings stage; give the "
                          "stage the proceedings had reached.")
        elif event in _PRE_PROCEEDINGS_EVENTS and stage != "pre_proceedings":
            yield problem(pointer, "legal.plo_stage.mismatch",
                          "A letter before proceedings, pre-proceedings meeting or PLO review "
                          "meeting belongs to the pre-proceedings stage, not a court stage.")


def hearing_type(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """From version 2: a hearing without a PLO stage says what kind of hearing it was."""
    if context.schema_version < 2:
        return
    for entry in chronology_entries(document, context=context):
        if entry.raw.get("event_type") != "court_hearing" or "hearing_type" in entry.raw:
            continue
        if _private_law(entry) or entry.raw.get("plo_stage") == "not_at_a_plo_stage":
            yield problem(entry.pointer("hearing_type"), "legal.hearing_type.missing",
                          "Say what kind of hearing this was (e.g. first hearing dispute "
                          "resolution appointment, fact-finding, interim), or not_known: "
                          "it has no Public Law Outline stage to say it.")


def meeting_decision(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """A legal planning meeting records what it decided."""
    for entry in chronology_entries(document, context=context):
        if entry.raw.get("event_type") == "legal_planning_meeting" \
                and "meeting_decision" not in entry.raw:
            yield problem(entry.pointer("meeting_decision"),
                          "legal.meeting_decision.missing",
                          "Record the meeting's decision: threshold not met, further "
                          "assessment, pre-proceedings, issue proceedings or an emergency "
                          "application.")


def order_duration(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """An order ends after it is made; an EPO within the days the Act allows."""
    # Each extension's original order: the latest earlier EPO (not itself an
    # extension) with an expiry date.
    original_expiry: dict[int, date] = {}
    last_expiry: date | None = None
    for entry in chronology_entries(document, context=context):
        if entry.raw.get("event_type") != "court_order" or \
                entry.raw.get("order_type") != "emergency_protection_order":
            continue
        if entry.raw.get("extension") is True:
            if last_expiry is not None:
                original_expiry[entry.index] = last_expiry
        else:
            last_expiry = parse_date(entry.raw.get("expires_on")) or last_expiry
    for entry in chronology_entries(document, context=context):
        made = _span(entry)
        ends = parse_date(entry.raw.get("expires_on"))
        if made is None or ends is None or entry.raw.get("event_type") != "court_order":
            continue
        pointer = entry.pointer("expires_on")
        if ends < made[0]:
            yield problem(pointer, "legal.order.expiry_before_made",
                          "The order cannot end before the date it was made; check both "
                          "dates.")
            continue
        exact = entry.raw.get("date_precision", "exact") == "exact"
        if entry.raw.get("order_type") != "emergency_protection_order" or not exact:
            continue
        if entry.raw.get("extension") is True:
            # Measured from when the order it extends would have ended; if that
            # order is not in the return, from the latest that order could end.
            extended = original_expiry.get(entry.index) or \
                _latest_lawful_end(made[0], EPO_MAX_DAYS)
            limit_end = _latest_lawful_end(extended, EPO_EXTENSION_MAX_DAYS)
            kind, limit = "An extension of an emergency protection order", \
                EPO_EXTENSION_MAX_DAYS
            advice = "Check the dates."
        else:
            limit_end = _latest_lawful_end(made[0], EPO_MAX_DAYS)
            kind, limit = "An emergency protection order", EPO_MAX_DAYS
            advice = "Check the dates, or record an extension as its own order entry."
        if ends > limit_end:
            yield problem(pointer, "legal.emergency_protection.too_long",
                          f"{kind} may last at most {limit} days (Children Act 1989 s 45, "
                          f"carried past a Sunday or public holiday); it may run to "
                          f"{limit_end.isoformat()} at the latest, not "
                          f"{ends.isoformat()}. {advice}")


def order_has_application(document: Mapping[str, Any], context: RuleContext,
                          ) -> Iterator[Problem]:
    """Warn when an order has no application for it on or before the order's date."""
    entries = list(chronology_entries(document, context=context))
    applications = [(entry.raw.get("order_type"), span[0]) for entry in entries
                    if entry.raw.get("event_type") == "court_application"
                    and isinstance(entry.raw.get("order_type"), str)
                    and (span := _span(entry)) is not None]
    for entry in entries:
        kind = entry.raw.get("order_type")
        span = _span(entry)
        if entry.raw.get("event_type") != "court_order" or not isinstance(kind, str) \
                or kind not in _MADE_ON or span is None:
            continue
        if not any(applied in _MADE_ON[kind] and on <= span[1]
                   for applied, on in applications):
            yield problem(entry.pointer(),
                          "legal.order.no_application",
                          "No application for this order is recorded on or before it; add "
                          "the application (as background if before the scoping period).",
                          "warning")


CHRONOLOGY_RULES = (local_authority_format, order_type, plo_stage, hearing_type,
                    meeting_decision, order_duration, order_has_application)
"""The legal rules of the chronology form, after the common ones."""

HEADER_RULES = (local_authority_format,)
"""The legal rules of the agency report, nil return and records-secured forms."""
