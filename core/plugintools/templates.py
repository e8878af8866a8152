"""The text of a new plugin (``scr-returns plugins new``): files and example documents.

Templates use ``string.Template`` (``${agency}``) so that the braces of Python
and JSON need no escaping.
"""

from __future__ import annotations

from string import Template
from typing import Any

EVENT_TYPES = {
    "contact": "a contact with the child or family",
    "assessment": "an assessment of needs or risk",
    "referral": "a referral to or from another agency",
    "meeting": "a multi-agency meeting",
    "other": "anything else",
}

CHRONOLOGY_DESCRIPTION = ("{title}'s dated record of its involvement with the child and "
                          "family during the scoping period.")

PYPROJECT = Template('''\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "${dist}"
version = "0.1.0"
description = "The ${agency} agency plugin for scr-returns."
requires-python = ">=3.11"
dependencies = ["scr-returns"]

# The entry point's name is the plugin's name; scr-returns finds it in this group.
[project.entry-points.scr_returns]
${agency} = "${package}"

# The schemas/ and examples/ folders are found as (namespace) packages, so
# their JSON files are installed with the code, as is agency.json.
[tool.setuptools.packages.find]
include = ["${package}*"]

[tool.setuptools.package-data]
"*" = ["*.json"]
''')

README = Template('''\
# ${dist}

The ${agency} agency plugin for scr-returns: a chronology, an agency report, a
nil return and a records-secured confirmation.

    pip install .
    scr-returns plugins check ${agency}
    scr-returns plugins enable ${agency}

See docs/plugins.md in scr-returns for the whole guide.
''')

INIT = Template('''\
"""The ${agency} agency plugin (hook implementation only).

The texts of the agency and its four forms are in agency.json, each form's
versions in schemas/, the examples the forms serve in examples/valid/; the
rules are in rules.py.
"""

from __future__ import annotations

from scr_returns import AgencySpec, hookimpl, standard_agency
from ${package}.rules import CHRONOLOGY_RULES, CODES

VERSION = "0.1.0"


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    """The ${agency} agency and its four forms."""
    return standard_agency(__name__, version=VERSION, codes=CODES,
                           rules={"chronology": CHRONOLOGY_RULES})
''')


AGENCY_DESCRIPTION = "{title}'s returns to a child safeguarding practice review."
FORM_DESCRIPTIONS = {
    "chronology": "Every contact {title} had with the child and family in the scoping period.",
    "agency-report": "{title}'s analysis of its involvement (the individual management "
                     "review), answering each key line of enquiry.",
    "nil-return": "{title}'s confirmation that it had no involvement with the child or "
                  "family during the scoping period.",
    "records-secured": "{title}'s confirmation that its records are secured until the "
                       "review is complete.",
}
"""What a practitioner reads about the agency and each form (agency.json)."""

RULES = Template('''\
"""The ${agency} chronology's own rules: pure functions (document, context) -> problems.

Rules run even on documents the schema refused: check each value's type
before use and skip what is unexpected (the schema reports it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from scr_returns import Problem, RuleContext, chronology_entries, parse_date, problem

CODES: dict[str, str] = {
    "${prefix}.follow_up.before_event":
        "A follow-up is dated before the event it follows.",
}
"""Every code these rules produce -> its meaning (merged into AgencySpec.codes)."""


def follow_up_after_event(document: Any, context: RuleContext) -> Iterator[Problem]:
    """An entry's ``follow_up_on`` must not be before the entry's own date.

    JSON Schema cannot compare two dates; a rule can.
    """
    for entry in chronology_entries(document, context=context):
        follow_up = parse_date(entry.raw.get("follow_up_on"))
        if entry.date is not None and follow_up is not None and follow_up < entry.date:
            yield problem(entry.pointer("follow_up_on"), "${prefix}.follow_up.before_event",
                          f"The follow-up ({follow_up:%d %B %Y}) is dated before the event "
                          f"it follows ({entry.date:%d %B %Y}).")


CHRONOLOGY_RULES = (follow_up_after_event,)
''')

_SOURCE = {"service": "Duty team", "role": "Practitioner"}
_DATES = ("2024-01-10", "2024-03-20", "2024-06-05", "2024-08-20", "2024-11-01", "2025-01-15",
          "2025-04-01", "2025-06-20", "2025-09-05", "2025-11-20")


def _entry(i: int, day: str, event_type: str) -> dict[str, Any]:
    return {"id": f"e-{i:03d}", "date": day, "source": _SOURCE,
            "subjects": ["child-a", "mother"], "event_type": event_type,
            "description": f"Placeholder event {i}: replace with what happened.",
            "decision_or_action": "Placeholder: what was decided or done."}


def _chronology() -> dict[str, Any]:
    kinds = list(EVENT_TYPES)
    entries = [_entry(i, day, kinds[(i - 1) % len(kinds)])
               for i, day in enumerate(_DATES, start=1)]
    entries[1]["follow_up_on"] = "2024-04-03"
    return {"entries": entries}


def _agency_report() -> dict[str, Any]:
    return {
        "author": {"name": "A. Author", "role": "Safeguarding lead",
                   "independence": {"not_directly_involved": True,
                                    "not_line_manager_of_those_involved": True}},
        "records_secured_on": "2026-02-03",
        "methodology": {"records_seen": ["Case records"],
                        "staff_interviewed": [{"role": "Practitioner",
                                               "interviewed_on": "2026-03-04"}]},
        "context": {"workload": "Placeholder: caseloads and pressures.",
                    "turnover": "Placeholder: staff turnover and vacancies.",
                    "supervision": "Placeholder: supervision on this case.",
                    "training": "Placeholder: safeguarding training completed."},
        "key_practice_episodes": [{
            "title": "Placeholder episode", "from": "2024-03-20", "entry_ids": ["e-002"],
            "summary": "Placeholder: what happened.", "analysis": "Placeholder: why.",
            "standards_met": "met"}],
        "kloe_answers": [{"kloe": k, "answer": f"Placeholder answer to {k}."}
                         for k in ("kloe-1", "kloe-2", "kloe-3")],
        "good_practice": ["Placeholder: what went well."],
        "missed_opportunities": ["Placeholder: what could have been done."],
        "lessons": ["Placeholder: what was learned."],
        "recommendations": [{"recommendation": "Placeholder recommendation.",
                             "owner_role": "Head of service", "due_by": "2027-03-31"}],
    }


def _nil_return() -> dict[str, Any]:
    return {"period_checked": {"from": "2024-01-01", "to": "2025-12-31"},
            "systems_searched": ["Case records"],
            "statement": "No involvement with the child or family was found in the period.",
            "checked_by": {"name": "A. Checker", "role": "Records officer"},
            "checked_on": "2026-02-10"}


def _records_secured() -> dict[str, Any]:
    return {"secured_on": "2026-02-03",
            "secured_by": {"name": "A. Checker", "role": "Records officer"},
            "records": [{"system": "Case records",
                         "description": "Every record about the child and family."}],
            "how_secured": "Access restricted and a retention hold applied."}


def examples(prefix: str) -> dict[str, Any]:
    """Valid and invalid examples, written against the example review: path -> JSON."""
    late_follow_up = _chronology()
    late_follow_up["entries"][1]["follow_up_on"] = "2024-03-01"
    bad_fields = _chronology()
    bad_fields["entries"][0]["date"] = "2024-02-30"
    del bad_fields["entries"][2]["description"]
    unanswered = _agency_report()
    unanswered["kloe_answers"] = unanswered["kloe_answers"][:2]
    short = _nil_return()
    short["period_checked"]["from"] = "2024-06-01"
    late = _records_secured()
    late["secured_on"] = "2026-12-01"

    def invalid(codes: list[str], document: dict[str, Any]) -> dict[str, Any]:
        return {"expect": codes, "review": "default", "document": document}

    return {
        "valid/chronology.v1.json": _chronology(),
        "valid/agency-report.v1.json": _agency_report(),
        "valid/nil-return.v1.json": _nil_return(),
        "valid/records-secured.v1.json": _records_secured(),
        "invalid/chronology.v1.follow-up-before-event.json":
            invalid([f"{prefix}.follow_up.before_event"], late_follow_up),
        "invalid/chronology.v1.schema-errors.json":
            invalid(["schema.format", "schema.required"], bad_fields),
        "invalid/agency-report.v1.kloe-unanswered.json":
            invalid(["report.kloe.unanswered"], unanswered),
        "invalid/nil-return.v1.period-short.json":
            invalid(["nil_return.period.not_covering_scope"], short),
        "invalid/records-secured.v1.after-submission.json":
            invalid(["records.secured_on.after_submission"], late),
    }
