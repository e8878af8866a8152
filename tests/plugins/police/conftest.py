"""The police plugin's fixtures, from its kit: ``host``, ``python_host``, ``validate``."""

from __future__ import annotations

from tests.support.agencies import POLICE

host, python_host, validate = POLICE.fixtures()
