"""A throw-away agency plugin exercising the whole plugin contract in tests.

Agency ``testing``: a ``chronology`` form in two versions (v2 makes
``location`` required) built on the shared common entry, and a small
``report`` form. Its rules use the review context, yield warnings, and one
raises on purpose (``"explode": true``) to test how core contains a faulty rule.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from scr_returns import (
    AgencySpec,
    ChronologyMapping,
    FormSpec,
    FormVersion,
    Problem,
    RuleContext,
    hookimpl,
    json_pointer,
    problem,
)

COMMON = "https://scr-returns.invalid/schemas/common/"


def _chronology_schema(version: int) -> dict[str, Any]:
    own: dict[str, Any] = {
        "properties": {
            "event_type": {"enum": ["visit", "call", "meeting"]},
            "location": {"type": "string", "minLength": 1},
            "code": {"type": "string", "pattern": "^[A-Z]{2}[0-9]{2}$"},
        },
    }
    if version == 2:
        own["required"] = ["location"]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://scr-returns.invalid/schemas/testing/chronology.v{version}.json",
        "title": f"Testing chronology v{version}",
        "type": "object",
        "required": ["entries"],
        "properties": {
            # $ref beside the agency's own properties (not allOf): one bad field
            # then does not make every other field "unevaluated".
            "entries": {"type": "array", "minItems": 1, "items": {
                "$ref": COMMON + "chronology-entry.v1.json", **own,
                "unevaluatedProperties": False}},
            "explode": {"type": "boolean"},
        },
        "additionalProperties": False,
    }


REPORT_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://scr-returns.invalid/schemas/testing/report.v1.json",
    "title": "Testing report",
    "type": "object",
    "required": ["summary"],
    "properties": {"summary": {"type": "string", "minLength": 1}},
    "additionalProperties": False,
}


def subjects_known(document: Mapping[str, Any], ctx: RuleContext) -> Iterator[Problem]:
    """Every subject key is in the review's register."""
    if ctx.review is None:
        return
    entries = document.get("entries")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        subjects = entry.get("subjects") if isinstance(entry, dict) else None
        for j, key in enumerate(subjects if isinstance(subjects, list) else []):
            if isinstance(key, str) and key not in ctx.review.subjects:
                yield problem(json_pointer("entries", i, "subjects", j),
                              "testing.subject.unknown",
                              f"'{key}' is not in the review's subject register.")


def gap_warning(document: Mapping[str, Any], ctx: RuleContext) -> Iterator[Problem]:
    """A warning for any entry whose description mentions a gap."""
    entries = document.get("entries")
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        text = entry.get("description") if isinstance(entry, dict) else None
        if isinstance(text, str) and "gap" in text:
            yield problem(json_pointer("entries", i, "description"), "testing.gap.noted",
                          "The entry mentions a gap; the panel will ask about it.", "warning")


def explode(document: Mapping[str, Any], ctx: RuleContext) -> Iterator[Problem]:
    """A faulty rule: raises whenever asked to (and on non-dict documents)."""
    if document["explode"] is True:
        raise RuntimeError("this rule is broken on purpose")
    return iter(())


def _example() -> dict[str, Any]:
    return {"entries": [{
        "id": "e1", "date": "2024-03-01", "source": {"service": "Team", "role": "Worker"},
        "subjects": ["child-a"], "event_type": "visit", "description": "Home visit.",
        "decision_or_action": "Advice given.", "location": "Home"}], "explode": False}


@hookimpl
def scr_returns_register_agency() -> AgencySpec:
    return AgencySpec(
        name="testing", title="Testing agency", version="1.0",
        description="An agency that exists only in the test suite.",
        codes={"testing.subject.unknown": "a subject key not in the register",
               "testing.gap.noted": "a description mentions a gap (warning)"},
        forms=(
            FormSpec(name="chronology", title="Testing chronology",
                     description="Dated entries.",
                     versions=(FormVersion(1, _chronology_schema(1)),
                               FormVersion(2, _chronology_schema(2))),
                     rules=(subjects_known, gap_warning, explode), example=_example(),
                     chronology=ChronologyMapping()),
            FormSpec(name="report", title="Testing report", description="A summary.",
                     versions=(FormVersion(1, REPORT_SCHEMA),)),
        ),
    )
