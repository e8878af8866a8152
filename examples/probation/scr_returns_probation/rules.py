"""The probation chronology's own rules: pure functions (document, context) -> problems.

Rules run even on documents the schema refused: each value's type is checked
before use and anything unexpected is skipped (the schema reports it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from scr_returns import Problem, RuleContext, chronology_entries, parse_date, pnc_id_valid, problem

CODES: dict[str, str] = {
    "probation.follow_up.before_event": "A follow-up is dated before the event it follows.",
    "probation.pnc_id.check_letter":
        "The PNC ID's check letter does not match its year and serial number.",
    "probation.person.not_in_register":
        "The person on probation is not in the review's subject register.",
    "probation.missed_appointment.no_enforcement":
        "Warning: a missed supervision appointment with no enforcement action recorded.",
}
"""Every code these rules produce -> its meaning (merged into AgencySpec.codes)."""

PERSON = "person_on_probation"
# The schema's shape for a PNC ID: a value that fails it is already a
# schema.pattern error, so only well-formed IDs get the check letter judged.
_PNC_SHAPE = re.compile(r"([0-9]{2}|[0-9]{4})/[0-9]{1,7}[A-HJ-NP-RT-Z]")


def _person(document: Any) -> Mapping[str, Any]:
    person = document.get(PERSON) if isinstance(document, Mapping) else None
    return person if isinstance(person, Mapping) else {}


def follow_up_after_event(document: Any, context: RuleContext) -> Iterator[Problem]:
    """An entry's ``follow_up_on`` must not be before the entry's own date."""
    for entry in chronology_entries(document, context=context):
        follow_up = parse_date(entry.raw.get("follow_up_on"))
        if entry.date is not None and follow_up is not None and follow_up < entry.date:
            yield problem(entry.pointer("follow_up_on"), "probation.follow_up.before_event",
                          f"The follow-up ({follow_up:%d %B %Y}) is dated before the event "
                          f"it follows ({entry.date:%d %B %Y}).")


def pnc_check_letter(document: Any, context: RuleContext) -> Iterator[Problem]:
    """The person's PNC ID must carry the right check letter."""
    pnc = _person(document).get("pnc_id")
    if isinstance(pnc, str) and _PNC_SHAPE.fullmatch(pnc) and not pnc_id_valid(pnc):
        yield problem(f"/{PERSON}/pnc_id", "probation.pnc_id.check_letter",
                      f"The PNC ID {pnc} has the wrong check letter: check it against the "
                      "Police National Computer.")


def person_in_register(document: Any, context: RuleContext) -> Iterator[Problem]:
    """The person on probation must be in the review's subject register."""
    subject = _person(document).get("subject")
    if context.review is None or not isinstance(subject, str) \
            or subject in context.review.subjects:
        return
    yield problem(f"/{PERSON}/subject", "probation.person.not_in_register",
                  f"{subject!r} is not in the subject register of review {context.review.ref}; "
                  "use the key the review gives this person.")


def missed_appointment_enforced(document: Any, context: RuleContext) -> Iterator[Problem]:
    """Warn when a missed appointment records no enforcement: the panel will ask why."""
    for entry in chronology_entries(document, context=context):
        if entry.get("event_type") == "missed_appointment" and \
                not entry.has("enforcement_action"):
            yield problem(entry.pointer("event_type"),
                          "probation.missed_appointment.no_enforcement",
                          "A missed appointment with no enforcement action recorded: say "
                          "what was done (a warning, breach action) or why nothing was.",
                          "warning")


CHRONOLOGY_RULES = (follow_up_after_event, pnc_check_letter, person_in_register,
                    missed_appointment_enforced)
