"""Fixtures for the legal plugin's tests: one plugin host for the whole session."""

from __future__ import annotations

import plugins.legal
from tests.plugins.plugin_fixtures import Validate, plugin_fixtures

AGENCY = "legal"

host, python_host, validate, run = plugin_fixtures(AGENCY, plugins.legal)

__all__ = ["AGENCY", "Validate", "host", "python_host", "run", "validate"]
