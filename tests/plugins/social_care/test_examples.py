"""Every shipped example behaves as it says: valid ones are clean, invalid ones give
exactly their expected codes, under both schema engines (see tests/support/example_suite.py)."""

from __future__ import annotations

from tests.support.agencies import SOCIAL_CARE
from tests.support.example_suite import example_tests

globals().update(example_tests(SOCIAL_CARE, "Children's social care"))
