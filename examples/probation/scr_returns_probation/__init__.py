"""The probation agency plugin, an out-of-tree example: its four forms.

It is a distribution of its own (see ``pyproject.toml``), found through the
``scr_returns`` entry point and disabled until an admin enables it. Like every
plugin it imports nothing from core but the public API (``from core import``).
"""

from __future__ import annotations

from typing import Any

from core import (
    COMMON_CODES,
    AgencySpec,
    ChronologyMapping,
    FormSpec,
    FormVersion,
    agency_report_rules,
    chronology_rules,
    hookimpl,
    load_json_resource,
    nil_return_rules,
    records_secured_rules,
)
from scr_returns_probation.rules import CHRONOLOGY_RULES, CODES

VERSION = "0.1.0"


def _version(form: str, number: int) -> FormVersion:
    return FormVersion(number, load_json_resource(
        __name__, f"schemas/probation.{form}.v{number}.schema.json"))


def _example(form: str, number: int) -> dict[str, Any]:
    example: dict[str, Any] = load_json_resource(__name__, f"examples/valid/{form}.v{number}.json")
    return example


def _forms() -> tuple[FormSpec, ...]:
    return (
        FormSpec(
            name="chronology",
            title="Probation chronology",
            description="Every contact the probation service had with an adult on probation "
                        "linked to the child: supervision, missed appointments and "
                        "enforcement, home visits, risk assessments, MAPPA and recalls.",
            versions=(_version("chronology", 1),),
            rules=(*chronology_rules(ChronologyMapping()), *CHRONOLOGY_RULES),
            example=_example("chronology", 1),
            chronology=ChronologyMapping(),
        ),
        FormSpec(
            name="agency-report",
            title="Probation agency report",
            description="Probation's analysis of its involvement (the individual management "
                        "review), answering each key line of enquiry.",
            versions=(_version("agency-report", 1),),
            rules=agency_report_rules(),
            example=_example("agency-report", 1),
        ),
        FormSpec(
            name="nil-return",
            title="Probation nil return",
            description="Probation's confirmation that it had no involvement with the child or "
                        "family during the scoping period.",
            versions=(_version("nil-return", 1),),
            rules=nil_return_rules(),
            example=_example("nil-return", 1),
        ),
        FormSpec(
            name="records-secured",
            title="Probation records secured",
            description="Probation's confirmation that its records are secured until the "
                        "review is complete.",
            versions=(_version("records-secured", 1),),
            rules=records_secured_rules(),
            example=_example("records-secured", 1),
        ),
    )


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    """The probation agency and its four forms."""
    return AgencySpec(
        name="probation",
        title="Probation service",
        version=VERSION,
        description="Probation's returns to a child safeguarding practice review.",
        forms=_forms(),
        codes={**COMMON_CODES, **CODES},
    )
