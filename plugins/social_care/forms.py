"""The social-care agency and its four forms, built once from the shipped files."""

from __future__ import annotations

from functools import cache
from typing import Any

from core import (
    COMMON_CODES,
    AgencySpec,
    ChronologyMapping,
    FormSpec,
    FormVersion,
    agency_report_rules,
    chronology_rules,
    load_json_resource,
    nil_return_rules,
    records_secured_rules,
)
from plugins.social_care.rules import CHRONOLOGY_RULES, CODES, HEADER_RULES

AGENCY = "social-care"
PACKAGE = "plugins.social_care"


def _load(path: str) -> Any:
    return load_json_resource(PACKAGE, path)


def _schema(form: str, version: int) -> FormVersion:
    return FormVersion(version, _load(f"schemas/{AGENCY}.{form}.v{version}.schema.json"))


@cache
def agency() -> AgencySpec:
    """The social-care :class:`AgencySpec`; cached so the hook returns one value."""
    forms = (
        FormSpec(
            name="chronology",
            title="Children's social care chronology",
            description="Every contact, referral, assessment, section 17 and section 47 "
                        "episode, strategy discussion, child protection conference and plan, "
                        "period looked after and case closure in the scoping period.",
            versions=(_schema("chronology", 1),),
            rules=(*chronology_rules(ChronologyMapping()), *CHRONOLOGY_RULES),
            example=_load("examples/valid/chronology.v1.json"),
            chronology=ChronologyMapping(),
        ),
        FormSpec(
            name="agency-report",
            title="Children's social care agency report",
            description="The local authority's analysis of its children's social care "
                        "involvement (the individual management review), answering each key "
                        "line of enquiry.",
            versions=(_schema("agency-report", 1),),
            rules=(*agency_report_rules(), *HEADER_RULES),
            example=_load("examples/valid/agency-report.v1.json"),
        ),
        FormSpec(
            name="nil-return",
            title="Children's social care nil return",
            description="A declaration that children's social care had no involvement with "
                        "the family in the period searched.",
            versions=(_schema("nil-return", 1),),
            rules=(*nil_return_rules(), *HEADER_RULES),
            example=_load("examples/valid/nil-return.v1.json"),
        ),
        FormSpec(
            name="records-secured",
            title="Children's social care records secured",
            description="Confirmation that every children's social care record about the "
                        "family has been secured until the review is complete.",
            versions=(_schema("records-secured", 1),),
            rules=(*records_secured_rules(), *HEADER_RULES),
            example=_load("examples/valid/records-secured.v1.json"),
        ),
    )
    return AgencySpec(
        name=AGENCY,
        title="Children's social care",
        version="1.0.0",
        description="The local authority's children's social care service: front door, "
                    "assessment, child in need, child protection and children looked after.",
        forms=forms,
        codes={**COMMON_CODES, **CODES},
    )
