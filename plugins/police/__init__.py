"""The police agency plugin: the force's chronology, agency report, nil return and
records-secured confirmation for a safeguarding case review.

The texts of the agency and its forms are in ``agency.json``, each form's
versions in ``schemas/``; the rules are in :mod:`scr_returns.plugins.police.rules`.

Settings (``RuleContext.config``): ``crime_reference_patterns``, a mapping of
force key (``"hampshire"``) to the regular expression a whole incident or crime
reference of that force must match. A force with no pattern accepts any
non-empty reference.
"""

from __future__ import annotations

from scr_returns import AgencySpec, hookimpl, standard_agency

from .rules import CHRONOLOGY_RULES, CODES


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    """The police agency and its four forms."""
    # NOTE: chronology v1 stays offered beside v2 (both are in schemas/) so that a
    # force part-way through a return is not forced to re-key it; each return
    # keeps its version. The form serves the v2 example, the newest.
    return standard_agency(__name__, version="1.0.0", codes=CODES,
                           rules={"chronology": CHRONOLOGY_RULES})
