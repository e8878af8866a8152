"""The education agency plugin: the chronology, agency report, nil return and
records-secured confirmation that education (schools and settings, and the local
authority's education services) returns to a safeguarding case review.

The texts of the agency and its forms are in ``agency.json``, each form's
versions in ``schemas/``; the rules are in :mod:`scr_returns.plugins.education.rules` and
:mod:`scr_returns.plugins.education.events`.
"""

from __future__ import annotations

from scr_returns import AgencySpec, hookimpl, standard_agency

from .rules import CHRONOLOGY_RULES, CODES, SCHOOL_LIST_RULES


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    """The education agency and its four forms."""
    return standard_agency(__name__, version="1.0.0", codes=CODES, rules={
        "chronology": CHRONOLOGY_RULES, "agency-report": SCHOOL_LIST_RULES,
        "nil-return": SCHOOL_LIST_RULES, "records-secured": SCHOOL_LIST_RULES})
