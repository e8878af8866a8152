"""The test kits of the five built-in agencies, one per plugin package."""

from __future__ import annotations

import plugins.education
import plugins.health
import plugins.legal
import plugins.police
import plugins.social_care
from tests.support.agency_kit import AgencyKit

EDUCATION = AgencyKit("education", plugins.education)
# NOTE: health's tests have no separate reference-engine check: every one that
# validates runs under both engines.
HEALTH = AgencyKit("health", plugins.health, engines=("rust", "python"))
LEGAL = AgencyKit("legal", plugins.legal)
POLICE = AgencyKit("police", plugins.police)
SOCIAL_CARE = AgencyKit("social-care", plugins.social_care)
