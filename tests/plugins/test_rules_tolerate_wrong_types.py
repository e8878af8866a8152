"""Every rule of every built-in agency tolerates values of the wrong type.

Rules run even when the schema has found errors (so that a practitioner sees
every problem at once); a rule that raises there is skipped, and whatever else
it would have found is lost. So no rule may raise on any shape: each value of
each valid example (header fields and the first two entries) is replaced in
turn by values of every other JSON type, and every rule of the form is run.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scr_returns.core.plugins import PluginHost
from tests.support.example_review import REVIEW, context

ROOT = Path(__file__).resolve().parents[2]
AGENCIES = {"health": "health", "police": "police", "education": "education",
            "social-care": "social_care", "legal": "legal"}
WEIRD: list[Any] = [None, True, 1.5, -3, "x", "", [], {}, [{}], {"a": []}, ["x", 1]]
CONFIG = {"crime_reference_patterns": {"hampshire": "^[0-9]+/[0-9]{2}$"}}


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return PluginHost()


def paths(node: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*at, key))
    elif isinstance(node, list):
        # The first two items show every shape; the rest repeat it.
        for i, value in enumerate(node[:2]):
            yield from paths(value, (*at, i))


def replaced(doc: Any, at: tuple[Any, ...], value: Any) -> Any:
    if not at:
        return value
    out = copy.deepcopy(doc)
    node = out
    for part in at[:-1]:
        node = node[part]
    node[at[-1]] = value
    return out


def examples() -> Iterator[Any]:
    for agency, package in AGENCIES.items():
        for path in sorted((ROOT / "plugins" / package / "examples" / "valid").glob("*.json")):
            form, version = path.name.split(".v")[0], int(path.name.split(".v")[1][0])
            yield pytest.param(agency, form, version, path, id=f"{agency}/{path.stem}")


@pytest.mark.parametrize(("agency", "form", "version", "path"), list(examples()))
def test_no_rule_raises_on_a_wrong_type(host: PluginHost, agency: str, form: str,
                                        version: int, path: Path) -> None:
    loaded = host.form(agency, form)
    assert loaded is not None
    doc = json.loads(path.read_text(encoding="utf-8"))
    ctx = dataclasses.replace(context(agency, form, version, REVIEW), config=CONFIG)
    raised = set()
    for at in list(paths(doc)):
        for value in WEIRD:
            mutant = replaced(doc, at, value)
            for rule in loaded.spec.rules:
                try:
                    list(rule(mutant, ctx))
                except Exception as exc:
                    raised.add((rule.__qualname__, "/".join(map(str, at)),
                                f"{type(exc).__name__}: {exc}"))
    assert not raised, sorted(raised)[:10]
