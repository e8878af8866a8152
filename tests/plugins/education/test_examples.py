"""Every shipped example behaves as it says: valid ones are clean, invalid ones give
exactly their expected codes, under both schema engines; and together the invalid
examples produce every code the education rules document."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from scr_returns.core.plugins import PluginHost
from scr_returns.plugins.education.rules import CODES
from tests.support.agencies import EDUCATION
from tests.support.example_review import REVIEW

EXAMPLES = EDUCATION.examples
NAME_RE = re.compile(r"(?P<form>[a-z-]+)\.v(?P<version>[0-9]+)(\.(?P<label>[a-z0-9-]+))?\.json")
FORMS = ("chronology", "agency-report", "nil-return", "records-secured")
REVIEWS: dict[str, object] = {"default": REVIEW, "none": None}


def _examples(kind: str) -> list[Path]:
    return sorted((EXAMPLES / kind).glob("*.json"))


def _form(path: Path) -> str:
    return _form_version(path)[0]


def _form_version(path: Path) -> tuple[str, int]:
    m = NAME_RE.fullmatch(path.name)
    assert m, f"{path.name}: name it <form>.v<N>[.<label>].json"
    assert m["form"] in FORMS, f"{path.name}: no education form {m['form']!r}"
    return m["form"], int(m["version"])


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(params=["rust", "python"])
def any_host(request: pytest.FixtureRequest, host: PluginHost,
             python_host: PluginHost) -> PluginHost:
    return host if request.param == "rust" else python_host


def test_every_form_has_valid_and_invalid_examples() -> None:
    for form in FORMS:
        assert (EXAMPLES / "valid" / f"{form}.v1.json").is_file()
        assert any(_form(p) == form for p in _examples("invalid")), form


@pytest.mark.parametrize("path", _examples("valid"), ids=lambda p: p.name)
def test_valid_example_has_no_problems(path: Path, any_host: PluginHost) -> None:
    form, version = _form_version(path)
    problems = EDUCATION.run(any_host, form, _load(path), version)
    assert [(p.pointer, p.code, p.message) for p in problems] == []


@pytest.mark.parametrize("path", _examples("invalid"), ids=lambda p: p.name)
def test_invalid_example_gives_exactly_its_codes(path: Path, any_host: PluginHost) -> None:
    example = _load(path)
    assert set(example) == {"expect", "review", "document"}
    form, version = _form_version(path)
    problems = EDUCATION.run(any_host, form, example["document"], version,
                             review=REVIEWS[example["review"]])
    assert {p.code for p in problems} == set(example["expect"]), \
        [(p.pointer, p.code) for p in problems]


def test_invalid_examples_cover_every_education_code() -> None:
    expected = {code for path in _examples("invalid") for code in _load(path)["expect"]}
    assert set(CODES) - expected == set()


def test_examples_expect_only_documented_codes(host: PluginHost) -> None:
    documented = host.by_agency["education"].agency.codes
    for path in _examples("invalid"):
        for code in _load(path)["expect"]:
            assert code in documented or code.startswith("schema."), (path.name, code)


def test_form_examples_are_the_valid_example_files(host: PluginHost) -> None:
    for form in FORMS:
        loaded = host.form("education", form)
        assert loaded is not None and loaded.spec.newest is not None
        newest = loaded.spec.newest.version
        assert loaded.spec.example == _load(EXAMPLES / "valid" / f"{form}.v{newest}.json")
