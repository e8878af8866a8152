"""Fixtures for the police plugin's tests: one plugin host for the whole session."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import pytest

import plugins.police
from core import Problem, RuleContext
from core.plugins import LoadedForm, PluginHost
from core.validation import validate_document
from tests.plugins.review_context import REVIEW, context

Validate = Callable[..., list[Problem]]


@pytest.fixture(scope="session")
def host() -> PluginHost:
    # Compiling every installed plugin's schemas is slow: do it once.
    return PluginHost(entry_points=False, extra={"police": plugins.police})


@pytest.fixture(scope="session")
def python_host() -> PluginHost:
    """The same plugins over the reference engine (python-jsonschema)."""
    return PluginHost(engine="python", entry_points=False, extra={"police": plugins.police})


def rule_context(form: str, version: int = 1, *, review: object = REVIEW,
                 config: Mapping[str, Any] | None = None) -> RuleContext:
    """The example review's context for a police return, with plugin settings."""
    return dataclasses.replace(context("police", form, version, review),
                               config=dict(config or {}))


def run(loaded: LoadedForm, document: Any, version: int, **kwargs: Any) -> list[Problem]:
    ctx = rule_context(loaded.spec.name, version, **kwargs)
    report = validate_document(loaded.engines[version], loaded.spec.rules, document, ctx,
                               plugin=loaded.plugin, cap=10_000)
    return report.problems


@pytest.fixture(scope="session")
def validate(host: PluginHost) -> Validate:
    """validate(form, document, version=1, review=..., config=...) -> every problem."""

    def _validate(form: str, document: Any, version: int = 1, **kwargs: Any) -> list[Problem]:
        loaded = host.form("police", form)
        assert loaded is not None, f"police has no form {form!r}"
        return run(loaded, document, version, **kwargs)

    return _validate
