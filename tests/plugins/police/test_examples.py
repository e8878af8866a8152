"""Every shipped example behaves as it says: valid ones are clean, invalid ones give
exactly their expected codes, under both schema engines."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import scr_returns.plugins.police
from scr_returns.core.plugins import PluginHost
from tests.support.agencies import POLICE
from tests.support.agency_kit import Validate

EXAMPLES = Path(scr_returns.plugins.police.__file__).parent / "examples"
NAME_RE = re.compile(r"(?P<form>[a-z-]+)\.v(?P<version>[0-9]+)(\.(?P<label>[a-z0-9-]+))?\.json")


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


@pytest.mark.parametrize("path", _examples("valid"), ids=lambda p: p.name)
def test_valid_example_has_no_problems(path: Path, validate: Validate) -> None:
    form, version = _form_version(path)
    problems = validate(form, _load(path), version)
    assert [(p.pointer, p.code) for p in problems] == []


@pytest.mark.parametrize("path", _examples("invalid"), ids=lambda p: p.name)
def test_invalid_example_gives_exactly_its_codes(path: Path, validate: Validate) -> None:
    form, version = _form_version(path)
    wrapper = _load(path)
    assert set(wrapper) <= {"expect", "review", "config", "document"}
    problems = validate(form, wrapper["document"], version, config=wrapper.get("config"),
                        **_review(wrapper))
    assert {p.code for p in problems} == set(wrapper["expect"]), \
        [(p.pointer, p.code) for p in problems]


@pytest.mark.parametrize("path", _examples("valid") + _examples("invalid"),
                         ids=lambda p: p.name)
def test_reference_engine_agrees(path: Path, host: PluginHost,
                                 python_host: PluginHost) -> None:
    form, version = _form_version(path)
    wrapper = _load(path)
    document, config = (wrapper["document"], wrapper.get("config")) \
        if path.parent.name == "invalid" else (wrapper, None)
    found = []
    for h in (host, python_host):
        loaded = h.form("police", form)
        assert loaded is not None
        found.append(sorted((p.pointer, p.code)
                            for p in POLICE.run(h, form, document, version, config=config)))
    assert found[0] == found[1]


def test_every_form_and_version_has_valid_and_invalid_examples(host: PluginHost) -> None:
    loaded = host.by_agency["police"]
    for form in loaded.agency.forms:
        for v in form.offered:
            for kind in ("valid", "invalid"):
                names = [p.name for p in _examples(kind)]
                assert any(_form_version(EXAMPLES / kind / n) == (form.name, v.version)
                           for n in names), f"no {kind} example for {form.name} v{v.version}"


def test_every_police_code_has_an_invalid_example(host: PluginHost) -> None:
    codes = host.by_agency["police"].agency.codes
    expected = {c for p in _examples("invalid") for c in _load(p)["expect"]}
    police = {c for c in codes if c.startswith("police.")}
    assert police <= expected, police - expected


def test_every_expected_rule_code_is_documented(host: PluginHost) -> None:
    codes = host.by_agency["police"].agency.codes
    for path in _examples("invalid"):
        for code in _load(path)["expect"]:
            assert code.startswith("schema.") or code in codes, (path.name, code)


def test_form_examples_are_the_shipped_valid_examples(host: PluginHost) -> None:
    for form in host.by_agency["police"].agency.forms:
        newest = form.newest
        assert newest is not None
        assert form.example == _load(EXAMPLES / "valid" / f"{form.name}.v{newest.version}.json")
