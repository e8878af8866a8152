"""The health agency plugin: chronology, agency report, nil return and records-secured
confirmation from a health organisation (GP, trust, community health, ambulance).
"""

from __future__ import annotations

from typing import Any

from core import (
    AgencySpec,
    FormSpec,
    FormVersion,
    agency_report_rules,
    chronology_rules,
    hookimpl,
    load_json_resource,
    nil_return_rules,
    records_secured_rules,
)
from plugins.health.rules import CHRONOLOGY_RULES, CODES, MAPPING

VERSION = "1.0.0"


def _version(form: str, number: int) -> FormVersion:
    return FormVersion(number, load_json_resource(
        __name__, f"schemas/health.{form}.v{number}.schema.json"))


def _example(form: str, number: int) -> dict[str, Any]:
    example: dict[str, Any] = load_json_resource(__name__, f"examples/valid/{form}.v{number}.json")
    return example


def _forms() -> tuple[FormSpec, ...]:
    return (
        FormSpec(
            name="chronology",
            title="Health chronology",
            description="Every contact the health organisation had with the child and family "
                        "in the scoping period: appointments and whether the child was brought, "
                        "home visits, emergency attendances, injuries seen, admissions, "
                        "assessments and safeguarding referrals.",
            versions=(_version("chronology", 1),),
            rules=(*chronology_rules(MAPPING), *CHRONOLOGY_RULES),
            example=_example("chronology", 1),
            chronology=MAPPING,
        ),
        FormSpec(
            name="agency-report",
            title="Health agency report",
            description="The health organisation's analysis of its involvement (the individual "
                        "management review): key practice episodes, an answer to each key line "
                        "of enquiry, good practice, missed opportunities, lessons and "
                        "recommendations.",
            versions=(_version("agency-report", 1),),
            rules=agency_report_rules(),
            example=_example("agency-report", 1),
        ),
        FormSpec(
            name="nil-return",
            title="Health nil return",
            description="The health organisation's confirmation that it had no involvement with "
                        "the child or family during the scoping period, and how it checked.",
            versions=(_version("nil-return", 1),),
            rules=nil_return_rules(),
            example=_example("nil-return", 1),
        ),
        FormSpec(
            name="records-secured",
            title="Health records secured",
            description="The health organisation's confirmation that its records about the "
                        "child and family are secured until the review is complete.",
            versions=(_version("records-secured", 1),),
            rules=records_secured_rules(),
            example=_example("records-secured", 1),
        ),
    )


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    """The health agency and its four forms."""
    return AgencySpec(
        name="health",
        title="Health",
        version=VERSION,
        description="NHS and other health organisations: GP practices, emergency departments, "
                    "health visiting, school nursing, midwifery, CAMHS, ambulance and acute "
                    "paediatrics.",
        forms=_forms(),
        codes=CODES,
    )
