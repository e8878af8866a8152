"""The social-care plugin's fixtures, from its kit: ``host``, ``python_host``, ``validate``."""

from __future__ import annotations

from tests.support.agencies import SOCIAL_CARE

host, python_host, validate = SOCIAL_CARE.fixtures()
