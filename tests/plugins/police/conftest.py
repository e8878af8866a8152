"""Fixtures for the police plugin's tests: one plugin host for the whole session."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest

import plugins.police
from core import Problem, RuleContext
from core.plugins import LoadedForm, PluginHost
from tests.plugins.plugin_fixtures import Validate, host_of, problems
from tests.plugins.review_context import REVIEW, context


@pytest.fixture(scope="session")
def host() -> PluginHost:
    return host_of("police", plugins.police)


@pytest.fixture(scope="session")
def python_host() -> PluginHost:
    """The same plugin over the reference engine (python-jsonschema)."""
    return host_of("police", plugins.police, "python")


def rule_context(form: str, version: int = 1, *, review: object = REVIEW,
                 config: Mapping[str, Any] | None = None) -> RuleContext:
    """The example review's context for a police return, with plugin settings."""
    return dataclasses.replace(context("police", form, version, review),
                               config=dict(config or {}))


def run(loaded: LoadedForm, document: Any, version: int, **kwargs: Any) -> list[Problem]:
    return problems(loaded, document, rule_context(loaded.spec.name, version, **kwargs))


@pytest.fixture(scope="session")
def validate(host: PluginHost) -> Validate:
    """validate(form, document, version=1, review=..., config=...) -> every problem."""

    def _validate(form: str, document: Any, version: int = 1, **kwargs: Any) -> list[Problem]:
        loaded = host.form("police", form)
        assert loaded is not None, f"police has no form {form!r}"
        return run(loaded, document, version, **kwargs)

    return _validate
