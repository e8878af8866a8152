"""What every agency plugin's tests build on: a host of that plugin alone, and its problems.

``plugin_fixtures`` gives the usual session fixtures (``host``, ``python_host``,
``validate``) and the ``run`` helper; an agency's conftest assigns them to its own
names, where pytest finds them, and adds whatever its own tests need.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from core import Problem, RuleContext
from core.plugins import LoadedForm, PluginHost
from core.validation import validate_document
from tests.plugins.review_context import REVIEW, context

Validate = Callable[..., list[Problem]]


def host_of(agency: str, module: object, engine: str = "rust") -> PluginHost:
    """A host of this plugin alone: other agencies' plugins cannot break its tests, and
    compiling fewer schemas is faster."""
    return PluginHost(engine=engine, entry_points=False, extra={agency: module})


def problems(loaded: LoadedForm, document: Any, ctx: RuleContext) -> list[Problem]:
    """Every problem, errors and warnings, of ``document`` on the context's form version."""
    return validate_document(loaded.engines[ctx.schema_version], loaded.spec.rules, document,
                             ctx, plugin=loaded.plugin, cap=10_000).problems


def plugin_fixtures(agency: str, module: object) -> tuple[Any, Any, Any, Callable[..., Any]]:
    """``host``, ``python_host`` and ``validate`` fixtures and a ``run`` helper for one agency.

    ``run(loaded, document, version=1, *, review=REVIEW)`` and
    ``validate(form, document, version=1, review=REVIEW)`` give every problem.
    """

    @pytest.fixture(scope="session")
    def host() -> PluginHost:
        return host_of(agency, module)

    @pytest.fixture(scope="session")
    def python_host() -> PluginHost:
        """The same plugin over the reference engine (python-jsonschema)."""
        return host_of(agency, module, "python")

    def run(loaded: LoadedForm, document: Any, version: int = 1, *,
            review: object = REVIEW) -> list[Problem]:
        return problems(loaded, document, context(agency, loaded.spec.name, version, review))

    @pytest.fixture(scope="session")
    def validate(host: PluginHost) -> Validate:
        def _validate(form: str, document: Any, version: int = 1,
                      **kwargs: Any) -> list[Problem]:
            loaded = host.form(agency, form)
            assert loaded is not None, f"{agency} has no form {form!r}"
            return run(loaded, document, version, **kwargs)

        return _validate

    return host, python_host, validate, run
