"""Rule kit shared by every agency plugin: identifier checks and common form rules.

Plugins import these names from :mod:`core`, not from here.
"""

from __future__ import annotations

from scr_returns.core.rulekit.chronology import chronology_rules
from scr_returns.core.rulekit.codes import COMMON_CODES
from scr_returns.core.rulekit.dates import date_span, parse_date
from scr_returns.core.rulekit.entries import ChronologyEntry, chronology_entries
from scr_returns.core.rulekit.forms import (
    agency_report_rules,
    nil_return_rules,
    records_secured_rules,
)
from scr_returns.core.rulekit.identifiers import (
    cro_number_valid,
    laestab_valid,
    local_authority_valid,
    nhs_number_is_test,
    nhs_number_valid,
    pnc_id_valid,
    school_urn_valid,
    upn_valid,
)
from scr_returns.core.rulekit.values import NOT_KNOWN, is_not_known, known, no_action

__all__ = [
    "COMMON_CODES",
    "NOT_KNOWN",
    "ChronologyEntry",
    "agency_report_rules",
    "chronology_entries",
    "chronology_rules",
    "cro_number_valid",
    "date_span",
    "is_not_known",
    "known",
    "laestab_valid",
    "local_authority_valid",
    "nhs_number_is_test",
    "nhs_number_valid",
    "nil_return_rules",
    "no_action",
    "parse_date",
    "pnc_id_valid",
    "records_secured_rules",
    "school_urn_valid",
    "upn_valid",
]
