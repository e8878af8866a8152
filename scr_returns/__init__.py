"""scr-returns: the public API for agency plugins.

An agency plugin imports only the names in ``__all__``, from this package::

    # my_agency/__init__.py; pyproject.toml: [project.entry-points.scr_returns]
    # my-agency = "my_agency"
    from scr_returns import AgencySpec, hookimpl, standard_agency
    from my_agency.rules import CHRONOLOGY_RULES, CODES


    @hookimpl
    def scr_returns_register_agency() -> AgencySpec:
        # My agency and its four forms: texts in agency.json, versions in schemas/.
        return standard_agency(__name__, version="0.1.0", codes=CODES,
                               rules={"chronology": CHRONOLOGY_RULES})

    # my_agency/rules.py
    from collections.abc import Iterator
    from typing import Any

    from scr_returns import Problem, RuleContext, chronology_entries, parse_date, problem

    CODES = {"my-agency.follow_up.before_event": "A follow-up is dated before its event."}


    def follow_up_after_event(document: Any, context: RuleContext) -> Iterator[Problem]:
        # An entry's follow-up may not be before the entry itself.
        for entry in chronology_entries(document, context=context):
            follow_up = parse_date(entry.raw.get("follow_up_on"))
            if entry.date and follow_up and follow_up < entry.date:
                yield problem(entry.pointer("follow_up_on"), "my-agency.follow_up.before_event",
                              "The follow-up is dated before the event it follows.")


    CHRONOLOGY_RULES = (follow_up_after_event,)

``scr-returns plugins new NAME`` writes such a plugin, with its ``agency.json``,
schemas and examples; ``docs/plugins.md`` is the whole guide. Everything under
:mod:`scr_returns.core` is the service itself, private, and may change without
notice; ``scr-returns plugins check`` refuses a plugin that imports it.
"""

from __future__ import annotations

from scr_returns.core.agency import standard_agency
from scr_returns.core.descriptors import (
    AgencySpec,
    ChronologyMapping,
    FormSpec,
    FormVersion,
    Kloe,
    ReviewContext,
    Rule,
    RuleContext,
    json_pointer,
    load_json_resource,
    problem,
)
from scr_returns.core.errors import Problem
from scr_returns.core.hookspecs import hookimpl
from scr_returns.core.rulekit import (
    COMMON_CODES,
    NOT_KNOWN,
    ChronologyEntry,
    agency_report_rules,
    chronology_entries,
    chronology_rules,
    cro_number_valid,
    date_span,
    is_not_known,
    known,
    laestab_valid,
    local_authority_valid,
    nhs_number_is_test,
    nhs_number_valid,
    nil_return_rules,
    no_action,
    parse_date,
    pnc_id_valid,
    records_secured_rules,
    school_urn_valid,
    upn_valid,
)

__all__ = [
    "COMMON_CODES",
    "NOT_KNOWN",
    "AgencySpec",
    "ChronologyEntry",
    "ChronologyMapping",
    "FormSpec",
    "FormVersion",
    "Kloe",
    "Problem",
    "ReviewContext",
    "Rule",
    "RuleContext",
    "agency_report_rules",
    "chronology_entries",
    "chronology_rules",
    "cro_number_valid",
    "date_span",
    "hookimpl",
    "is_not_known",
    "json_pointer",
    "known",
    "laestab_valid",
    "load_json_resource",
    "local_authority_valid",
    "nhs_number_is_test",
    "nhs_number_valid",
    "nil_return_rules",
    "no_action",
    "parse_date",
    "pnc_id_valid",
    "problem",
    "records_secured_rules",
    "school_urn_valid",
    "standard_agency",
    "upn_valid",
]
