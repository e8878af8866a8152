"""The tests' fixtures come from the fixture plugins of tests/support/fixtures, listed here.

NOTE: pytest honours ``pytest_plugins`` only in this, the root conftest. The
helper modules of tests/support hold assertions too (``assert_problem``, the
example checks), so they are rewritten like test modules, for the same reports.
"""

from __future__ import annotations

import pytest

pytest.register_assert_rewrite("tests.support")

pytest_plugins = [
    "tests.support.fixtures.databases",
    "tests.support.fixtures.services",
    "tests.support.fixtures.serving",
    "tests.support.fixtures.scaffolds",
    "tests.support.fixtures.import_names",
]
