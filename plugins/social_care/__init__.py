"""Children's social care: the agency plugin (hook implementation only)."""

from __future__ import annotations

from core import AgencySpec, hookimpl
from plugins.social_care.forms import agency


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    """Children's social care with its chronology, agency report, nil return and
    records-secured forms."""
    return agency()
