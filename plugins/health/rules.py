"""The health agency's own rules, beside the common ones from core.

Each is a pure function ``(document, context) -> iterator of Problem`` that
skips values of the wrong type: rules also run on documents that failed the
schema, whose errors already say what is wrong with the shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from scr_returns import (
    COMMON_CODES,
    ChronologyEntry,
    ChronologyMapping,
    Problem,
    RuleContext,
    chronology_entries,
    json_pointer,
    nhs_number_is_test,
    nhs_number_valid,
    no_action,
    problem,
)

MAPPING = ChronologyMapping()

# Only a value the schema accepts in shape gets the identifier checks; a
# malformed one is already a schema.pattern error and one message is enough.
_TEN_DIGITS = re.compile(r"[0-9]{10}")

CODES: dict[str, str] = {
    **COMMON_CODES,
    "health.nhs_number.check_digit":
        "The NHS number's last digit is not its check digit: the number is mistyped.",
    "health.nhs_number.test_range":
        "The NHS number is in the test range 999 000 0000 - 999 999 9999, never issued "
        "to a patient.",
    "health.injury.no_action":
        "Warning: an entry describes an injury but records no action: the decision or action "
        "is 'none' or 'not recorded', or there is neither a safeguarding referral nor why none "
        "was made.",
    "health.other_nhs_number.subject_not_in_entry":
        "An NHS number is given for someone who is not one of the entry's subjects.",
    "health.nhs_number.conflict":
        "One person is given two different NHS numbers in the return, or one NHS number is "
        "given for two people.",
}


def _number_problems(value: object, pointer: str, context: RuleContext, whose: str
                     ) -> Iterator[Problem]:
    """The check digit and test range of one NHS number (a malformed one is the schema's)."""
    if not isinstance(value, str) or not _TEN_DIGITS.fullmatch(value):
        return
    if not nhs_number_valid(value):
        yield problem(pointer, "health.nhs_number.check_digit",
                      f"{value} is not a valid NHS number: its last digit does not match the "
                      "others. Check it against the patient record.")
    elif context.production and nhs_number_is_test(value):
        yield problem(pointer, "health.nhs_number.test_range",
                      f"{value} is a test NHS number (999 000 0000 to 999 999 9999), never "
                      f"given to a real patient. Use {whose} real NHS number.")


def nhs_number(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """The subject's NHS number must check; a test-range number only outside production."""
    value = document.get("subject_nhs_number") if isinstance(document, Mapping) else None
    yield from _number_problems(value, json_pointer("subject_nhs_number"), context,
                                "the child's")


def _other_numbers(entry: ChronologyEntry) -> Iterator[tuple[int, Mapping[str, Any]]]:
    listed = entry.get("other_nhs_numbers")
    if isinstance(listed, list):
        for n, item in enumerate(listed):
            if isinstance(item, Mapping):
                yield n, item


def other_nhs_numbers(document: Mapping[str, Any], context: RuleContext
                      ) -> Iterator[Problem]:
    """Each other person's NHS number checks, and belongs to one of the entry's subjects."""
    for entry in chronology_entries(document, MAPPING, context=context):
        listed = entry.get("subjects")
        # Unreadable subjects are the schema's to report: then judge no number's subject.
        subjects = set(listed) if isinstance(listed, list) and \
            all(isinstance(s, str) for s in listed) else None
        for n, item in _other_numbers(entry):
            yield from _number_problems(item.get("nhs_number"),
                                        entry.pointer("other_nhs_numbers", n, "nhs_number"),
                                        context, "the person's")
            subject = item.get("subject")
            if subjects is not None and isinstance(subject, str) and subject not in subjects:
                yield problem(entry.pointer("other_nhs_numbers", n, "subject"),
                              "health.other_nhs_number.subject_not_in_entry",
                              f"{subject!r} is not one of this entry's subjects; add them to "
                              "'subjects' or correct the key.")


def nhs_numbers_consistent(document: Mapping[str, Any], context: RuleContext
                           ) -> Iterator[Problem]:
    """One person, one NHS number: across the return's entries and the child's own."""
    child = document.get("subject_nhs_number") if isinstance(document, Mapping) else None
    number_of: dict[str, str] = {}
    owner: dict[str, str] = {}
    for entry in chronology_entries(document, MAPPING, context=context):
        for n, item in _other_numbers(entry):
            subject, number = item.get("subject"), item.get("nhs_number")
            if not isinstance(subject, str) or not isinstance(number, str):
                continue
            pointer = entry.pointer("other_nhs_numbers", n, "nhs_number")
            if number == child:
                yield problem(pointer, "health.nhs_number.conflict",
                              f"{number} is the subject child's NHS number "
                              f"('subject_nhs_number'), not {subject!r}'s. Check both.")
            elif number_of.setdefault(subject, number) != number:
                yield problem(pointer, "health.nhs_number.conflict",
                              f"{subject!r} is given NHS number {number} here but "
                              f"{number_of[subject]} on an earlier entry; a person has one "
                              "NHS number. Check which is right.")
            elif owner.setdefault(number, subject) != subject:
                yield problem(pointer, "health.nhs_number.conflict",
                              f"NHS number {number} is given for {subject!r} here but for "
                              f"{owner[number]!r} on an earlier entry; an NHS number belongs to "
                              "one person. Check whose it is.")


def injury_without_action(document: Mapping[str, Any], context: RuleContext
                          ) -> Iterator[Problem]:
    """An injury with no recorded action is a warning for the panel, at the injury.

    It is a warning, not an error: a referral is not always right (an accident
    with a consistent explanation), but the panel should see why none was made.
    No action is recorded when the decision or action says "none" or "not
    recorded", or when neither a safeguarding referral nor a reason for none is.
    """
    for entry in chronology_entries(document, MAPPING, context=context):
        injury = entry.get("injury_description")
        if not isinstance(injury, str) or not injury.strip():
            continue
        if no_action(entry.get("decision_or_action")):
            yield problem(entry.pointer("injury_description"), "health.injury.no_action",
                          "An injury was seen but the decision or action says "
                          f"{str(entry.get('decision_or_action')).strip()!r}: the panel will "
                          "look at why nothing was done. If something was done, record it.",
                          "warning")
            continue
        if entry.get("safeguarding_referral_made") is True:
            continue
        reason = entry.get("no_referral_reason")
        if isinstance(reason, str) and reason.strip():
            continue
        yield problem(entry.pointer("injury_description"), "health.injury.no_action",
                      "An injury was seen but no safeguarding referral is recorded. If one "
                      "was made, set 'safeguarding_referral_made'; if not, say why in "
                      "'no_referral_reason'.", "warning")


CHRONOLOGY_RULES = (nhs_number, other_nhs_numbers, nhs_numbers_consistent,
                    injury_without_action)
