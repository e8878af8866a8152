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
    ChronologyMapping,
    Problem,
    RuleContext,
    chronology_entries,
    json_pointer,
    nhs_number_is_test,
    nhs_number_valid,
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
        "Warning: an entry describes an injury but records neither a safeguarding referral "
        "nor why none was made.",
}


def nhs_number(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """The subject's NHS number must check; a test-range number only outside production."""
    value = document.get("subject_nhs_number") if isinstance(document, Mapping) else None
    if not isinstance(value, str) or not _TEN_DIGITS.fullmatch(value):
        return
    pointer = json_pointer("subject_nhs_number")
    if not nhs_number_valid(value):
        yield problem(pointer, "health.nhs_number.check_digit",
                      f"{value} is not a valid NHS number: its last digit does not match the "
                      "others. Check it against the patient record.")
    elif context.production and nhs_number_is_test(value):
        yield problem(pointer, "health.nhs_number.test_range",
                      f"{value} is a test NHS number (999 000 0000 to 999 999 9999), never "
                      "given to a real patient. Use the child's real NHS number.")


def injury_without_action(document: Mapping[str, Any], context: RuleContext
                          ) -> Iterator[Problem]:
    """An injury with no referral and no reason for none is a warning for the panel.

    It is a warning, not an error: a referral is not always right (an accident
    with a consistent explanation), but the panel should see why none was made.
    """
    for entry in chronology_entries(document, MAPPING, context=context):
        injury = entry.get("injury_description")
        if not isinstance(injury, str) or not injury.strip():
            continue
        if entry.get("safeguarding_referral_made") is True:
            continue
        reason = entry.get("no_referral_reason")
        if isinstance(reason, str) and reason.strip():
            continue
        yield problem(entry.pointer("safeguarding_referral_made"), "health.injury.no_action",
                      "This entry describes an injury but does not record a safeguarding "
                      "referral. If one was made, record it; if not, say why in "
                      "'no_referral_reason'.", "warning")


CHRONOLOGY_RULES = (nhs_number, injury_without_action)
