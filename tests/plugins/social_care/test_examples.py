"""Every shipped example behaves as it says: valid ones are clean, invalid ones give
exactly their expected codes, under both schema engines (see tests/plugins/example_suite.py)."""

from __future__ import annotations

from pathlib import Path

import plugins.social_care
from tests.plugins.example_suite import example_tests
from tests.plugins.social_care.conftest import AGENCY, run

globals().update(example_tests(Path(plugins.social_care.__file__).parent / "examples", AGENCY,
                               "Children's social care", run))
