"""Declaring a standard agency in one call: :func:`standard_agency`.

A standard agency returns the four standard forms, each built on a common body
with core's common rules. What differs between agencies is data (the texts,
in the package's ``agency.json``; the versions, its ``schemas/`` files; the
served examples, its ``examples/valid/`` documents) and the agency's own rules
and codes, so a plugin's hook is this one call.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from types import MappingProxyType
from typing import Any

import jsonschema

from scr_returns.core.descriptors import (
    NAME_RE,
    AgencySpec,
    ChronologyMapping,
    FormSpec,
    FormVersion,
    Rule,
    json_pointer,
    load_json_resource,
)
from scr_returns.core.rulekit import (
    COMMON_CODES,
    agency_report_rules,
    chronology_rules,
    nil_return_rules,
    records_secured_rules,
)
from scr_returns.core.rulekit.entries import DEFAULT_MAPPING

DATA_FILE = "agency.json"

STANDARD_FORMS: Mapping[str, Callable[[ChronologyMapping], tuple[Rule, ...]]] = \
    MappingProxyType({
        "chronology": chronology_rules,
        "agency-report": lambda _: agency_report_rules(),
        "nil-return": lambda _: nil_return_rules(),
        "records-secured": lambda _: records_secured_rules(),
    })
"""The standard forms, in the order they are offered -> their common rules."""

_TEXT = {"type": "string", "pattern": r"\S"}
_NAME = {"type": "string", "pattern": NAME_RE.pattern}
DATA_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "required": ["name", "title", "description", "forms"],
    "properties": {
        "name": _NAME,
        "title": _TEXT,
        "description": _TEXT,
        "forms": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["name", "title", "description"],
            "properties": {
                "name": _NAME,
                "title": _TEXT,
                "description": _TEXT,
                "example": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9.-]*\.json$"},
                "retired": {"type": "array", "uniqueItems": True,
                            "items": {"type": "integer", "minimum": 1}},
            },
            "additionalProperties": False,
        }},
    },
    "additionalProperties": False,
}
"""The shape of ``agency.json`` (see :func:`standard_agency`)."""

_VALIDATOR = jsonschema.Draft202012Validator(DATA_SCHEMA)
_SCHEMA_FILE = r"\.(?P<form>[a-z][a-z0-9-]*)\.v(?P<version>[1-9][0-9]*)\.schema\.json"
_EMPTY: Mapping[str, Any] = MappingProxyType({})

# NOTE: per package, each spec built with the arguments it was built from (compared
# with ==, as rules and mappings are not all hashable): the hook is called again
# and again and must return the same value each time.
_built: dict[str, list[tuple[tuple[Any, ...], AgencySpec]]] = {}
_lock = threading.Lock()


def standard_agency(package: str, *, version: str, codes: Mapping[str, str] = _EMPTY,
                    rules: Mapping[str, Sequence[Rule]] = _EMPTY,
                    chronology: ChronologyMapping = DEFAULT_MAPPING,
                    extra_forms: Sequence[FormSpec] = ()) -> AgencySpec:
    """The :class:`AgencySpec` of a standard agency, declared by the files of its package.

    ``package`` is the plugin's package (``__name__`` in its ``__init__.py``);
    ``version`` is the plugin's version. The package holds:

    - ``agency.json``: the agency's ``name`` (its URL name), ``title`` and
      ``description``, and its ``forms`` in the order they are offered, each
      with its ``name``, ``title`` and ``description`` and optionally
      ``example`` (the document of ``examples/valid/`` the form serves;
      default ``<form>.v<newest offered>.json``) and ``retired`` (the version
      numbers no longer offered for new returns). The four standard forms
      (``chronology``, ``agency-report``, ``nil-return``, ``records-secured``)
      must all be there; any other form is the agency's own.
    - ``schemas/<name>.<form>.v<N>.schema.json``: one JSON Schema per version
      of each form; every file found is a version offered (unless retired).
    - ``examples/valid/``: the example each form serves.

    Each standard form's rules are core's common rules for it
    (``chronology_rules(chronology)``, ``agency_report_rules()``,
    ``nil_return_rules()``, ``records_secured_rules()``) followed by
    ``rules[form]``; a form of the agency's own has ``rules[form]`` only. The
    chronology form's entries are read through ``chronology``. ``codes`` (every
    code the plugin's own rules produce -> its meaning) is merged after
    :data:`COMMON_CODES`. ``extra_forms`` are forms built by hand, appended as
    given; they take their rules in their :class:`FormSpec`, not in ``rules``.

    Returns a frozen :class:`AgencySpec`, built once: called again with equal
    arguments it returns the very same object, so that the hook returns the
    same value every time (the rule factories make new functions on each
    call). The files are read the first time only.

    Raises ``LookupError`` when a file is missing (``agency.json``, a declared
    form's schema, the example it serves) and ``ValueError`` when the files
    and arguments disagree (``agency.json`` malformed, a standard form not
    declared, a form declared twice, ``rules`` for a form not declared, a
    schema file named for no form or not named as above, a retired version
    that does not exist, every version of a form retired). The message names
    the package and what is wrong; raised from the hook, it makes the plugin
    host list the plugin as failed to load, with that message.
    """
    arguments = (version, dict(codes), {form: tuple(r) for form, r in rules.items()},
                 chronology, tuple(extra_forms))
    with _lock:
        built = _built.setdefault(package, [])
        for earlier, spec in built:
            if earlier == arguments:
                return spec
        spec = _build(package, *arguments)
        built.append((arguments, spec))
        return spec


def _build(package: str, version: str, codes: Mapping[str, str],
           rules: Mapping[str, tuple[Rule, ...]], chronology: ChronologyMapping,
           extra_forms: tuple[FormSpec, ...]) -> AgencySpec:
    data = _declaration(package)
    declared = [form["name"] for form in data["forms"]]
    names = [*declared, *(form.name for form in extra_forms)]
    twice = sorted({name for name in names if names.count(name) > 1})
    missing = [name for name in STANDARD_FORMS if name not in declared]
    stray_rules = sorted(set(rules) - set(declared))
    files = _schema_files(package, data["name"])
    stray_files = sorted(set(files) - set(names))
    if twice:
        raise ValueError(f"{package}: form {', '.join(twice)} is declared twice")
    if missing:
        raise ValueError(f"{package}: {DATA_FILE} must declare every standard form; "
                         f"missing: {', '.join(missing)}")
    if stray_rules:
        raise ValueError(f"{package}: rules are given for {', '.join(stray_rules)}, not a form "
                         f"of {DATA_FILE} (a form built by hand takes its rules in its "
                         "FormSpec)")
    if stray_files:
        raise ValueError(f"{package}: schemas/ has versions of {', '.join(stray_files)}, not a "
                         "declared form")
    forms = tuple(_form(package, data["name"], form, files.get(form["name"], {}),
                        rules.get(form["name"], ()), chronology) for form in data["forms"])
    return AgencySpec(name=data["name"], title=data["title"], version=version,
                      description=data["description"], forms=(*forms, *extra_forms),
                      codes={**COMMON_CODES, **codes})


def _declaration(package: str) -> dict[str, Any]:
    """The package's ``agency.json``, checked against :data:`DATA_SCHEMA`."""
    try:
        data: dict[str, Any] = load_json_resource(package, DATA_FILE)
    except FileNotFoundError:
        raise LookupError(f"{package}: no {DATA_FILE} in the package (the agency's and its "
                          "forms' titles and descriptions)") from None
    except ValueError as exc:
        raise ValueError(f"{package}/{DATA_FILE} is not JSON: {exc}") from None
    errors = sorted(_VALIDATOR.iter_errors(data), key=lambda e: json_pointer(*e.absolute_path))
    if errors:
        listed = "; ".join(f"{json_pointer(*e.absolute_path) or '/'}: {e.message}"
                           for e in errors)
        raise ValueError(f"{package}/{DATA_FILE}: {listed}")
    return data


def _schema_files(package: str, agency: str) -> dict[str, dict[int, str]]:
    """Form -> version -> the path of its schema in the package."""
    folder = resources.files(package).joinpath("schemas")
    pattern = re.compile(re.escape(agency) + _SCHEMA_FILE)
    found: dict[str, dict[int, str]] = {}
    for item in folder.iterdir() if folder.is_dir() else ():
        if not item.name.endswith(".json"):
            continue
        match = pattern.fullmatch(item.name)
        if match is None:
            raise ValueError(f"{package}: schemas/{item.name} is not named "
                             f"{agency}.<form>.v<N>.schema.json")
        found.setdefault(match["form"], {})[int(match["version"])] = f"schemas/{item.name}"
    return found


def _form(package: str, agency: str, declared: Mapping[str, Any], files: Mapping[int, str],
          own_rules: tuple[Rule, ...], chronology: ChronologyMapping) -> FormSpec:
    name = declared["name"]
    if not files:
        raise LookupError(f"{package}: form {name!r} has no schema: "
                          f"schemas/{agency}.{name}.v1.schema.json is missing")
    retired = set(declared.get("retired", ()))
    if retired - set(files):
        raise ValueError(f"{package}: form {name!r} retires version "
                         f"{', '.join(map(str, sorted(retired - set(files))))}, which it does "
                         "not have")
    if retired >= set(files):
        raise ValueError(f"{package}: every version of form {name!r} is retired")
    versions = tuple(FormVersion(n, load_json_resource(package, files[n]), retired=n in retired)
                     for n in sorted(files))
    newest = max(set(files) - retired)
    example = f"examples/valid/{declared.get('example', f'{name}.v{newest}.json')}"
    try:
        document = load_json_resource(package, example)
    except FileNotFoundError:
        raise LookupError(f"{package}: form {name!r} serves {example}, which is "
                          "missing") from None
    common = STANDARD_FORMS.get(name)
    return FormSpec(name=name, title=declared["title"], description=declared["description"],
                    versions=versions,
                    rules=(*common(chronology), *own_rules) if common else own_rules,
                    example=document,
                    chronology=chronology if name == "chronology" else None)
