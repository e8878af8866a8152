"""The police agency plugin: the force's chronology, agency report, nil return and
records-secured confirmation for a safeguarding case review.

Settings (``RuleContext.config``): ``crime_reference_patterns``, a mapping of
force key (``"hampshire"``) to the regular expression a whole incident or crime
reference of that force must match. A force with no pattern accepts any
non-empty reference.
"""

from __future__ import annotations

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
from plugins.police.rules import CHRONOLOGY_RULES, CODES

VERSION = "1.0.0"


def _schema(form: str, version: int) -> FormVersion:
    return FormVersion(version, load_json_resource(__name__,
                                                   f"schemas/police.{form}.v{version}.schema.json"))


def _example(name: str) -> dict[str, object]:
    document: dict[str, object] = load_json_resource(__name__, f"examples/valid/{name}.json")
    return document


def _forms() -> tuple[FormSpec, ...]:
    return (
        FormSpec(
            name="chronology",
            title="Police chronology",
            description="Every police contact with the child and family in the scoping period: "
                        "incidents, crimes, arrests, missing-person reports, welfare checks, "
                        "referrals to children's services (PPNs) and strategy discussions. "
                        "Version 2 requires the DASH risk level of every domestic abuse "
                        "incident; version 1 is still accepted.",
            # NOTE: v1 stays offered beside v2 so a force part-way through a
            # return is not forced to re-key it; each return keeps its version.
            versions=(_schema("chronology", 1), _schema("chronology", 2)),
            rules=(*chronology_rules(ChronologyMapping()), *CHRONOLOGY_RULES),
            example=_example("chronology.v2"),
            chronology=ChronologyMapping(),
        ),
        FormSpec(
            name="agency-report",
            title="Police agency report",
            description="The force's analysis of its involvement (the individual management "
                        "review): decisions, missed opportunities, good practice, an answer to "
                        "each key line of enquiry, lessons and recommendations.",
            versions=(_schema("agency-report", 1),),
            rules=agency_report_rules(),
            example=_example("agency-report.v1"),
        ),
        FormSpec(
            name="nil-return",
            title="Police nil return",
            description="The force's confirmation that it had no involvement with the child or "
                        "family during the scoping period.",
            versions=(_schema("nil-return", 1),),
            rules=nil_return_rules(),
            example=_example("nil-return.v1"),
        ),
        FormSpec(
            name="records-secured",
            title="Police records secured",
            description="The force's confirmation that its records about the child and family "
                        "have been gathered and secured until the review is complete.",
            versions=(_schema("records-secured", 1),),
            rules=records_secured_rules(),
            example=_example("records-secured.v1"),
        ),
    )


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    """The police agency and its four forms."""
    return AgencySpec(
        name="police",
        title="Police",
        version=VERSION,
        description="A police force's returns to a child safeguarding practice review.",
        forms=_forms(),
        codes={**COMMON_CODES, **CODES},
    )
