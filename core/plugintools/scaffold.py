"""``scr-returns plugins new NAME``: a new agency plugin that passes the check as made.

It writes a small distribution: ``pyproject.toml`` with the ``scr_returns``
entry point, a package with the hook, the texts of the agency and its forms
(``agency.json``), one example rule, the four forms' schemas built on the
common bodies, and valid and invalid examples written against the example
review. The author then replaces the placeholders.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scr_returns.core.descriptors import NAME_RE
from scr_returns.core.plugintools import templates

SCHEMA_BASE = "https://scr-returns.invalid/schemas/"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
FORM_TITLES = {
    "chronology": "chronology",
    "agency-report": "agency report",
    "nil-return": "nil return",
    "records-secured": "records secured",
}


def package_name(agency: str) -> str:
    return "scr_returns_" + agency.replace("-", "_")


def title_of(agency: str) -> str:
    return agency.replace("-", " ").capitalize()


def declaration(agency: str) -> dict[str, Any]:
    """The new plugin's agency.json: the texts of the agency and its four forms."""
    title = title_of(agency)
    return {"name": agency, "title": title,
            "description": templates.AGENCY_DESCRIPTION.format(title=title),
            "forms": [{"name": form, "title": f"{title} {FORM_TITLES[form]}",
                       "description": text.format(title=title)}
                      for form, text in templates.FORM_DESCRIPTIONS.items()]}


def _common(body: str) -> str:
    return f"{SCHEMA_BASE}common/{body}.v1.json"


def _schema(agency: str, form: str, description: str,
            body: Mapping[str, Any]) -> dict[str, Any]:
    return {"$schema": DRAFT, "$id": f"{SCHEMA_BASE}{agency}/{form}.v1.json",
            "title": f"{title_of(agency)} {FORM_TITLES[form]}", "description": description,
            **body}


def schemas(agency: str) -> dict[str, dict[str, Any]]:
    """The four forms' v1 schemas; a common body is referenced beside the agency's own fields.

    NOTE: "$ref" sits beside "properties" rather than in "allOf": inside allOf,
    one bad common field makes every other field "unevaluated" (false errors).
    """
    chronology = _schema(agency, "chronology", templates.CHRONOLOGY_DESCRIPTION.format(
        title=title_of(agency)), {
        "type": "object",
        "required": ["entries"],
        "properties": {
            "entries": {
                "type": "array", "minItems": 1, "maxItems": 5000,
                "description": "One entry per event, in date order (or numbered with "
                               "'sequence' when several fall on one day).",
                "items": {"$ref": "#/$defs/entry"},
            },
            "gaps_explained": {
                "$ref": _common("gaps-explained"),
                "description": "Periods in the scoping period with nothing to record, each "
                               "with the reason.",
            },
        },
        "additionalProperties": False,
        "$defs": {"entry": {
            "description": "One event: the common chronology columns plus the agency's own.",
            "$ref": _common("chronology-entry"),
            "properties": {
                "event_type": {
                    "enum": list(templates.EVENT_TYPES),
                    "description": "The kind of event: " + "; ".join(
                        f"{k} ({v})" for k, v in templates.EVENT_TYPES.items()) + ".",
                },
                "follow_up_on": {
                    "$ref": _common("defs") + "#/$defs/date",
                    "description": "When the agency planned to follow the event up, if it "
                                   "did. Not before the event itself.",
                },
            },
            "unevaluatedProperties": False,
        }},
    })
    closed = {"type": "object", "unevaluatedProperties": False}
    return {
        "chronology": chronology,
        "agency-report": _schema(agency, "agency-report", "The agency's analysis of its "
                                 "involvement with the child and family (the individual "
                                 "management review).",
                                 {"$ref": _common("agency-report"), **closed}),
        "nil-return": _schema(agency, "nil-return", "The agency's confirmation that it had no "
                              "involvement with the child or family in the scoping period, and "
                              "how it checked.", {"$ref": _common("nil-return"), **closed}),
        "records-secured": _schema(agency, "records-secured", "The agency's confirmation that "
                                   "its records about the child and family are secured until "
                                   "the review is complete.",
                                   {"$ref": _common("records-secured"), **closed}),
    }


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def files(agency: str) -> dict[str, str]:
    """Every file of the new distribution: relative path -> text."""
    package = package_name(agency)
    values = {"agency": agency, "package": package, "title": title_of(agency),
              "dist": f"scr-returns-{agency}", "prefix": agency}
    out = {
        "pyproject.toml": templates.PYPROJECT.substitute(values),
        "README.md": templates.README.substitute(values),
        f"{package}/__init__.py": templates.INIT.substitute(values),
        f"{package}/rules.py": templates.RULES.substitute(values),
        f"{package}/agency.json": _json(declaration(agency)),
    }
    for form, schema in schemas(agency).items():
        out[f"{package}/schemas/{agency}.{form}.v1.schema.json"] = _json(schema)
    for path, document in templates.examples(values["prefix"]).items():
        out[f"{package}/examples/{path}"] = _json(document)
    return out


def scaffold(agency: str, directory: Path) -> list[Path]:
    """Write a new plugin for ``agency`` into ``directory`` (new or empty); the paths written."""
    if not NAME_RE.match(agency):
        raise ValueError(f"{agency!r} is not an agency name: lower-case letters, digits and "
                         "hyphens, starting with a letter, at most 40 characters")
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise FileExistsError(f"{directory} exists and is not an empty folder")
    written = []
    for relative, text in files(agency).items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
