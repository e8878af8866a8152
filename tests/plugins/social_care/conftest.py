"""Fixtures for the social-care plugin's tests: one plugin host for the whole session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import plugins.social_care
from core import Problem
from core.plugins import LoadedForm, PluginHost
from core.validation import validate_document
from tests.plugins.review_context import REVIEW, context

AGENCY = "social-care"

Validate = Callable[..., list[Problem]]


def _host(engine: str) -> PluginHost:
    # Only this plugin: other agencies' plugins cannot break these tests.
    return PluginHost(engine=engine, entry_points=False,
                      extra={AGENCY: plugins.social_care})


@pytest.fixture(scope="session")
def host() -> PluginHost:
    return _host("rust")


@pytest.fixture(scope="session")
def python_host() -> PluginHost:
    """The same plugin over the reference engine (python-jsonschema)."""
    return _host("python")


def run(loaded: LoadedForm, document: Any, version: int = 1, *,
        review: object = REVIEW) -> list[Problem]:
    ctx = context(AGENCY, loaded.spec.name, version, review)
    report = validate_document(loaded.engines[version], loaded.spec.rules, document, ctx,
                               plugin=loaded.plugin, cap=10_000)
    return report.problems


@pytest.fixture(scope="session")
def validate(host: PluginHost) -> Validate:
    """validate(form, document, version=1, review=REVIEW) -> every problem."""

    def _validate(form: str, document: Any, version: int = 1, **kwargs: Any) -> list[Problem]:
        loaded = host.form(AGENCY, form)
        assert loaded is not None, f"{AGENCY} has no form {form!r}"
        return run(loaded, document, version, **kwargs)

    return _validate
