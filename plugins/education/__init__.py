"""The education agency plugin: the chronology, agency report, nil return and
records-secured confirmation that education (schools and settings, and the local
authority's education services) returns to a safeguarding case review.

Forms, their schemas and examples are this package's files; the rules are in
:mod:`plugins.education.rules` and :mod:`plugins.education.events`.
"""

from __future__ import annotations

from functools import cache

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
from plugins.education.rules import CHRONOLOGY_RULES, CODES, SCHOOL_LIST_RULES

VERSION = "1.0.0"


def _schema(form: str, version: int) -> FormVersion:
    return FormVersion(version, load_json_resource(
        __name__, f"schemas/education.{form}.v{version}.schema.json"))


def _example(name: str) -> dict[str, object]:
    document: dict[str, object] = load_json_resource(__name__, f"examples/valid/{name}.json")
    return document


def _forms() -> tuple[FormSpec, ...]:
    return (
        FormSpec(
            name="chronology",
            title="Education chronology",
            description="Every involvement of education with the child and family in the "
                        "scoping period: admissions and moves between schools, attendance each "
                        "term and absence follow-up, safeguarding concerns and referrals by the "
                        "designated safeguarding lead, suspensions and permanent exclusions, "
                        "EHC plans, children missing education and elective home education. "
                        "Each pupil's UPN is given once, under 'pupils'.",
            versions=(_schema("chronology", 1),),
            rules=(*chronology_rules(ChronologyMapping()), *CHRONOLOGY_RULES),
            example=_example("chronology.v1"),
            chronology=ChronologyMapping(),
        ),
        FormSpec(
            name="agency-report",
            title="Education agency report",
            description="Education's analysis of its involvement (the individual management "
                        "review) across the schools and services involved: decisions, missed "
                        "opportunities, good practice, an answer to each key line of enquiry, "
                        "lessons and recommendations.",
            versions=(_schema("agency-report", 1),),
            rules=(*agency_report_rules(), *SCHOOL_LIST_RULES),
            example=_example("agency-report.v1"),
        ),
        FormSpec(
            name="nil-return",
            title="Education nil return",
            description="Education's confirmation that no school, setting or education service "
                        "was involved with the child or family during the scoping period, "
                        "and which records were checked.",
            versions=(_schema("nil-return", 1),),
            rules=(*nil_return_rules(), *SCHOOL_LIST_RULES),
            example=_example("nil-return.v1"),
        ),
        FormSpec(
            name="records-secured",
            title="Education records secured",
            description="Education's confirmation that its records about the child and family, "
                        "including schools' child protection files, have been gathered and "
                        "secured until the review is complete.",
            versions=(_schema("records-secured", 1),),
            rules=(*records_secured_rules(), *SCHOOL_LIST_RULES),
            example=_example("records-secured.v1"),
        ),
    )


@cache
def _agency() -> AgencySpec:
    return AgencySpec(
        name="education",
        title="Education",
        version=VERSION,
        description="Schools, early years settings and the local authority's education "
                    "services: their returns to a child safeguarding practice review.",
        forms=_forms(),
        codes={**COMMON_CODES, **CODES},
    )


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    """The education agency and its four forms."""
    # NOTE: built once, so that every call returns the same value (the rule
    # factories make new functions each time they are called).
    return _agency()
