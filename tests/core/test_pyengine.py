"""The reference engine's guards: legal schemas and documents never crash or stall it,
and the engines agree where they used to differ by accident (issue 17)."""

from __future__ import annotations

import time
from typing import Any

import pytest

from scr_returns import FormVersion
from scr_returns.core import pyengine
from scr_returns.core.plugins import PluginHost
from scr_returns.core.schemas import SchemaLibrary, SchemaProblem, check_schema
from scr_returns.core.validation import PythonEngine, RustEngine
from tests.support.entry_points import FakeDistribution, FakeEntryPoint, fake_entry_points
from tests.support.throwaway_plugins import SCHEMA, Plugin, agency

Found = list[tuple[str, str]]


def found(engine: Any, instance: Any) -> Found:
    return sorted((p.pointer, p.code) for p in engine.problems(instance))


def both(schema: dict[str, Any], instance: Any) -> tuple[Found, Found]:
    library = SchemaLibrary.with_shared()
    return (found(RustEngine(schema, library), instance),
            found(PythonEngine(schema, library), instance))


@pytest.mark.parametrize(("schema", "instance", "expected"), [
    ({"type": "object", "patternProperties": {"^x": {"type": "string"}},
      "additionalProperties": False}, {"y": 1, "x": 2},
     [("/x", "schema.type"), ("/y", "schema.additionalProperties")]),
    ({"type": "object", "properties": {"a": {}}, "unevaluatedProperties": {"type": "string"}},
     {"a": 1, "b": 2, "c": "ok"}, [("/b", "schema.unevaluatedProperties")]),
    ({"type": "object", "patternProperties": {"^a": {}, "^b": {}},
      "additionalProperties": False}, {"ab": 1, "ba": 2, "c": 3},
     [("/c", "schema.additionalProperties")]),
], ids=["additional-with-patterns", "unevaluated-with-a-schema", "two-patterns"])
def test_unexpected_fields_are_named_without_parsing_messages(
        schema: dict[str, Any], instance: Any, expected: Found) -> None:
    assert both(schema, instance) == (expected, expected)


def test_a_broken_ref_is_refused_when_the_python_engine_loads_it() -> None:
    schema = {"$id": "https://scr-returns.invalid/schemas/test/broken.v1.json",
              "$ref": "https://scr-returns.invalid/schemas/common/nowhere.v1.json"}
    with pytest.raises(SchemaProblem, match="nowhere"):
        PythonEngine(schema, SchemaLibrary.with_shared())


@pytest.mark.parametrize(("fmt", "value"), [
    ("regex", "(" * 500),               # RecursionError in the compiler
    ("regex", "(" * 5000 + ")" * 5000),  # legal, but too deep for the Python engine
    ("duration", "P1E1000000D"),        # decimal.Overflow in isoduration
])
def test_a_format_check_that_raises_is_a_failed_format(fmt: str, value: str) -> None:
    rust, python = both({"format": fmt}, value)
    assert python == [("", "schema.format")]
    if value.count("(") != value.count(")"):
        assert rust == python


def test_isoduration_is_installed_so_durations_are_checked() -> None:
    assert "duration" in pyengine.FORMAT_CHECKER.checkers
    assert both({"format": "duration"}, "P1D") == ([], [])


def test_a_pathological_pattern_is_stopped_within_its_budget() -> None:
    schema = {"type": "string", "pattern": "^(a|a)*$"}
    engine = PythonEngine(schema, SchemaLibrary.with_shared())
    started = time.monotonic()
    result = list(engine.problems("a" * 40 + "!"))
    took = time.monotonic() - started
    assert [(p.pointer, p.code) for p in result] == [("", "schema.timeout")]
    assert "in time" in result[0].message
    assert took < pyengine.PATTERN_BUDGET_SECONDS * 4
    # The compiled engine's regexes run in linear time: it answers at once.
    assert found(RustEngine(schema, SchemaLibrary.with_shared()), "a" * 40 + "!") == \
        [("", "schema.pattern")]


def test_the_budget_is_for_one_document_and_renewed_for_the_next() -> None:
    engine = PythonEngine({"pattern": "^(a|a)*$"}, SchemaLibrary.with_shared())
    assert [p.code for p in engine.problems("a" * 40 + "!")] == ["schema.timeout"]
    assert list(engine.problems("aaa")) == []


def test_a_pathological_pattern_in_property_names_is_stopped_too() -> None:
    schema = {"type": "object", "patternProperties": {"^(a|a)*$": {}},
              "additionalProperties": False}
    engine = PythonEngine(schema, SchemaLibrary.with_shared())
    assert [p.code for p in engine.problems({"a" * 40 + "!": 1})] == ["schema.timeout"]


def test_unicode_property_escapes_load_and_match_in_both_engines() -> None:
    schema = {"type": "string", "pattern": "^\\p{L}+$"}
    check_schema(schema, where="test")
    assert both(schema, "Zoë") == ([], [])
    assert both(schema, "Zoë1") == ([("", "schema.pattern")], [("", "schema.pattern")])


def test_a_pattern_nested_500_deep_is_refused_by_each_engine_without_recursing() -> None:
    deep = "(" * 500 + "a" + ")" * 500
    check_schema({"pattern": deep}, where="test")  # the meta-schema check does not recurse
    library = SchemaLibrary.with_shared()
    for engine in (RustEngine, PythonEngine):
        with pytest.raises(ValueError, match="regex"):
            engine({"pattern": deep}, library)
    # One jsonschema-rs accepts but Python's compiler cannot nest as deep:
    with pytest.raises(ValueError, match="not a regular expression this engine can run"):
        pyengine.compile_pattern("(" * 5000 + ")" * 5000)


def test_a_boolean_schema_is_refused_with_a_reason() -> None:
    for schema in (True, False):
        with pytest.raises(SchemaProblem, match="must be a JSON object"):
            check_schema(schema, where="acme/report v1")


@pytest.mark.parametrize(("schema", "engine", "words"), [
    (True, "rust", "must be a JSON object"),
    (False, "python", "must be a JSON object"),
    ({**SCHEMA, "properties": {"summary": {"pattern": "(" * 500 + ")" * 500}}}, "python",
     "does not compile"),
    ({**SCHEMA, "properties": {"summary": {"pattern": "(" * 500 + ")" * 500}}}, "rust",
     "does not compile"),
], ids=["true", "false", "deep-pattern-python", "deep-pattern-rust"])
def test_an_installed_plugin_with_such_a_schema_is_listed_as_failed(
        monkeypatch: pytest.MonkeyPatch, schema: Any, engine: str, words: str) -> None:
    plugin = Plugin(agency(versions=(FormVersion(1, schema),)))
    fake_entry_points(monkeypatch, FakeEntryPoint("acme", "acme_scr", plugin,
                                                  FakeDistribution("acme-scr", "2.1")))
    host = PluginHost(engine=engine)  # no exception escapes: listed, so it can be disabled
    assert "acme" not in host.plugins
    assert words in host.failed["acme"].error


@pytest.mark.parametrize(("instance", "code"), [
    ([1], "schema.minContains"), (["a"], "schema.minContains"),
    ([1, 2, 3, 4], "schema.maxContains"),
])
def test_min_and_max_contains_are_coded_alike(instance: list[Any], code: str) -> None:
    schema = {"type": "array", "contains": {"type": "integer"}, "minContains": 2,
              "maxContains": 3}
    assert both(schema, instance) == ([("", code)], [("", code)])


def test_a_field_named_empty_keeps_its_step_in_the_pointer() -> None:
    schema = {"type": "object", "properties": {"pupils": {"type": "object", "properties": {
        "": {"type": "string"}}}}}
    assert both(schema, {"pupils": {"": 1}}) == ([("/pupils/", "schema.type")],) * 2
