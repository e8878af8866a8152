"""Every built-in agency's newest chronology can say "not known" honestly, and its
``chronology.v<N>.not-known.json`` example does so for every field that allows it.

The fields are found in the schema itself (an ``enum`` offering a not-known value,
or a ``dateOrNotKnown`` date), so a field added later without a not-known
example fails here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from scr_returns import NOT_KNOWN, is_not_known
from scr_returns.core.plugins import PluginHost
from tests.support.agencies import EDUCATION, HEALTH, LEGAL, POLICE, SOCIAL_CARE
from tests.support.agency_kit import AgencyKit

KITS = (HEALTH, POLICE, EDUCATION, SOCIAL_CARE, LEGAL)
DATE_OR_NOT_KNOWN = "defs.v1.json#/$defs/dateOrNotKnown"


def _local(root: Mapping[str, Any], node: Any) -> Any:
    while isinstance(node, Mapping) and str(node.get("$ref", "")).startswith("#/"):
        target: Any = root
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _may_be_not_known(node: Mapping[str, Any]) -> bool:
    enum = node.get("enum")
    return (isinstance(enum, list) and any(isinstance(v, str) and v in NOT_KNOWN
                                           for v in enum)) \
        or str(node.get("$ref", "")).endswith(DATE_OR_NOT_KNOWN)


def fields_allowing_not_known(root: Mapping[str, Any], node: Any, path: str = ""
                              ) -> Iterator[str]:
    """Dotted paths (list items skipped) of every property that may be not known."""
    node = _local(root, node)
    if not isinstance(node, Mapping):
        return
    for name, sub in node.get("properties", {}).items():
        target = _local(root, sub)
        here = f"{path}.{name}" if path else name
        if (isinstance(sub, Mapping) and _may_be_not_known(sub)) or \
                (isinstance(target, Mapping) and _may_be_not_known(target)):
            yield here
        yield from fields_allowing_not_known(root, target, here)
    items = node.get("items")
    if items is not None:
        yield from fields_allowing_not_known(root, items, path)


def not_known_paths(value: Any, path: str = "") -> Iterator[str]:
    """Dotted paths of every not-known value in a document (list items skipped)."""
    if isinstance(value, Mapping):
        for key, sub in value.items():
            yield from not_known_paths(sub, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from not_known_paths(item, path)
    elif is_not_known(value):
        yield path


def _newest(kit: AgencyKit, host: PluginHost) -> tuple[int, Mapping[str, Any]]:
    loaded = host.form(kit.agency, "chronology")
    assert loaded is not None and loaded.spec.newest is not None
    return loaded.spec.newest.version, loaded.spec.newest.schema


@pytest.mark.parametrize("kit", KITS, ids=lambda k: k.agency)
def test_not_known_example_says_not_known_wherever_the_form_allows(kit: AgencyKit) -> None:
    version, schema = _newest(kit, kit.make_host())
    entry = schema["properties"]["entries"]["items"]
    allowed = set(fields_allowing_not_known(schema, entry))
    assert allowed, f"{kit.agency}: no field of the chronology may be not known"
    path = kit.examples / "valid" / f"chronology.v{version}.not-known.json"
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    used = set(not_known_paths(document["entries"]))
    assert allowed - used == set(), f"{kit.agency}: no not-known example for these fields"


@pytest.mark.parametrize("kit", KITS, ids=lambda k: k.agency)
def test_the_not_known_chronology_is_accepted_with_no_error(kit: AgencyKit) -> None:
    host = kit.make_host()
    version, _ = _newest(kit, host)
    path = kit.examples / "valid" / f"chronology.v{version}.not-known.json"
    document = json.loads(Path(path).read_text(encoding="utf-8"))
    problems = kit.run(host, "chronology", document, version)
    assert [(p.pointer, p.code) for p in problems if p.severity == "error"] == []
