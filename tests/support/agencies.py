"""The test kits of the five built-in agencies, one per plugin package."""

from __future__ import annotations

import scr_returns.plugins.education
import scr_returns.plugins.health
import scr_returns.plugins.legal
import scr_returns.plugins.police
import scr_returns.plugins.social_care
from tests.support.agency_kit import AgencyKit

EDUCATION = AgencyKit("education", scr_returns.plugins.education)
# NOTE: health's tests have no separate reference-engine check: every one that
# validates runs under both engines.
HEALTH = AgencyKit("health", scr_returns.plugins.health, engines=("rust", "python"))
LEGAL = AgencyKit("legal", scr_returns.plugins.legal)
POLICE = AgencyKit("police", scr_returns.plugins.police)
SOCIAL_CARE = AgencyKit("social-care", scr_returns.plugins.social_care)
