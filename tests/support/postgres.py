"""The PostgreSQL server the tests may use: ``SCR_RETURNS_TEST_POSTGRES``, or "" when off."""

from __future__ import annotations

import os

PG_URL = os.environ.get("SCR_RETURNS_TEST_POSTGRES", "")
