"""The common form bodies under schemas/common: valid draft 2020-12, every field described."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from scr_returns.schemas import SCHEMAS_DIR

BODIES = ("agency-report", "nil-return", "records-secured", "gaps-explained")


def load(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (SCHEMAS_DIR / "common" / f"{name}.v1.json").read_text("utf-8"))
    return schema


def undescribed(schema: Any, path: str = "") -> Iterator[str]:
    """Paths of properties and array items that have no description."""
    if not isinstance(schema, dict):
        return
    for name, sub in schema.get("properties", {}).items():
        if "description" not in sub:
            yield f"{path}/{name}"
        yield from undescribed(sub, f"{path}/{name}")
    if isinstance(schema.get("items"), dict):
        if "description" not in schema["items"]:
            yield f"{path}/items"
        yield from undescribed(schema["items"], f"{path}/items")


@pytest.mark.parametrize("name", BODIES)
def test_body_is_a_valid_schema_with_a_stable_id(name: str) -> None:
    schema = load(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"https://scr-returns.invalid/schemas/common/{name}.v1.json"
    assert schema["title"] and schema["description"]


@pytest.mark.parametrize("name", BODIES)
def test_every_field_is_described(name: str) -> None:
    assert list(undescribed(load(name))) == []
