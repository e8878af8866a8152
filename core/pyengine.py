"""python-jsonschema, the reference engine, guarded so that no legal schema or document
can crash it or stall it.

Stock python-jsonschema runs every ``pattern`` and ``patternProperties`` key with
Python's backtracking ``re``, unbounded: ``^(a|a)*$`` against 40 characters runs for
hours. Here the four keywords that match regular expressions (``pattern``,
``patternProperties``, ``additionalProperties``, ``unevaluatedProperties``) and the
``regex`` format use the ``regex`` package (the same syntax as ``re``, plus Unicode
property escapes such as ``\\p{L}``) with a time limit: all matching for one document
shares a budget of :data:`PATTERN_BUDGET_SECONDS`; when it runs out, validation stops
with :class:`PatternTimeout` and the engine refuses the document (``schema.timeout``).
Every format check that raises (``decimal.Overflow`` from isoduration, a
``RecursionError`` from a deeply nested pattern) counts as a failed format instead of
escaping. See docs/validation.md, "The reference engine's guards".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from typing import Any

import attrs
import jsonschema
import regex
from jsonschema.exceptions import ValidationError

PATTERN_BUDGET_SECONDS = 1.0
"""Regular-expression time one document may use in the reference engine."""

_deadline: ContextVar[float | None] = ContextVar("scr_returns_pattern_deadline", default=None)


class PatternTimeout(Exception):
    """A document's matching ran past its budget: it cannot be checked."""


class Unexpected(ValidationError):
    """An additional or unevaluated property error that names its fields."""

    def __init__(self, message: str, names: list[str]) -> None:
        super().__init__(message)
        self.names = names


def compile_pattern(pattern: str) -> Any:
    """``pattern`` compiled (cached by ``regex``); ValueError if it cannot be."""
    try:
        return regex.compile(pattern)
    except (regex.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"{pattern[:80]!r} is not a regular expression this engine can "
                         f"run: {type(exc).__name__}") from None


def search(pattern: str, text: str) -> bool:
    """Whether ``pattern`` matches somewhere in ``text``, within the document's budget."""
    deadline = _deadline.get()
    left = None if deadline is None else deadline - time.monotonic()
    if left is not None and left <= 0:
        raise PatternTimeout
    try:
        return compile_pattern(pattern).search(text, timeout=left) is not None
    except TimeoutError:
        raise PatternTimeout from None


def errors(validator: Any, instance: Any,
           seconds: float = PATTERN_BUDGET_SECONDS) -> list[Any]:
    """Every error of ``instance``, its matching within a fresh budget (or PatternTimeout)."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        return list(validator.iter_errors(instance))
    finally:
        _deadline.reset(token)


# -- the keywords that match regular expressions, after python-jsonschema's own ---------

def _matches_any(patterns: Mapping[str, Any], name: str) -> bool:
    return any(search(p, name) for p in patterns)


def _pattern(validator: Any, patrn: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not search(patrn, instance):
        yield ValidationError(f"does not match {patrn!r}")


def _pattern_properties(validator: Any, patterns: Mapping[str, Any], instance: Any,
                        schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for k, v in instance.items():
            if search(pattern, k):
                yield from validator.descend(v, subschema, path=k, schema_path=pattern)


def _additional_properties(validator: Any, ap: Any, instance: Any,
                           schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras = [k for k in instance if k not in properties and not _matches_any(patterns, k)]
    if validator.is_type(ap, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], ap, path=extra)
    elif not ap and extras:
        yield Unexpected("additional properties are not allowed", extras)


def _unevaluated_properties(validator: Any, up: Any, instance: Any,
                            schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    evaluated = set(_evaluated_keys(validator, instance, schema))
    bad = [k for k in instance if k not in evaluated
           and any(True for _ in validator.descend(instance[k], up, path=k, schema_path=k))]
    if bad:
        yield Unexpected("unevaluated properties are not allowed", bad)


def _valid(errors: Iterator[Any]) -> bool:
    return next(errors, None) is None


def _evaluated_keys(validator: Any, instance: Mapping[str, Any], schema: Any) -> list[str]:
    """python-jsonschema's ``find_evaluated_property_keys_by_schema`` with guarded regexes."""
    if validator.is_type(schema, "boolean"):
        return []
    keys: list[str] = []
    for keyword in ("$ref", "$dynamicRef"):
        ref = schema.get(keyword)
        if ref is not None:
            resolved = validator._resolver.lookup(ref)
            keys += _evaluated_keys(
                validator.evolve(schema=resolved.contents, _resolver=resolved.resolver),
                instance, resolved.contents)
    properties = schema.get("properties")
    if validator.is_type(properties, "object"):
        keys += properties.keys() & instance.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        if (sub := schema.get(keyword)) is not None:
            keys += (k for k, v in instance.items() if _valid(validator.descend(v, sub)))
    if "patternProperties" in schema:
        keys += (k for k in instance if _matches_any(schema["patternProperties"], k))
    for name, sub in schema.get("dependentSchemas", {}).items():
        if name in instance:
            keys += _evaluated_keys(validator, instance, sub)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(keyword, []):
            if _valid(validator.descend(instance, sub)):
                keys += _evaluated_keys(validator, instance, sub)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys += _evaluated_keys(validator, instance, schema["if"])
            if "then" in schema:
                keys += _evaluated_keys(validator, instance, schema["then"])
        elif "else" in schema:
            keys += _evaluated_keys(validator, instance, schema["else"])
    return keys


# -- formats -------------------------------------------------------------------------

def _never_raises(check: Callable[[object], bool]) -> Callable[[object], bool]:
    def guarded(instance: object) -> bool:
        try:
            return bool(check(instance))
        except PatternTimeout:
            raise
        except Exception:  # a checker that trips over the value: it is not of the format
            return False
    return guarded


def _is_regex(instance: object) -> bool:
    if isinstance(instance, str):
        compile_pattern(instance)
    return True


def format_checker() -> jsonschema.FormatChecker:
    """Draft 2020-12's format checker with every check guarded, ``regex`` by ``regex``."""
    stock = jsonschema.Draft202012Validator.FORMAT_CHECKER
    checker = jsonschema.FormatChecker(formats=())
    for name, (check, _raises) in stock.checkers.items():
        checker.checks(name)(_never_raises(_is_regex if name == "regex" else check))
    return checker


FORMAT_CHECKER = format_checker()

ReferenceValidator: Any = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
    jsonschema.Draft202012Validator,
    validators={"pattern": _pattern, "patternProperties": _pattern_properties,
                "additionalProperties": _additional_properties,
                "unevaluatedProperties": _unevaluated_properties},
    format_checker=FORMAT_CHECKER)
"""python-jsonschema's draft 2020-12 validator with the guarded keywords and formats."""


def _evolve(self: Any, **changes: Any) -> Any:
    # NOTE: python-jsonschema's evolve picks the stock class of a subschema that
    # declares "$schema" (every shared schema does), which would drop the guards.
    changes.setdefault("schema", self.schema)
    for field in attrs.fields(type(self)):
        if field.init and field.alias not in changes:
            changes[field.alias] = getattr(self, field.name)
    return ReferenceValidator(**changes)


ReferenceValidator.evolve = _evolve

def patterns_in(schema: Any) -> Iterator[str]:
    """Every ``pattern`` value and ``patternProperties`` key in ``schema``."""
    if isinstance(schema, Mapping):
        if isinstance(schema.get("pattern"), str):
            yield schema["pattern"]
        if isinstance(schema.get("patternProperties"), Mapping):
            yield from schema["patternProperties"]
        for value in schema.values():
            yield from patterns_in(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from patterns_in(value)
