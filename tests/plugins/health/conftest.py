"""Fixtures for the health plugin's tests: one plugin host per schema engine."""

from __future__ import annotations

from typing import Any

import pytest

import plugins.health
from core import Problem
from tests.plugins.plugin_fixtures import Validate, host_of, problems
from tests.plugins.review_context import REVIEW, context


@pytest.fixture(scope="session", params=["rust", "python"])
def validate(request: pytest.FixtureRequest) -> Validate:
    """validate(form, document, review=REVIEW, production=True) -> every problem."""
    host = host_of("health", plugins.health, request.param)

    def _validate(form: str, document: Any, *, review: object = REVIEW,
                  production: bool = True) -> list[Problem]:
        loaded = host.form("health", form)
        assert loaded is not None, f"health has no form {form!r}"
        return problems(loaded, document, context("health", form, 1, review,
                                                  production=production))

    return _validate
