"""Validation: the compiled engine and the reference engine agree; the report's contract.

The differential test takes valid documents (every installed plugin's form examples
and examples/valid/*.json, plus a kitchen-sink schema of this file), mutates them
with a seeded generator and requires jsonschema-rs (:class:`RustEngine`) and
python-jsonschema (:class:`PythonEngine`) to report the same multiset of
(pointer, code, message). The only differences tolerated are the ones
docs/validation.md documents, where the JSON Schema specification sides with
jsonschema-rs; each is excluded below by name, with its reason.
"""

from __future__ import annotations

import copy
import json
import math
import random
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import regex

from scr_returns import Problem, RuleContext, json_pointer, problem
from scr_returns.core.errors import PluginLoadError, PluginRuleError
from scr_returns.core.plugins import GROUP, PluginHost
from scr_returns.core.schemas import DRAFT, SchemaLibrary
from scr_returns.core.validation import PythonEngine, RustEngine, SchemaEngine, validate_document

COMMON = "https://scr-returns.invalid/schemas/common/"
DEFS = COMMON + "defs.v1.json#/$defs/"
MUTANTS_PER_DOCUMENT = 400
KITCHEN_SINK_MUTANTS = 1500

# A schema of our own that exercises every keyword the project's schemas use (and a
# few they may), built on the shared definitions so $ref resolution is covered too.
KITCHEN_SINK: dict[str, Any] = {
    "$schema": DRAFT,
    "$id": "https://scr-returns.invalid/schemas/test/kitchen-sink.v1.json",
    "title": "Kitchen sink (test only)",
    "type": "object",
    "required": ["reference", "kind", "period", "entries"],
    "properties": {
        "reference": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}-[0-9]{2}$"},
        "kind": {"enum": ["cspr", "lcspr", "rapid-review"]},
        "form_version": {"const": 1},
        "period": {
            "type": "object",
            "required": ["from", "to"],
            "properties": {"from": {"$ref": DEFS + "date"}, "to": {"$ref": DEFS + "date"}},
            "additionalProperties": False,
        },
        "contact": {"type": ["string", "null"], "minLength": 3, "maxLength": 40},
        "count": {"type": "integer", "minimum": 0, "maximum": 1000},
        "score": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 10},
        "tags": {"type": "array", "items": {"type": "string", "minLength": 1},
                 "minItems": 1, "maxItems": 5, "uniqueItems": True},
        "subjects": {"$ref": DEFS + "subjects"},
        "identifier": {"oneOf": [{"$ref": DEFS + "nhsNumber"}, {"$ref": DEFS + "upn"}]},
        "reached_on": {"anyOf": [{"type": "string", "format": "date"},
                                 {"type": "integer", "minimum": 1}]},
        "nil": {"type": "boolean"},
        "nil_reason": {"$ref": DEFS + "text"},
        "flags": {"type": "object", "additionalProperties": False},
        "by_subject": {"type": "object", "propertyNames": {"$ref": DEFS + "subjectKey"},
                       "additionalProperties": {"type": "number", "multipleOf": 0.5}},
        "entries": {
            "type": "array",
            "minItems": 1,
            "items": {
                "allOf": [
                    {"$ref": COMMON + "chronology-entry.v1.json"},
                    {"properties": {
                        "event_type": {"enum": ["appointment", "referral", "home-visit"]},
                        "location": {"$ref": DEFS + "shortText"},
                        "contacts": {"type": "integer", "minimum": 0},
                    }},
                ],
                "unevaluatedProperties": False,
            },
        },
    },
    "dependentRequired": {"count": ["score"]},
    "if": {"properties": {"nil": {"const": True}}, "required": ["nil"]},
    "then": {"required": ["nil_reason"]},
    "additionalProperties": False,
}


def _entry(n: int, day: int = 1) -> dict[str, Any]:
    return {
        "id": f"e-{n:04d}",
        "date": f"2024-{1 + n % 12:02d}-{day:02d}",
        "date_precision": "exact",
        "time": "09:30",
        "source": {"service": "Health visiting, North", "role": "Health visitor"},
        "subjects": ["child-a", "mother"],
        "event_type": "home-visit",
        "description": "Visit at home; child seen asleep.",
        "decision_or_action": "Weight recorded; next visit booked.",
        "location": "Home",
        "contacts": 2,
    }


KITCHEN_SINK_VALID: dict[str, Any] = {
    "reference": "IOW-2026-01",
    "kind": "cspr",
    "form_version": 1,
    "period": {"from": "2024-01-01", "to": "2025-12-31"},
    "contact": None,
    "count": 3,
    "score": 2.5,
    "tags": ["neglect", "housing"],
    "subjects": ["child-a"],
    "identifier": "9434765919",
    "reached_on": "2024-02-29",
    "nil": False,
    "flags": {},
    "by_subject": {"child-a": 1.5, "mother": 3},
    "entries": [_entry(n) for n in range(4)],
}


# -- the seeded mutation generator ------------------------------------------------------

BAD_DATES = ["2023-02-30", "2023-02-29", "2024-13-01", "2024-00-10", "24-01-01", "2024-1-1",
             "01/02/2024", "2024-01-01T10:00", "1900-02-29"]
WRONG_TYPES: list[Any] = [None, True, False, 0, -1, 1.5, 10**20, -(10**20), "", "x", [], {},
                          [None], {"x": 1}]
ODD_KEYS = ["unknown", "Date", "a/b~c", "notes ", "extra(1) were unexpected)", "it's", "",
            "('a', 'b' were unexpected)"]

Json = Any
Where = tuple[str | int, ...]


def _places(doc: Json, at: Where = ()) -> Iterator[tuple[Where, Json]]:
    yield at, doc
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _places(v, (*at, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _places(v, (*at, i))


def _set(doc: Json, at: Where, value: Json) -> Json:
    if not at:
        return value
    parent = doc
    for part in at[:-1]:
        parent = parent[part]
    parent[at[-1]] = value
    return doc


def _wrong(rng: random.Random) -> Json:
    # A fresh copy: a shared dict put into a document could end up inside itself.
    return copy.deepcopy(rng.choice(WRONG_TYPES))


def _mutate_once(doc: Json, rng: random.Random) -> Json:
    at, value = rng.choice(list(_places(doc)))
    if isinstance(value, dict):
        choice = rng.randrange(4)
        if choice == 0 and value:
            del value[rng.choice(sorted(value))]                    # drop a (required) field
        elif choice == 1:
            value[rng.choice(ODD_KEYS)] = _wrong(rng)   # an unknown field
        elif choice == 2:
            value.clear()
        else:
            return _set(doc, at, _wrong(rng))
    elif isinstance(value, list):
        choice = rng.randrange(4)
        if choice == 0 and value:
            value.append(copy.deepcopy(rng.choice(value)))          # a duplicate
        elif choice == 1:
            value.clear()
        elif choice == 2 and value:
            del value[rng.randrange(len(value))]
        else:
            return _set(doc, at, _wrong(rng))
    elif isinstance(value, str):
        options = [
            value + "\n",             # trailing newline against an anchored pattern
            "", "   ", value.upper(), value + "-not-in-the-list", "x" * 20001,
            "\x1c\x1d\x1e\x1f",     # not white space in either engine
            "\u0085", "\ufeff",      # white space in only one (docs/validation.md, 2)
            rng.choice(BAD_DATES), _wrong(rng),
        ]
        return _set(doc, at, rng.choice(options))
    elif isinstance(value, bool) or value is None:
        return _set(doc, at, _wrong(rng))
    elif isinstance(value, int | float):
        options = [10**20, -(10**20), -1, 0, value + 0.5, -value, 1e308, str(value)]
        return _set(doc, at, rng.choice(options))
    return doc


def mutants(doc: Json, seed: str, count: int = MUTANTS_PER_DOCUMENT) -> Iterator[Json]:
    rng = random.Random(seed)
    for _ in range(count):
        mutant = copy.deepcopy(doc)
        for _ in range(rng.randint(1, 4)):
            mutant = _mutate_once(mutant, rng)
        yield mutant


# -- comparing the engines --------------------------------------------------------------

Triple = tuple[str, str, str]


def _triples(engine: SchemaEngine, doc: Json) -> Counter[Triple]:
    return Counter((p.pointer, p.code, p.message) for p in engine.problems(doc))


def _value_at(doc: Json, pointer: str) -> Json:
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


def _strings(doc: Json, at: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(doc, str):
        yield at, doc
    elif isinstance(doc, dict):
        for k, v in doc.items():
            yield from _strings(v, f"{at}/{json_pointer(k)[1:]}")
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _strings(v, f"{at}/{i}")


# ECMA-262 WhiteSpace and LineTerminator: what \\s means in jsonschema-rs.
ECMA_SPACE = set("\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff") | {
    chr(c) for c in range(0x2000, 0x200B)}


def _ecma_blank(text: str) -> bool:
    return all(c in ECMA_SPACE for c in text)


def _python_blank(text: str) -> bool:
    # The reference engine matches with the regex package (core/pyengine.py), whose \s
    # is not str.isspace(): U+001C-U+001F are not white space there.
    return regex.search(r"\S", text) is None


def _explained(doc: Json, only: list[Triple], engine: str) -> set[Triple]:
    """The problems one engine alone reports that docs/validation.md accounts for.

    1. ``$`` before a trailing newline: ECMA-262, which JSON Schema prescribes for
       ``pattern``, matches ``$`` only at the very end; Python also matches just
       before a final newline, so python-jsonschema accepts ``"e-0001\\n"`` against
       ``^...$`` (jsonschema-rs alone reports it).
    2. White space: ECMA-262's ``\\s`` includes U+FEFF and not U+0085, Python's the
       reverse, so a value of only U+FEFF is blank to jsonschema-rs alone and one of
       only U+0085 to python-jsonschema alone.

    Each cascades: a oneOf/anyOf branch or an allOf part that fails in one engine
    makes the oneOf fail, or every field that part declares "unevaluated". So a
    problem is excused when such a string lies at or under its pointer (for
    unevaluatedProperties: under its object).
    """
    if engine == "rust":
        odd = [at for at, text in _strings(doc)
               if text.endswith("\n") or (_ecma_blank(text) and not _python_blank(text))]
    else:
        odd = [at for at, text in _strings(doc) if _python_blank(text) and not _ecma_blank(text)]

    def under(pointer: str) -> bool:
        return any(n == pointer or n.startswith(pointer + "/") for n in odd)

    return {t for t in only
            if under(t[0].rsplit("/", 1)[0] if t[1] == "schema.unevaluatedProperties"
                     else t[0])}


def assert_engines_agree(rust: SchemaEngine, python: SchemaEngine, doc: Json) -> None:
    got_rs, got_py = _triples(rust, doc), _triples(python, doc)
    only_rs = list((got_rs - got_py).elements())
    only_py = list((got_py - got_rs).elements())
    explained = _explained(doc, only_rs, "rust") | _explained(doc, only_py, "python")
    unexplained_rs = [t for t in only_rs if t not in explained]
    unexplained_py = [t for t in only_py if t not in explained]
    assert not unexplained_rs and not unexplained_py, (
        f"engines differ on {json.dumps(doc)[:2000]}\n"
        f"only jsonschema-rs: {unexplained_rs}\nonly python-jsonschema: {unexplained_py}")


# -- the installed plugins' forms --------------------------------------------------------


@dataclass(frozen=True)
class Case:
    id: str
    rust: SchemaEngine | None
    python: SchemaEngine | None
    documents: tuple[Json, ...]
    error: str = ""


def _plugin_dir(host: PluginHost, plugin: str) -> Path | None:
    module = host.pm.get_plugin(plugin)
    file = getattr(module, "__file__", None)
    return Path(file).parent if file else None


def _seed_documents(host: PluginHost, plugin: str, rust: RustEngine | SchemaEngine,
                    example: Json) -> list[Json]:
    """The form's example and every example of the plugin this version accepts."""
    docs = [example] if example is not None else []
    folder = _plugin_dir(host, plugin)
    if folder is not None:
        for path in sorted((folder / "examples" / "valid").glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            if not any(True for _ in rust.problems(doc)) and doc not in docs:
                docs.append(doc)
    return docs


def _load_host() -> tuple[PluginHost | None, list[Case]]:
    """Every installed plugin that loads; one failing case per plugin that does not.

    Plugins are written in parallel: a broken one must fail its own case, not hide
    every other plugin from the differential test.
    """
    blocked: list[str] = []
    broken: list[Case] = []
    while True:
        try:
            return PluginHost(blocked=blocked, strict=True), broken
        except PluginLoadError as exc:
            broken.append(Case(f"{exc.plugin}/load", None, None, (), error=str(exc)))
            if exc.plugin in blocked or exc.plugin not in _entry_point_names():
                return None, broken
            blocked.append(exc.plugin)


def _entry_point_names() -> set[str]:
    return {ep.name for ep in metadata.entry_points(group=GROUP)}


def _plugin_cases(host: PluginHost | None) -> list[Case]:
    cases = []
    for plugin, loaded in sorted(host.plugins.items()) if host else ():
        for name, lf in sorted(loaded.forms.items()):
            for version in lf.spec.versions:
                rust = lf.engines[version.version]
                python = host.python_engine(version.schema)
                docs = _seed_documents(host, plugin, rust, lf.spec.example)
                cases.append(Case(f"{plugin}/{name}.v{version.version}", rust, python,
                                  tuple(docs)))
    return cases


def _kitchen_sink_engines() -> tuple[RustEngine, PythonEngine]:
    library = SchemaLibrary.with_shared()
    library.add(KITCHEN_SINK, where="kitchen sink")
    return RustEngine(KITCHEN_SINK, library), PythonEngine(KITCHEN_SINK, library)


HOST, BROKEN = _load_host()
PLUGIN_CASES = BROKEN + _plugin_cases(HOST)


@pytest.fixture(scope="module")
def sink() -> tuple[RustEngine, PythonEngine]:
    return _kitchen_sink_engines()


def test_kitchen_sink_example_is_valid(sink: tuple[RustEngine, PythonEngine]) -> None:
    rust, python = sink
    assert list(rust.problems(KITCHEN_SINK_VALID)) == []
    assert list(python.problems(KITCHEN_SINK_VALID)) == []


def test_engines_agree_on_kitchen_sink_mutants(sink: tuple[RustEngine, PythonEngine]) -> None:
    rust, python = sink
    invalid = 0
    for doc in mutants(KITCHEN_SINK_VALID, "kitchen-sink", count=KITCHEN_SINK_MUTANTS):
        assert_engines_agree(rust, python, doc)
        invalid += rust.is_valid(doc) is False
    assert invalid > 1000  # the generator really breaks documents


@pytest.mark.parametrize("case", PLUGIN_CASES, ids=[c.id for c in PLUGIN_CASES])
def test_engines_agree_on_plugin_form_mutants(case: Case) -> None:
    if case.error:
        pytest.fail(f"plugin failed to load: {case.error}")
    assert case.rust is not None and case.python is not None
    if not case.documents:
        pytest.fail(f"{case.id} has no example document to mutate")
    for i, doc in enumerate(case.documents):
        assert_engines_agree(case.rust, case.python, doc)
        for mutant in mutants(doc, f"{case.id}#{i}"):
            assert_engines_agree(case.rust, case.python, mutant)


def test_a_run_compares_at_least_10000_documents() -> None:
    # Each case above compares every one of its seeded mutants (a failure stops only
    # that case), so a run compares this many documents.
    compared = KITCHEN_SINK_MUTANTS + sum(
        len(c.documents) * (1 + MUTANTS_PER_DOCUMENT) for c in PLUGIN_CASES)
    assert compared >= 10_000, compared


# Constructs on which the engines are known to differ (docs/validation.md). None of the
# project's schemas may use them: the reference engine would then disagree in production.
_UNICODE_CLASS = re.compile(r"(?<!\\)(?:\\\\)*\\[dDwWbB]")


def _suspect_constructs(schema: Json, at: str = "") -> Iterator[str]:
    if isinstance(schema, dict):
        fmt = schema.get("format")
        if isinstance(fmt, str) and fmt != "date":
            yield f"{at}/format: {fmt!r} is not checked the same way by both engines"
        pattern = schema.get("pattern")
        if isinstance(pattern, str) and _UNICODE_CLASS.search(pattern):
            yield f"{at}/pattern: \\d, \\w or \\b mean different things in ECMA-262 and Python"
        step = schema.get("multipleOf")
        # Python divides in binary floating point: exact only for a power-of-two step.
        if isinstance(step, float) and not step.is_integer() and math.frexp(step)[0] != 0.5:
            yield f"{at}/multipleOf: a fractional step is computed differently"
        for key, sub in schema.items():
            if key in ("enum", "const", "examples", "default"):
                continue
            if sub is False and key not in ("additionalProperties", "unevaluatedProperties",
                                            "unevaluatedItems"):
                yield f"{at}/{key}: a false subschema is placed differently"
            yield from _suspect_constructs(sub, f"{at}/{key}")
    elif isinstance(schema, list):
        for i, sub in enumerate(schema):
            yield from _suspect_constructs(sub, f"{at}/{i}")


def test_project_schemas_avoid_constructs_the_engines_disagree_on() -> None:
    library = HOST.library if HOST else SchemaLibrary.with_shared()
    found = [f"{sid}{where}" for sid, schema in sorted(library._by_id.items())
             for where in _suspect_constructs(schema)]
    assert found == [], "see docs/validation.md:\n" + "\n".join(found)


def test_suspect_constructs_are_found() -> None:
    schema = {"properties": {"a": {"format": "email"}, "b": {"pattern": "^\\d+$"},
                             "c": {"multipleOf": 0.01}, "d": False, "e": {"pattern": "^\\\\d$"},
                             "f": {"multipleOf": 0.5}}}
    assert sorted(_suspect_constructs(schema)) == [
        "/properties/a/format: 'email' is not checked the same way by both engines",
        "/properties/b/pattern: \\d, \\w or \\b mean different things in ECMA-262 and Python",
        "/properties/c/multipleOf: a fractional step is computed differently",
        "/properties/d: a false subschema is placed differently",
    ]


# -- the documented differences are real (if an engine changes, update the doc) -----------


@pytest.mark.parametrize(("ref", "value", "message"), [
    ("nhsNumber", "943 476 5919",
     "Is not written in the expected form: NHS number: 10 digits, no spaces."),
    ("pncId", "99/12345678B", "Is not written in the expected form: Police National "
                              "Computer ID: YY/NNNNNNNC (or a 4-digit year)."),
    ("text", "   ", "Must not be blank."),
])
def test_a_pattern_failure_says_what_form_is_expected(ref: str, value: str,
                                                      message: str) -> None:
    library = SchemaLibrary.with_shared()
    schema = {"type": "object", "properties": {"v": {"$ref": DEFS + ref}}}
    for engine in (RustEngine(schema, library), PythonEngine(schema, library)):
        found = [(p.pointer, p.code, p.message) for p in engine.problems({"v": value})]
        assert found == [("/v", "schema.pattern", message)], engine.name


def test_a_pattern_without_a_description_gets_the_plain_message() -> None:
    library = SchemaLibrary.with_shared()
    schema = {"pattern": "^x$"}
    for engine in (RustEngine(schema, library), PythonEngine(schema, library)):
        assert [p.message for p in engine.problems("y")] == \
            ["Is not written in the expected form."], engine.name


@pytest.mark.parametrize(("value", "valid"), [
    ("1900-01-01", True), ("2099-12-31", True), ("2024-02-29", True),
    ("0000-01-10", False),  # RFC 3339 allows it, Python's date cannot hold it
    ("1899-12-31", False), ("2206-01-01", False), ("2023-02-29", False), ("2024-1-01", False),
])
def test_the_common_date_is_a_real_date_in_both_engines(value: str, valid: bool) -> None:
    # A date the rules cannot read must not pass the schema: every rule would skip it
    # and the entry would be stored undated.
    library = SchemaLibrary.with_shared()
    schema = {"$ref": DEFS + "date"}
    for engine in (RustEngine(schema, library), PythonEngine(schema, library)):
        assert engine.is_valid(value) is valid, (engine.name, value)


@pytest.mark.parametrize(("schema", "value", "rust_flags", "python_flags"), [
    ({"pattern": "^[a-z]+$"}, "abc\n", True, False),          # $ before a final newline
    ({"$ref": DEFS + "text"}, "\ufeff", True, False),          # ECMA \s includes U+FEFF
    ({"$ref": DEFS + "text"}, "\u0085", False, True),          # Python \s includes U+0085
    ({"$ref": DEFS + "text"}, "\x1c\x1d\x1e\x1f", False, False),  # white space in neither
    ({"format": "date"}, "0000-01-01", False, True),          # RFC 3339 allows year 0000
    ({"pattern": "^\\d$"}, "\u0663", True, False),             # \d is ASCII-only in ECMA-262
    ({"multipleOf": 0.01}, 19.99, False, True),                # float division in Python
    ({"format": "email"}, "a@", True, False),                  # python checks only for "@"
    ({"format": "uri"}, "not a uri", True, False),             # needs rfc3987
    ({"format": "date-time"}, "2024-12-31T23:59:60Z", False, True),  # leap second
])
def test_documented_engine_differences(schema: dict[str, Any], value: Any, rust_flags: bool,
                                       python_flags: bool) -> None:
    library = SchemaLibrary.with_shared()
    assert (not RustEngine(schema, library).is_valid(value)) is rust_flags
    assert (not PythonEngine(schema, library).is_valid(value)) is python_flags


def test_false_subschema_placed_differently() -> None:
    # python-jsonschema reports a false subschema at the parent, jsonschema-rs at the field.
    library = SchemaLibrary.with_shared()
    schema = {"properties": {"time": False}}
    assert [p.pointer for p in RustEngine(schema, library).problems({"time": 1})] == ["/time"]
    assert [p.pointer for p in PythonEngine(schema, library).problems({"time": 1})] == [""]


@pytest.mark.parametrize(("change", "drop", "expected"), [
    ({"flags": {"a": 1, "b/c": 2}}, (),                      # closed object, no properties
     {("/flags/a", "schema.additionalProperties"), ("/flags/b~1c", "schema.additionalProperties")}),
    ({"count": 1}, ("score",), {("/score", "schema.dependentRequired")}),
    ({"contact": []}, (), {("/contact", "schema.type")}),   # a type union's message
    ({"nil": True}, (), {("/nil_reason", "schema.required")}),  # if/then
    ({"by_subject": {"Child A": 1, "mother": 1, "x" * 41: 2}}, (),
     {("/by_subject/Child A", "schema.propertyNames"),
      ("/by_subject/" + "x" * 41, "schema.propertyNames")}),
], ids=["closed-empty-object", "dependent-required", "type-union", "if-then", "property-names"])
def test_engines_agree_on_mapped_cases(sink: tuple[RustEngine, PythonEngine],
                                       change: dict[str, Any], drop: tuple[str, ...],
                                       expected: set[tuple[str, str]]) -> None:
    rust, python = sink
    doc = {k: v for k, v in {**KITCHEN_SINK_VALID, **change}.items() if k not in drop}
    assert_engines_agree(rust, python, doc)
    assert {(p.pointer, p.code) for p in rust.problems(doc)} == expected


# -- the report: cap, ordering, rule failures --------------------------------------------

CONTEXT = RuleContext(agency="test", form="kitchen-sink", schema_version=1,
                      today=date(2026, 11, 26), submitted_at=datetime(2026, 11, 26, tzinfo=UTC))


# The report's contract is tested on a plain schema: in the kitchen sink an error inside
# an entry also makes the entry's own fields "unevaluated", which would blur the counts.
SIMPLE: dict[str, Any] = {
    "$schema": DRAFT,
    "type": "object",
    "required": ["entries"],
    "properties": {"entries": {"type": "array", "items": {
        "type": "object",
        "required": ["date"],
        "properties": {"date": {"$ref": DEFS + "date"},
                       "n": {"type": "integer", "minimum": 0}},
    }}},
}


@pytest.fixture(scope="module")
def simple() -> tuple[RustEngine, PythonEngine]:
    library = SchemaLibrary.with_shared()
    return RustEngine(SIMPLE, library), PythonEngine(SIMPLE, library)


def _doc_with_entries(n: int) -> dict[str, Any]:
    return {"entries": [{"date": "2024-05-01", "n": i} for i in range(n)]}


def test_cap_keeps_the_first_problems_and_counts_them_all(
        simple: tuple[RustEngine, PythonEngine]) -> None:
    doc = _doc_with_entries(50)
    for entry in doc["entries"]:
        entry["n"] = -1                                         # one error per entry
    for engine in simple:
        report = validate_document(engine, (), doc, CONTEXT, plugin="test", cap=5)
        assert len(report.problems) == 5
        assert report.error_count == 50
        assert report.truncated is True
        assert [p.pointer for p in report.problems] == [f"/entries/{i}/n" for i in range(5)]
        assert not report.valid


def test_no_truncation_at_the_cap(simple: tuple[RustEngine, PythonEngine]) -> None:
    doc = _doc_with_entries(5)
    for entry in doc["entries"]:
        entry["n"] = -1
    report = validate_document(simple[0], (), doc, CONTEXT, plugin="test", cap=5)
    assert (len(report.problems), report.error_count, report.truncated) == (5, 5, False)


def _first_entry_date(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    # Trusts the schema's shape: raises on a document whose entries are not a list.
    if document["entries"][0]["date"] > "2025-12-31":
        yield problem("/entries/0/date", "test.date.late", "Too late.")


def _always_warns(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    yield problem("/entries/0", "test.entry.note", "Worth a look.", "warning")


def test_rule_raising_on_schema_invalid_document_is_skipped(
        simple: tuple[RustEngine, PythonEngine]) -> None:
    doc = {"entries": "none"}
    report = validate_document(simple[0], (_first_entry_date, _always_warns), doc, CONTEXT,
                               plugin="test", cap=100)
    assert [(p.pointer, p.code, p.source) for p in report.problems] == [
        ("/entries", "schema.type", "schema"),
        ("/entries/0", "test.entry.note", "test"),             # later rules still run
    ]


def test_rule_raising_on_schema_valid_document_is_a_plugin_bug(
        sink: tuple[RustEngine, PythonEngine]) -> None:
    def broken(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
        yield from ()
        raise KeyError("nope")

    with pytest.raises(PluginRuleError) as caught:
        validate_document(sink[0], (broken,), KITCHEN_SINK_VALID, CONTEXT, plugin="test",
                          cap=100)
    assert caught.value.plugin == "test"
    assert "broken" in caught.value.rule
    assert isinstance(caught.value.__cause__, KeyError)


def test_problems_in_document_order_errors_before_warnings(
        simple: tuple[RustEngine, PythonEngine]) -> None:
    doc = _doc_with_entries(12)
    doc["entries"][10]["date"] = "2024-02-30"
    doc["entries"][2]["n"] = -1
    doc["entries"][0]["date"] = "2026-01-05"                   # rule error at /entries/0

    def late_entry(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
        for i in (11, 3):
            yield problem(f"/entries/{i}", "test.entry.late", "Late.")

    rules = (_always_warns, late_entry, _first_entry_date)
    for engine in simple:
        report = validate_document(engine, rules, doc, CONTEXT, plugin="test", cap=100)
        assert [(p.pointer, p.severity) for p in report.problems] == [
            ("/entries/0/date", "error"),
            ("/entries/2/n", "error"),
            ("/entries/3", "error"),
            ("/entries/10/date", "error"),
            ("/entries/11", "error"),
            ("/entries/0", "warning"),
        ]
        assert (report.error_count, report.warning_count) == (5, 1)
        assert report.schema_version == 1


def test_sources_and_severities_are_tagged(simple: tuple[RustEngine, PythonEngine]) -> None:
    doc = _doc_with_entries(1)
    report = validate_document(simple[0], (_always_warns,), doc, CONTEXT, plugin="health",
                               cap=10)
    assert report.valid
    assert [(p.source, p.severity) for p in report.problems] == [("health", "warning")]

