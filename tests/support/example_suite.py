"""The example checks an agency plugin's tests may run, written once.

``example_tests`` returns the test functions for one agency's kit; its
``test_examples.py`` puts them in its own namespace, where pytest collects them
and resolves their fixtures (``host``, ``python_host``, ``validate``) from that
agency's conftest.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scr_returns.core.plugins import PluginHost
from tests.support.agency_kit import AgencyKit, Validate

NAME_RE = re.compile(r"(?P<form>[a-z-]+)\.v(?P<version>[0-9]+)(\.(?P<label>[a-z0-9-]+))?\.json")
FORMS = {"chronology", "agency-report", "nil-return", "records-secured"}


def example_tests(kit: AgencyKit, title: str) -> dict[str, Callable[..., None]]:
    """The example checks for the kit's agency, whose title is ``title``."""
    EXAMPLES, AGENCY = kit.examples, kit.agency

    def _examples(kind: str) -> list[Path]:
        return sorted((EXAMPLES / kind).glob("*.json"))

    def _form_version(path: Path) -> tuple[str, int]:
        m = NAME_RE.fullmatch(path.name)
        assert m, f"{path.name}: name it <form>.v<N>[.<label>].json"
        return m["form"], int(m["version"])

    def _load(path: Path) -> Any:
        return json.loads(path.read_text(encoding="utf-8"))

    def _review(wrapper: dict[str, Any]) -> dict[str, Any]:
        # "default" is the example review; "none" a review-less dry run.
        chosen = wrapper.get("review", "default")
        assert chosen in ("default", "none"), chosen
        return {} if chosen == "default" else {"review": None}

    def test_there_are_examples() -> None:
        assert len(_examples("valid")) >= 4
        assert len(_examples("invalid")) >= 4

    @pytest.mark.parametrize("path", _examples("valid"), ids=lambda p: p.name)
    def test_valid_example_has_no_problems(path: Path, validate: Validate) -> None:
        form, version = _form_version(path)
        problems = validate(form, _load(path), version)
        assert [(p.pointer, p.code) for p in problems] == []

    @pytest.mark.parametrize("path", _examples("invalid"), ids=lambda p: p.name)
    def test_invalid_example_gives_exactly_its_codes(path: Path, validate: Validate) -> None:
        form, version = _form_version(path)
        wrapper = _load(path)
        assert set(wrapper) <= {"expect", "review", "document"}
        problems = validate(form, wrapper["document"], version, **_review(wrapper))
        assert {p.code for p in problems} == set(wrapper["expect"]), \
            [(p.pointer, p.code) for p in problems]

    @pytest.mark.parametrize("path", _examples("valid") + _examples("invalid"),
                             ids=lambda p: p.name)
    def test_reference_engine_agrees(path: Path, host: PluginHost,
                                     python_host: PluginHost) -> None:
        form, version = _form_version(path)
        wrapper = _load(path)
        document = wrapper["document"] if path.parent.name == "invalid" else wrapper
        found = []
        for h in (host, python_host):
            loaded = h.form(AGENCY, form)
            assert loaded is not None
            found.append(sorted((p.pointer, p.code)
                                for p in kit.run(h, form, document, version)))
        assert found[0] == found[1]

    def test_agency_has_the_four_forms(host: PluginHost) -> None:
        loaded = host.by_agency[AGENCY]
        assert loaded.agency.title == title
        assert {f.name for f in loaded.agency.forms} == FORMS
        chronology = loaded.agency.form("chronology")
        assert chronology is not None and chronology.chronology is not None

    def test_every_form_and_version_has_valid_and_invalid_examples(host: PluginHost) -> None:
        for form in host.by_agency[AGENCY].agency.forms:
            for v in form.offered:
                for kind in ("valid", "invalid"):
                    assert any(_form_version(p) == (form.name, v.version)
                               for p in _examples(kind)), \
                        f"no {kind} example for {form.name} v{v.version}"

    def test_every_code_has_an_invalid_example(host: PluginHost) -> None:
        codes = set(host.by_agency[AGENCY].agency.codes)
        expected = {c for p in _examples("invalid") for c in _load(p)["expect"]}
        # review.agency.not_asked needs a review without this agency: see test_rules.
        assert codes - {"review.agency.not_asked"} <= expected, codes - expected

    def test_every_expected_rule_code_is_documented(host: PluginHost) -> None:
        codes = host.by_agency[AGENCY].agency.codes
        for path in _examples("invalid"):
            for code in _load(path)["expect"]:
                assert code.startswith("schema.") or code in codes, (path.name, code)

    def test_form_examples_are_the_shipped_valid_examples(host: PluginHost) -> None:
        for form in host.by_agency[AGENCY].agency.forms:
            newest = form.newest
            assert newest is not None
            assert form.example == _load(EXAMPLES / "valid" / f"{form.name}.v{newest.version}.json")

    return {name: test for name, test in locals().items() if name.startswith("test_")}
