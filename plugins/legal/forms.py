"""The legal agency and its four forms, built once from the shipped files."""

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
from plugins.legal.rules import CHRONOLOGY_RULES, CODES, HEADER_RULES

AGENCY = "legal"
PACKAGE = "plugins.legal"


def _load(path: str) -> Any:
    return load_json_resource(PACKAGE, path)


def _schema(form: str, version: int) -> FormVersion:
    return FormVersion(version, _load(f"schemas/{AGENCY}.{form}.v{version}.schema.json"))


@cache
def agency() -> AgencySpec:
    """The legal :class:`AgencySpec`; cached so the hook returns one value."""
    forms = (
        FormSpec(
            name="chronology",
            title="Legal services chronology",
            description="Every legal planning meeting, piece of legal advice, pre-proceedings "
                        "step under the Public Law Outline, court application, hearing and "
                        "order in the scoping period.",
            versions=(_schema("chronology", 1),),
            rules=(*chronology_rules(ChronologyMapping()), *CHRONOLOGY_RULES),
            example=_load("examples/valid/chronology.v1.json"),
            chronology=ChronologyMapping(),
        ),
        FormSpec(
            name="agency-report",
            title="Legal services agency report",
            description="The legal service's analysis of its involvement (the individual "
                        "management review), answering each key line of enquiry.",
            versions=(_schema("agency-report", 1),),
            rules=(*agency_report_rules(), *HEADER_RULES),
            example=_load("examples/valid/agency-report.v1.json"),
        ),
        FormSpec(
            name="nil-return",
            title="Legal services nil return",
            description="A declaration that the legal service had no involvement with the "
                        "family in the period searched.",
            versions=(_schema("nil-return", 1),),
            rules=(*nil_return_rules(), *HEADER_RULES),
            example=_load("examples/valid/nil-return.v1.json"),
        ),
        FormSpec(
            name="records-secured",
            title="Legal services records secured",
            description="Confirmation that every legal file about the family has been "
                        "secured until the review is complete.",
            versions=(_schema("records-secured", 1),),
            rules=(*records_secured_rules(), *HEADER_RULES),
            example=_load("examples/valid/records-secured.v1.json"),
        ),
    )
    return AgencySpec(
        name=AGENCY,
        title="Legal services",
        version="1.0.0",
        description="The legal service that advises children's social care and brings "
                    "public law proceedings: legal planning, pre-proceedings and court.",
        forms=forms,
        codes={**COMMON_CODES, **CODES},
    )
