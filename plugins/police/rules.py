"""The police chronology's own rules: pure functions (document, context) -> problems.

Rules run even on documents the schema refused, so every value is checked for
its type before use and anything unexpected is skipped: the schema reports it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from scr_returns import (
    ChronologyEntry,
    Problem,
    RuleContext,
    chronology_entries,
    cro_number_valid,
    date_span,
    is_not_known,
    parse_date,
    pnc_id_valid,
    problem,
)

log = logging.getLogger(__name__)

CODES: dict[str, str] = {
    "police.crime_reference.format":
        "The incident or crime reference is not in the format configured for its force.",
    "police.pnc_id.check_letter":
        "The PNC ID's check letter does not match its year and serial number.",
    "police.pnc_id.subject_not_in_entry":
        "A PNC ID is given for someone who is not one of the entry's subjects.",
    "police.cro_number.check_letter":
        "The CRO number's check letter does not match its serial number and year.",
    "police.cro_number.subject_not_in_entry":
        "A CRO number is given for someone who is not one of the entry's subjects.",
    "police.interview.subject_not_in_entry":
        "The person interviewed is not one of the entry's subjects.",
    "police.domestic_abuse.no_referral":
        "Warning: a domestic abuse incident with no referral to children's services recorded "
        "(none made, or the record does not say whether one was).",
    "police.referral.before_event":
        "The referral to children's services is dated before the event it followed.",
    "police.strategy_discussion.before_event":
        "The strategy discussion is dated before the event it followed.",
    "police.referral.future":
        "The referral to children's services is dated after the return was submitted.",
    "police.strategy_discussion.future":
        "The strategy discussion is dated after the return was submitted.",
}
"""Every code these rules produce -> its meaning (merged into AgencySpec.codes)."""

CONFIG_PATTERNS = "crime_reference_patterns"
"""Plugin setting: force key -> regular expression a whole reference must match."""

# The schema's own shape for a PNC ID: a value that fails it is already reported
# as schema.pattern, so the check letter is only judged on well-formed IDs.
_PNC_SHAPE = re.compile(r"([0-9]{2}|[0-9]{4})/[0-9]{1,7}[A-HJ-NP-RT-Z]")
_CRO_SHAPE = re.compile(r"[0-9]{1,6}/[0-9]{2}[A-HJ-NP-RT-Z]")


def _long(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        # NOTE: a broken pattern is the administrator's mistake, not the
        # submitter's: log it and fall back to accepting any reference.
        log.error("police: crime reference pattern %r does not compile; ignored", pattern)
        return None


def _reference_pattern(config: Mapping[str, Any], force: Any) -> re.Pattern[str] | None:
    patterns = config.get(CONFIG_PATTERNS)
    if not isinstance(patterns, Mapping) or not isinstance(force, str):
        return None
    pattern = patterns.get(force)
    return _compiled(pattern) if isinstance(pattern, str) else None


def crime_reference_format(document: Any, context: RuleContext) -> Iterator[Problem]:
    """A reference must wholly match its force's configured pattern, if one is configured.

    The force is the entry's own ``force`` when given, else the return's. With no
    pattern configured for that force any non-empty reference is accepted (the
    schema refuses an empty one): formats differ between forces and change.
    """
    default_force = document.get("force") if isinstance(document, Mapping) else None
    for entry in chronology_entries(document, context=context):
        reference = entry.get("crime_reference")
        if not isinstance(reference, str):
            continue
        force = entry.raw.get("force", default_force)
        pattern = _reference_pattern(context.config, force)
        # fullmatch, not search: an unanchored pattern must not pass a reference
        # that merely contains a valid one.
        if pattern is not None and pattern.fullmatch(reference) is None:
            yield problem(entry.pointer("crime_reference"),
                          "police.crime_reference.format",
                          f"{reference!r} is not in the format of a {force} incident or crime "
                          "reference; check it against the force's records.")


# list field -> (its identifier's field, shape, check, what it is, code prefix)
_IDENTIFIER_LISTS = (
    ("pnc_ids", "pnc_id", _PNC_SHAPE, pnc_id_valid, "PNC ID", "police.pnc_id",
     "the year and serial number", "PNC record"),
    ("cro_numbers", "cro_number", _CRO_SHAPE, cro_number_valid, "CRO number",
     "police.cro_number", "the serial number and year", "criminal record"),
)


def _entry_subjects(entry: ChronologyEntry) -> set[str] | None:
    """The entry's subjects, or ``None`` when unreadable (the schema's to report)."""
    listed = entry.get("subjects")
    return set(listed) if isinstance(listed, list) and \
        all(isinstance(s, str) for s in listed) else None


def _not_a_subject(entry: ChronologyEntry, subject: object, pointer: str, code: str
                   ) -> Iterator[Problem]:
    subjects = _entry_subjects(entry)
    if subjects is not None and isinstance(subject, str) and subject not in subjects:
        yield problem(pointer, code,
                      f"{subject!r} is not one of this entry's subjects; add them to "
                      "'subjects' or correct the key.")


def pnc_ids(document: Any, context: RuleContext) -> Iterator[Problem]:
    """Each PNC ID's and CRO number's check letter is right, and it belongs to one of the
    entry's subjects."""
    for entry in chronology_entries(document, context=context):
        for field, key, shape, valid, what, code, parts, record in _IDENTIFIER_LISTS:
            listed = entry.get(field)
            if not isinstance(listed, list):
                continue
            for n, item in enumerate(listed):
                if not isinstance(item, Mapping):
                    continue
                value = item.get(key)
                if isinstance(value, str) and shape.fullmatch(value) and not valid(value):
                    yield problem(entry.pointer(field, n, key), f"{code}.check_letter",
                                  f"{value!r} is not a valid {what}: its last letter does not "
                                  f"match {parts}. Check it against the {record}.")
                yield from _not_a_subject(entry, item.get("subject"),
                                          entry.pointer(field, n, "subject"),
                                          f"{code}.subject_not_in_entry")


def interviewee(document: Any, context: RuleContext) -> Iterator[Problem]:
    """The person interviewed is one of the entry's subjects."""
    for entry in chronology_entries(document, context=context):
        interview = entry.get("interview")
        if isinstance(interview, Mapping):
            yield from _not_a_subject(entry, interview.get("interviewee"),
                                      entry.pointer("interview", "interviewee"),
                                      "police.interview.subject_not_in_entry")


def domestic_abuse_referral(document: Any, context: RuleContext) -> Iterator[Problem]:
    """Warn when a domestic abuse incident records no referral to children's services."""
    for entry in chronology_entries(document, context=context):
        if entry.get("event_type") != "domestic_abuse":
            continue
        referral = entry.get("referral_to_childrens_services")
        if referral is None:
            yield problem(entry.pointer(),
                          "police.domestic_abuse.no_referral",
                          "No referral to children's services is recorded for this domestic "
                          "abuse incident. Record whether one (a PPN) was made, and if not, "
                          "why not.", severity="warning")
        elif isinstance(referral, Mapping) and referral.get("made") is False:
            yield problem(entry.pointer("referral_to_childrens_services"),
                          "police.domestic_abuse.no_referral",
                          "No referral to children's services was made after this domestic "
                          "abuse incident; the panel will look at the reason given.",
                          severity="warning")
        elif isinstance(referral, Mapping) and is_not_known(referral.get("made")):
            yield problem(entry.pointer("referral_to_childrens_services", "made"),
                          "police.domestic_abuse.no_referral",
                          "The record does not say whether children's services were told of "
                          "this domestic abuse incident; the panel will look into it.",
                          severity="warning")


# (field on the entry, its before-event code, its future code, what it is)
_FOLLOW_UPS = (
    ("referral_to_childrens_services", "police.referral.before_event",
     "police.referral.future", "The referral"),
    ("strategy_discussion", "police.strategy_discussion.before_event",
     "police.strategy_discussion.future", "The strategy discussion"),
)


def _follow_ups(entry: ChronologyEntry) -> Iterator[tuple[str, str, str, str, date]]:
    """(field, before-event code, future code, what, date) of each readable follow-up date."""
    for field, before, future, what in _FOLLOW_UPS:
        follow_up = entry.get(field)
        on = parse_date(follow_up.get("date")) if isinstance(follow_up, Mapping) else None
        if on is not None:
            yield field, before, future, what, on


def follow_up_dates(document: Any, context: RuleContext) -> Iterator[Problem]:
    """A referral or strategy discussion cannot predate the event it followed."""
    for entry in chronology_entries(document, context=context):
        # An approximate date says nothing firm about order; a 'month' or
        # 'year' date stands for its whole period, so only its first day bounds.
        precision = entry.get("date_precision")
        if precision == "approximate" or entry.date is None:
            continue
        when = date_span(entry.date, precision)[0]
        for field, code, _, what, on in _follow_ups(entry):
            if on < when:
                yield problem(entry.pointer(field, "date"), code,
                              f"{what} is dated {_long(on)}, before the event it "
                              f"followed ({_long(when)}). Check both dates.")


def follow_ups_not_future(document: Any, context: RuleContext) -> Iterator[Problem]:
    """A referral or strategy discussion recorded on an entry has already happened.

    Judged whatever the entry's own date says: that date has a rule of its own.
    """
    for entry in chronology_entries(document, context=context):
        for field, _, code, what, on in _follow_ups(entry):
            if on > context.today:
                yield problem(entry.pointer(field, "date"), code,
                              f"{what} is dated {_long(on)}, after this return was "
                              f"submitted ({_long(context.today)}), so it cannot have "
                              "happened yet. Check the date.")


CHRONOLOGY_RULES = (crime_reference_format, pnc_ids, interviewee, domestic_abuse_referral,
                    follow_up_dates, follow_ups_not_future)
"""The police chronology's own rules, for every version of the form."""
