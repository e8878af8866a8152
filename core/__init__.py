"""scr-returns core. This module is the public API for agency plugins.

A plugin imports only the names in ``__all__``; everything else in ``core`` is
private to the service and may change without notice.
"""

from __future__ import annotations

from core.agency import standard_agency
from core.descriptors import (
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
from core.errors import Problem
from core.hookspecs import hookimpl
from core.rulekit import (
    COMMON_CODES,
    ChronologyEntry,
    agency_report_rules,
    chronology_entries,
    chronology_rules,
    cro_number_valid,
    date_span,
    laestab_valid,
    local_authority_valid,
    nhs_number_is_test,
    nhs_number_valid,
    nil_return_rules,
    parse_date,
    pnc_id_valid,
    records_secured_rules,
    school_urn_valid,
    upn_valid,
)

__all__ = [
    "COMMON_CODES",
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
    "json_pointer",
    "laestab_valid",
    "load_json_resource",
    "local_authority_valid",
    "nhs_number_is_test",
    "nhs_number_valid",
    "nil_return_rules",
    "parse_date",
    "pnc_id_valid",
    "problem",
    "records_secured_rules",
    "school_urn_valid",
    "standard_agency",
    "upn_valid",
]
