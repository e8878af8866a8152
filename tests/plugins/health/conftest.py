"""Fixtures for the health plugin's tests: one plugin host per schema engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import plugins.health
from core import Problem
from core.plugins import PluginHost
from core.validation import validate_document
from tests.plugins.review_context import REVIEW, context

Validate = Callable[..., list[Problem]]


def _host(engine: str) -> PluginHost:
    # Only this plugin: other agencies' work in progress must not break these tests.
    return PluginHost(engine=engine, entry_points=False, extra={"health": plugins.health})


@pytest.fixture(scope="session", params=["rust", "python"])
def validate(request: pytest.FixtureRequest) -> Validate:
    """validate(form, document, review=REVIEW, production=True) -> every problem."""
    host = _host(request.param)

    def _validate(form: str, document: Any, *, review: object = REVIEW,
                  production: bool = True) -> list[Problem]:
        loaded = host.form("health", form)
        assert loaded is not None, f"health has no form {form!r}"
        ctx = context("health", form, 1, review, production=production)
        report = validate_document(loaded.engines[1], loaded.spec.rules, document, ctx,
                                   plugin=loaded.plugin, cap=10_000)
        return report.problems

    return _validate
