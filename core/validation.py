"""Validating a document: the form's JSON Schema (every error), then its rules.

Two schema engines give identical problems: the compiled ``jsonschema-rs``
(the default, fast, linear-time regexes) and python-jsonschema (the reference,
used by the differential test and selectable in settings). Both turn engine
errors into the same :class:`~scr_returns.core.errors.Problem` (code ``schema.<keyword>``,
pointer at the offending field, our own plain-English message).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

import jsonschema_rs

from scr_returns.core import pyengine
from scr_returns.core.descriptors import ChronologyMapping, RuleContext, json_pointer
from scr_returns.core.errors import PluginRuleError, Problem, ValidationReport
from scr_returns.core.rulekit.entries import parse_chronology
from scr_returns.core.schemas import SchemaLibrary

log = logging.getLogger(__name__)

Path = tuple[str | int, ...]

_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number",
               "boolean": "true or false", "array": "a list", "object": "an object",
               "null": "null"}
_FORMAT_NAMES = {"date": "a real date written YYYY-MM-DD", "time": "a time",
                 "date-time": "a date and time", "email": "an email address",
                 "uri": "a web address"}


def _fmt(values: Iterable[Any]) -> str:
    # Values as the practitioner wrote them in JSON: 'gp', 3, true, null.
    return ", ".join(repr(v) if isinstance(v, str) else json.dumps(v) for v in values)


def message_for(keyword: str, params: Mapping[str, Any]) -> str:
    """The practitioner's message for one schema keyword failure."""
    limit = params.get("limit")
    match keyword:
        case "required":
            return "This field is required but is missing."
        case "additionalProperties" | "unevaluatedProperties":
            return "This field is not part of the form."
        case "type":
            # Sorted: jsonschema-rs lists a type union in its own order, the schema in another.
            names = [_TYPE_NAMES.get(t, t) for t in sorted(params["types"])]
            return "Must be " + " or ".join(names) + "."
        case "enum":
            return "Must be one of: " + _fmt(params["options"]) + "."
        case "const":
            return "Must be " + _fmt([params["expected"]]) + "."
        case "format":
            return "Must be " + _FORMAT_NAMES.get(params["format"], str(params["format"])) + "."
        case "pattern":
            if params.get("pattern") == "\\S":
                return "Must not be blank."
            hint = params.get("hint")
            return f"Is not written in the expected form: {hint}" if hint else \
                "Is not written in the expected form."
        case "minLength":
            return "Must not be empty." if limit == 1 else f"Must be at least {limit} characters."
        case "maxLength":
            return f"Must be at most {limit} characters."
        case "minimum":
            return f"Must be at least {limit}."
        case "maximum":
            return f"Must be at most {limit}."
        case "exclusiveMinimum":
            return f"Must be more than {limit}."
        case "exclusiveMaximum":
            return f"Must be less than {limit}."
        case "multipleOf":
            return f"Must be a multiple of {params['multiple_of']}."
        case "minItems":
            return "Must not be empty." if limit == 1 else f"Must have at least {limit} items."
        case "maxItems":
            return f"Must have at most {limit} items."
        case "uniqueItems":
            return "Must not repeat the same value."
        case "minProperties" | "maxProperties":
            return f"Must have {'at least' if keyword == 'minProperties' else 'at most'} " \
                   f"{limit} fields."
        case "oneOf" | "anyOf":
            return "Does not match any of the allowed forms of this field."
        case "dependentRequired":
            return "This field is required here but is missing."
        case "propertyNames":
            return "This name is not allowed here."
        case "minContains" | "maxContains":
            # jsonschema-rs gives no limit with these: the message names none.
            return f"Has too {'few' if keyword == 'minContains' else 'many'} items of the " \
                   "kind this field asks for."
        case "contains":
            return "Must have at least one item of the kind this field asks for."
        case "timeout":
            return ("Could not be checked in time: a value takes too long to match the "
                    "form's patterns. Shorten or simplify it, or tell the form's owner.")
        case _:
            return "Is not allowed here."


def _problem(path: Path, keyword: str, params: Mapping[str, Any]) -> Problem:
    return Problem(pointer=json_pointer(*path), code=f"schema.{keyword}",
                   message=message_for(keyword, params), severity="error", source="schema")


class SchemaEngine(Protocol):
    """A compiled schema: every error of an instance, as problems."""

    def problems(self, instance: Any) -> Iterator[Problem]: ...


class RustEngine:
    """The compiled validator (jsonschema-rs)."""

    name = "jsonschema-rs"

    def __init__(self, schema: Mapping[str, Any], library: SchemaLibrary) -> None:
        self._validator = jsonschema_rs.validator_for(
            dict(schema), registry=library.rust_registry, validate_formats=True)
        self._hints = library.pattern_hints
        self._schema, self._library = schema, library
        self._reference: PythonEngine | None = None

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def problems(self, instance: Any) -> Iterator[Problem]:
        errors = list(self._validator.iter_errors(instance))
        if errors and _has_blank_name(instance):
            # NOTE: jsonschema-rs drops a "" step from its error paths (/pupils for
            # /pupils/), so such a document's problems come from the reference engine.
            if self._reference is None:
                self._reference = PythonEngine(self._schema, self._library)
            yield from self._reference.problems(instance)
            return
        named: set[Path] = set()
        for error in errors:
            kind = error.kind
            keyword = kind.name
            if keyword == "contains" and error.schema_path[-1] in ("minContains",
                                                                   "maxContains"):
                keyword = str(error.schema_path[-1])
            params = kind.as_dict()
            path = tuple(error.instance_path)
            if keyword == "required":
                # jsonschema-rs reports dependentRequired as "required"; only the
                # schema path tells them apart.
                if error.schema_path[-1] == "dependentRequired":
                    keyword = "dependentRequired"
                yield _problem((*path, params["property"]), keyword, params)
            elif keyword in ("additionalProperties", "unevaluatedProperties"):
                for name in params["unexpected"]:
                    yield _problem((*path, name), keyword, params)
            elif keyword == "falseSchema" and error.schema_path[-1] == "additionalProperties":
                # "additionalProperties": false with no sibling properties is compiled
                # to a false schema and reported once, naming no field: every field
                # of that object is unexpected.
                for name in _value_at(instance, path):
                    yield _problem((*path, name), "additionalProperties", {})
            elif keyword == "propertyNames":
                # One problem per bad name, at that field, however many checks it fails.
                where = (*path, params["error"].instance)
                if where not in named:
                    named.add(where)
                    yield _problem(where, keyword, {})
            else:
                if keyword == "const":
                    params = {"expected": params["expected_value"]}
                elif keyword == "pattern":
                    params = {**params, "hint": self._hints.get(params["pattern"])}
                yield _problem(path, keyword, params)


class PythonEngine:
    """The reference validator (python-jsonschema, guarded: core/pyengine.py), with format
    assertion on. Refuses at load a schema with a ``$ref`` it cannot resolve or a pattern
    it cannot compile; a document whose matching outruns its budget gets ``schema.timeout``.
    """

    name = "python-jsonschema"

    def __init__(self, schema: Mapping[str, Any], library: SchemaLibrary) -> None:
        library.check_refs(schema, where=str(schema.get("$id", "the form")))
        for pattern in pyengine.patterns_in(schema):
            pyengine.compile_pattern(pattern)
        self._validator = pyengine.ReferenceValidator(
            dict(schema), registry=library.python_registry,
            format_checker=pyengine.FORMAT_CHECKER)
        self._hints = library.pattern_hints

    def is_valid(self, instance: Any) -> bool:
        return not any(True for _ in self.problems(instance))

    def problems(self, instance: Any) -> Iterator[Problem]:
        try:
            found = pyengine.errors(self._validator, instance)
        except pyengine.PatternTimeout:
            yield Problem(pointer="", code="schema.timeout", message=message_for(
                "timeout", {}), severity="error", source="schema")
            return
        named: set[Path] = set()
        for error in found:
            # A false subschema's error carries no keyword; jsonschema-rs calls it this.
            keyword = "falseSchema" if error.validator is None else str(error.validator)
            value = error.validator_value
            path = tuple(error.absolute_path)
            if (error.validator is not None and isinstance(error.instance, str)
                    and isinstance(_value_at(instance, path), dict)):
                # Only propertyNames reports a string at an object's path: it checks
                # the field's name, and names no keyword of its own.
                where = (*path, error.instance)
                if where not in named:
                    named.add(where)
                    yield _problem(where, "propertyNames", {})
            elif keyword == "required":
                missing = next(p for p in value if f"{p!r} is a required property"
                               == error.message)
                yield _problem((*path, missing), keyword, {})
            elif isinstance(error, pyengine.Unexpected):
                for name in error.names:
                    yield _problem((*path, name), keyword, {})
            elif keyword == "dependentRequired":
                # Pointer at the missing field, as for "required" (and as jsonschema-rs).
                missing = next(d for name, deps in value.items() for d in deps
                               if f"{d!r} is a dependency of {name!r}" == error.message)
                yield _problem((*path, missing), keyword, {})
            else:
                if keyword == "contains" and "minContains" in error.schema:
                    # Nothing matched at all: jsonschema-rs names minContains, so do we.
                    keyword, value = "minContains", error.schema["minContains"]
                params = _python_params(keyword, value, error)
                if keyword == "pattern":
                    params["hint"] = self._hints.get(value)
                yield _problem(path, keyword, params)


def _has_blank_name(document: Any) -> bool:
    """Whether any object in ``document`` has a field named ``""``."""
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "" in node:
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _value_at(document: Any, path: Path) -> Any:
    for part in path:
        document = document[part]
    return document


def _python_params(keyword: str, value: Any, error: Any) -> dict[str, Any]:
    match keyword:
        case "type":
            return {"types": sorted(value) if isinstance(value, list) else [value]}
        case "enum":
            return {"options": value}
        case "const":
            return {"expected": value}
        case "format":
            return {"format": value}
        case "multipleOf":
            return {"multiple_of": value}
        case "pattern":
            return {"pattern": value}
        case _:
            return {"limit": value}


def _sort_key(problem: Problem) -> tuple[tuple[int, int | str], ...]:
    parts = problem.pointer.split("/")[1:]
    # isascii: "²".isdigit() is true, but int("²") fails.
    return tuple((0, int(p)) if p.isascii() and p.isdigit() else (1, p) for p in parts)


def run_rules(rules: Sequence[Any], document: Any, context: RuleContext, *, plugin: str,
              schema_valid: bool) -> Iterator[Problem]:
    """Every problem from the form's rules, tagged with the plugin's name.

    A rule that raises on a document that failed the schema is skipped: it
    tripped over a shape the schema errors already report. One that raises on a
    schema-valid document is a plugin bug, raised as :class:`PluginRuleError`.
    """
    for rule in rules:
        name = getattr(rule, "__qualname__", repr(rule))
        try:
            found = list(rule(document, context))
        except Exception as exc:
            if not schema_valid:
                log.debug("rule %s of plugin %s skipped on a schema-invalid document",
                          name, plugin)
                continue
            raise PluginRuleError(plugin, name) from exc
        for p in found:
            yield Problem(p.pointer, p.code, p.message, p.severity, plugin)


def with_chronology(context: RuleContext, document: Any,
                    mapping: ChronologyMapping | None) -> RuleContext:
    """``context`` carrying ``document``'s chronology entries, parsed once for every rule
    (and then for the integrated chronology); unchanged for a form without one."""
    if mapping is None:
        return context
    return replace(context, chronology=parse_chronology(document, mapping))


def validate_document(engine: SchemaEngine, rules: Sequence[Any], document: Any,
                      context: RuleContext, *, plugin: str, cap: int) -> ValidationReport:
    """Schema then rules; every problem counted, at most ``cap`` kept, in document order."""
    schema_problems = list(engine.problems(document))
    rule_problems = list(run_rules(rules, document, context, plugin=plugin,
                                   schema_valid=not schema_problems))
    # Errors first: if the list is cut, what blocks acceptance is what is shown.
    # Each severity in document order, schema and rule problems interleaved (the
    # sort is stable: at one pointer the schema's problem comes first).
    everything = sorted((p for p in schema_problems + rule_problems if p.severity == "error"),
                        key=_sort_key) + \
                 sorted((p for p in rule_problems if p.severity == "warning"), key=_sort_key)
    errors = sum(1 for p in everything if p.severity == "error")
    return ValidationReport(problems=everything[:cap], error_count=errors,
                            warning_count=len(everything) - errors,
                            truncated=len(everything) > cap,
                            schema_version=context.schema_version)
