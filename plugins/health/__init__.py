"""The health agency plugin: chronology, agency report, nil return and records-secured
confirmation from a health organisation (GP, trust, community health, ambulance).

The texts of the agency and its forms are in ``agency.json``, each form's
versions in ``schemas/``; the rules are in :mod:`scr_returns.plugins.health.rules`.
"""

from __future__ import annotations

from scr_returns import AgencySpec, hookimpl, standard_agency

from .rules import CHRONOLOGY_RULES, CODES, MAPPING


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    """The health agency and its four forms."""
    return standard_agency(__name__, version="1.0.0", codes=CODES, chronology=MAPPING,
                           rules={"chronology": CHRONOLOGY_RULES})
