"""Fixtures for the education plugin's tests: one plugin host per engine for the session."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import plugins.education
from core import Problem
from core.plugins import PluginHost
from tests.plugins.plugin_fixtures import Validate, host_of, problems
from tests.plugins.review_context import REVIEW, context

EXAMPLES = Path(plugins.education.__file__).parent / "examples"


@pytest.fixture(scope="session")
def host() -> PluginHost:
    return host_of("education", plugins.education)


@pytest.fixture(scope="session")
def python_host() -> PluginHost:
    """The same plugin over the reference engine (python-jsonschema)."""
    return host_of("education", plugins.education, "python")


def run(host: PluginHost, form: str, document: Any, *, review: object = REVIEW
        ) -> list[Problem]:
    """Every problem (errors and warnings) of an education document on ``form`` v1."""
    loaded = host.form("education", form)
    assert loaded is not None, f"education has no form {form!r}"
    return problems(loaded, document, context("education", form, 1, review))


@pytest.fixture(scope="session")
def validate(host: PluginHost) -> Validate:
    """validate(form, document, review=REVIEW) -> every problem."""

    def _validate(form: str, document: Any, **kwargs: Any) -> list[Problem]:
        return run(host, form, document, **kwargs)

    return _validate


def valid_example(form: str) -> dict[str, Any]:
    """A fresh copy of the form's valid example, to change in a test."""
    document: dict[str, Any] = json.loads(
        (EXAMPLES / "valid" / f"{form}.v1.json").read_text(encoding="utf-8"))
    return copy.deepcopy(document)


def pairs(problems: list[Problem]) -> set[tuple[str, str]]:
    return {(p.pointer, p.code) for p in problems}
