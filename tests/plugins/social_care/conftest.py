"""Fixtures for the social-care plugin's tests: one plugin host for the whole session."""

from __future__ import annotations

import plugins.social_care
from tests.plugins.plugin_fixtures import Validate, plugin_fixtures

AGENCY = "social-care"

host, python_host, validate, run = plugin_fixtures(AGENCY, plugins.social_care)

__all__ = ["AGENCY", "Validate", "host", "python_host", "run", "validate"]
