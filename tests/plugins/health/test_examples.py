"""Every shipped health example behaves as it says, under both schema engines."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import scr_returns.plugins.health
from scr_returns import COMMON_CODES
from tests.support.agency_kit import Validate
from tests.support.example_review import REVIEWS

EXAMPLES = Path(scr_returns.plugins.health.__file__).parent / "examples"
NAME_RE = re.compile(r"(?P<form>[a-z-]+)\.v(?P<version>[0-9]+)(\.(?P<label>[a-z0-9-]+))?\.json")
FORMS = ("chronology", "agency-report", "nil-return", "records-secured")


def _examples(kind: str) -> list[Path]:
    return sorted((EXAMPLES / kind).glob("*.json"))


def _form(path: Path) -> str:
    return _form_version(path)[0]


def _form_version(path: Path) -> tuple[str, int]:
    m = NAME_RE.fullmatch(path.name)
    assert m, f"{path.name}: name it <form>.v<N>[.<label>].json"
    assert m["form"] in FORMS
    return m["form"], int(m["version"])


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", _examples("valid"), ids=lambda p: p.name)
def test_valid_example_has_no_problems(path: Path, validate: Validate) -> None:
    form, version = _form_version(path)
    problems = validate(form, _load(path), version)
    assert [(p.pointer, p.code) for p in problems] == []


@pytest.mark.parametrize("path", _examples("invalid"), ids=lambda p: p.name)
def test_invalid_example_gives_exactly_its_codes(path: Path, validate: Validate) -> None:
    wrapper = _load(path)
    assert set(wrapper) == {"expect", "review", "document"}
    form, version = _form_version(path)
    problems = validate(form, wrapper["document"], version, review=REVIEWS[wrapper["review"]])
    assert {p.code for p in problems} == set(wrapper["expect"]), \
        [(p.pointer, p.code) for p in problems]


def test_every_form_has_a_valid_example() -> None:
    assert {_form(p) for p in _examples("valid")} == set(FORMS)


def test_examples_cover_every_rule_code() -> None:
    # Every health code and every common code is shown failing at least once.
    expected = {code for p in _examples("invalid") for code in _load(p)["expect"]}
    missing = (set(COMMON_CODES) | set(scr_returns.plugins.health.rules.CODES)) - expected
    assert missing == set()


def test_every_code_is_documented() -> None:
    spec = scr_returns.plugins.health.scr_returns_register_agency()
    used = {code for p in _examples("invalid") for code in _load(p)["expect"]
            if not code.startswith("schema.")}
    assert used <= set(spec.codes)
