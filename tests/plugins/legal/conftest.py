"""The legal plugin's fixtures, from its kit: ``host``, ``python_host``, ``validate``."""

from __future__ import annotations

from tests.support.agencies import LEGAL

host, python_host, validate = LEGAL.fixtures()
