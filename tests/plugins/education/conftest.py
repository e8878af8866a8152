"""The education plugin's fixtures, from its kit: ``host``, ``python_host``, ``validate``."""

from __future__ import annotations

from tests.support.agencies import EDUCATION

host, python_host, validate = EDUCATION.fixtures()
