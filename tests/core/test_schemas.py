"""Schemas: every shared and plugin schema is sound; unsound ones are refused by name."""

from __future__ import annotations

import json
from typing import Any

import pytest

from scr_returns import AgencySpec, FormSpec, FormVersion, hookimpl
from scr_returns.core.errors import PluginLoadError
from scr_returns.core.plugins import PluginHost
from scr_returns.core.schemas import (
    DRAFT,
    SchemaLibrary,
    SchemaProblem,
    check_schema,
    shared_schemas,
)
from scr_returns.schemas import SCHEMAS_DIR

BASE = "https://scr-returns.invalid/schemas/"


@pytest.fixture(scope="module")
def host() -> PluginHost:
    return PluginHost()


@pytest.mark.parametrize("path", sorted(SCHEMAS_DIR.rglob("*.json")),
                         ids=lambda p: str(p.relative_to(SCHEMAS_DIR)))
def test_every_shared_schema_passes_the_meta_schema(path: Any) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    check_schema(schema, where=path.name)
    assert schema["$schema"] == DRAFT
    assert schema["$id"] == BASE + "common/" + path.name


def test_shared_schemas_refs_resolve() -> None:
    library = SchemaLibrary(shared_schemas())
    for schema in shared_schemas():
        library.check_refs(schema, where=schema["$id"])


def test_every_plugin_schema_passes_and_resolves(host: PluginHost) -> None:
    checked = 0
    for loaded in host.plugins.values():
        for form in loaded.agency.forms:
            for v in form.versions:
                where = f"{loaded.agency.name}/{form.name} v{v.version}"
                check_schema(v.schema, where=where)
                host.library.check_refs(v.schema, where=where)
                assert v.schema.get("$schema") == DRAFT, where
                assert v.schema.get("$id") == (
                    f"{BASE}{loaded.agency.name}/{form.name}.v{v.version}.json"), where
                checked += 1
    assert checked == sum(len(f.versions) for p in host.plugins.values()
                          for f in p.agency.forms)


def test_meta_schema_failure_names_where() -> None:
    bad = {"$schema": DRAFT, "properties": {"date": {"type": "strin"}}}
    with pytest.raises(SchemaProblem) as caught:
        check_schema(bad, where="health/chronology v2")
    text = str(caught.value)
    assert text.startswith("health/chronology v2: ")
    assert "properties/date/type" in text


def test_other_drafts_are_refused() -> None:
    with pytest.raises(SchemaProblem, match="must be"):
        check_schema({"$schema": "http://json-schema.org/draft-07/schema#"}, where="x")


@pytest.mark.parametrize("ref", [
    BASE + "common/missing.v1.json",
    BASE + "common/defs.v1.json#/$defs/noSuchDefinition",
    "#/$defs/notHere",
])
def test_unresolvable_ref_is_refused(ref: str) -> None:
    library = SchemaLibrary.with_shared()
    schema = {"$schema": DRAFT, "$id": BASE + "test/refs.v1.json",
              "properties": {"a": {"$ref": ref}}}
    with pytest.raises(SchemaProblem) as caught:
        library.check_refs(schema, where="test/refs v1")
    assert str(caught.value).startswith("test/refs v1: ")


def test_resolvable_ref_is_accepted() -> None:
    library = SchemaLibrary.with_shared()
    library.check_refs({"$ref": BASE + "common/defs.v1.json#/$defs/date"}, where="x")


def test_an_id_cannot_be_reused_for_another_schema() -> None:
    library = SchemaLibrary.with_shared()
    with pytest.raises(SchemaProblem, match="already used"):
        library.add({"$id": BASE + "common/defs.v1.json", "type": "string"}, where="x/y v1")


def _plugin(schema: dict[str, Any]) -> object:
    class Plugin:
        @hookimpl
        def scr_returns_register_agency(self) -> AgencySpec:
            return AgencySpec("testagency", "Test agency", "1", forms=(
                FormSpec("chronology", "Chronology", "Test", (FormVersion(1, schema),)),))
    return Plugin()


def test_plugin_schema_failing_meta_schema_stops_start_up() -> None:
    schema = {"$schema": DRAFT, "$id": BASE + "testagency/chronology.v1.json",
              "type": "object", "required": "entries"}
    with pytest.raises(PluginLoadError) as caught:
        PluginHost(entry_points=False, extra={"testplugin": _plugin(schema)})
    assert caught.value.plugin == "testplugin"
    assert "testagency/chronology v1" in caught.value.reason
    assert "required" in caught.value.reason


def test_plugin_schema_with_unresolvable_ref_stops_start_up() -> None:
    schema = {"$schema": DRAFT, "$id": BASE + "testagency/chronology.v1.json",
              "type": "object",
              "properties": {"d": {"$ref": BASE + "common/defs.v1.json#/$defs/nope"}}}
    with pytest.raises(PluginLoadError) as caught:
        PluginHost(entry_points=False, extra={"testplugin": _plugin(schema)})
    assert caught.value.plugin == "testplugin"
    assert "does not compile" in caught.value.reason


def test_pattern_hints_name_the_expected_form() -> None:
    library = SchemaLibrary.with_shared()
    assert library.pattern_hints["^[0-9]{10}$"] == "NHS number: 10 digits, no spaces."
    # A pattern described twice: the schema first by $id wins; an undescribed one has none.
    library.add({"$id": "https://example.invalid/b", "pattern": "^z$", "description": "B."},
                where="b")
    library.add({"$id": "https://example.invalid/a", "properties": {
        "v": {"pattern": "^z$", "description": "A."}, "w": {"pattern": "^y$"}}}, where="a")
    assert library.pattern_hints["^z$"] == "A."
    assert "^y$" not in library.pattern_hints
