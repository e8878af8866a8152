"""The probation agency plugin, an out-of-tree example: its four forms.

It is a distribution of its own (see ``pyproject.toml``), found through the
``scr_returns`` entry point and disabled until an admin enables it. Like every
plugin it imports nothing of scr-returns but the public API (``from scr_returns import``).
The texts of the agency and its forms are in ``agency.json``, each form's
versions in ``schemas/``; the rules are in :mod:`scr_returns_probation.rules`.
"""

from __future__ import annotations

from scr_returns import AgencySpec, hookimpl, standard_agency
from scr_returns_probation.rules import CHRONOLOGY_RULES, CODES


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    """The probation agency and its four forms."""
    return standard_agency(__name__, version="0.1.0", codes=CODES,
                           rules={"chronology": CHRONOLOGY_RULES})
