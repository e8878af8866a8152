"""Children's social care: the agency plugin (hook implementation only).

The texts of the agency and its forms are in ``agency.json``, each form's
versions in ``schemas/``; the rules are in :mod:`scr_returns.plugins.social_care.rules`.
"""

from __future__ import annotations

from scr_returns import AgencySpec, hookimpl, standard_agency

from .rules import CHRONOLOGY_RULES, CODES, HEADER_RULES


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    """Children's social care with its chronology, agency report, nil return and
    records-secured forms."""
    return standard_agency(__name__, version="1.0.0", codes=CODES, rules={
        "chronology": CHRONOLOGY_RULES, "agency-report": HEADER_RULES,
        "nil-return": HEADER_RULES, "records-secured": HEADER_RULES})
