"""The health plugin's fixtures, from its kit: ``host``, ``python_host``, ``validate``."""

from __future__ import annotations

from tests.support.agencies import HEALTH

host, python_host, validate = HEALTH.fixtures()
