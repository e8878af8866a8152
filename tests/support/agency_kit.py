"""An agency plugin's test kit: its hosts, problem runner, examples, and its conftest's fixtures.

Every agency's conftest is the same two lines, ``host, python_host, validate =
KIT.fixtures()`` with its kit from :mod:`tests.support.agencies`; its tests
import the kit for the rest (``run``, ``context``, ``valid_example``, ``examples``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from scr_returns import Problem, RuleContext
from scr_returns.core.plugins import PluginHost
from scr_returns.core.validation import validate_document, with_chronology
from tests.support import example_review
from tests.support.example_review import REVIEW

Validate = Callable[..., list[Problem]]
"""``validate(form, document, version=1, *, review=REVIEW, production=True, config=None)``."""

HOST_FIXTURES = {"rust": "host", "python": "python_host"}
"""The session fixture holding this plugin's host over each schema engine."""


def pairs(problems: list[Problem]) -> set[tuple[str, str]]:
    """The ``(pointer, code)`` of each problem."""
    return {(p.pointer, p.code) for p in problems}


@dataclass(frozen=True)
class AgencyKit:
    """What the tests of the agency plugin ``package`` (agency ``agency``) build on."""

    agency: str
    package: ModuleType
    engines: tuple[str, ...] = ("rust",)
    """The schema engines ``validate`` runs under: a test asking for it runs once per engine."""

    @property
    def examples(self) -> Path:
        """The plugin's examples folder (``valid/`` and ``invalid/``)."""
        return Path(str(self.package.__file__)).parent / "examples"

    def make_host(self, engine: str = "rust") -> PluginHost:
        """A host of this plugin alone: other agencies' plugins cannot break its tests, and
        compiling fewer schemas is faster."""
        return PluginHost(engine=engine, entry_points=False, extra={self.agency: self.package})

    def context(self, form: str, version: int = 1, *, review: object = REVIEW,
                production: bool = True, config: Mapping[str, Any] | None = None
                ) -> RuleContext:
        """The context of a return on ``form`` into the example review (``review=None``: a
        review-less dry run), in production or not, with the plugin's settings ``config``."""
        return example_review.context(self.agency, form, version, review,
                                      production=production, config=config)

    def run(self, host: PluginHost, form: str, document: Any, version: int = 1,
            **context: Any) -> list[Problem]:
        """Every problem, errors and warnings, of ``document`` on ``form`` v``version`` in
        ``host``; ``context`` as for :meth:`context`."""
        loaded = host.form(self.agency, form)
        assert loaded is not None, f"{self.agency} has no form {form!r}"
        # As the service does: the chronology's entries parsed once for every rule.
        ctx = with_chronology(self.context(form, version, **context), document,
                              loaded.spec.chronology)
        return validate_document(loaded.engines[version], loaded.spec.rules, document, ctx,
                                 plugin=loaded.plugin, cap=10_000).problems

    def valid_example(self, form: str, version: int = 1) -> dict[str, Any]:
        """A fresh copy of the form's valid example, to change in a test."""
        path = self.examples / "valid" / f"{form}.v{version}.json"
        document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return document

    def fixtures(self) -> tuple[Any, Any, Any]:
        """The session fixtures ``host``, ``python_host`` (the reference engine) and
        ``validate``: :meth:`run` on the host of each of :attr:`engines` in turn."""

        @pytest.fixture(scope="session")
        def host() -> PluginHost:
            return self.make_host("rust")

        @pytest.fixture(scope="session")
        def python_host() -> PluginHost:
            """The same plugin over the reference engine (python-jsonschema)."""
            return self.make_host("python")

        # NOTE: one engine, no parameter: the tests' ids name no engine.
        @pytest.fixture(scope="session", params=self.engines if len(self.engines) > 1 else None)
        def validate(request: pytest.FixtureRequest) -> Validate:
            """validate(form, document, version=1, **context) -> every problem."""
            engine = getattr(request, "param", self.engines[0])
            chosen: PluginHost = request.getfixturevalue(HOST_FIXTURES[engine])
            return functools.partial(self.run, chosen)

        return host, python_host, validate
