"""A plugin's shipped examples and the example review they are checked against.

Examples live in the plugin's package: ``examples/valid/<form>.v<N>[.<label>].json``
(a bare document that must give no error) and ``examples/invalid/...`` (a
wrapper ``{"expect": [codes], "review": "default", "document": {...}}``, with
an optional ``"config"`` of plugin settings, that must give exactly the
expected codes). A valid example may name warnings it is allowed to give in a
sibling ``<name>.warnings.json`` (a list of codes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from scr_returns.core.descriptors import Kloe, ReviewContext, RuleContext

EXAMPLE_REVIEW = ReviewContext(
    ref="IOW-2026-01",
    type="cspr",
    title="Child A",
    scope_from=date(2024, 1, 1),
    scope_to=date(2025, 12, 31),
    subjects={
        "child-a": "subject child",
        "mother": "mother",
        "father": "father",
        "sibling-1": "sibling",
        "partner-of-mother": "partner of mother",
    },
    kloes=(
        Kloe("kloe-1", "How well did agencies share information about risks to Child A?"),
        Kloe("kloe-2", "Was the voice of the child heard?"),
        Kloe("kloe-3", "Were escalation procedures used?"),
    ),
    agencies={},
)
"""The review every plugin's examples are written against (the same as the tests').

It names no agency: :func:`review_for` asks in the agency under check.
"""

EXAMPLE_REVIEWS: Mapping[str, ReviewContext | None] = {
    # The agency under check is asked in (review_for adds it).
    "default": EXAMPLE_REVIEW,
    # For examples of review.agency.not_asked: the same review, no agency asked in.
    "no-agencies": EXAMPLE_REVIEW,
    # An offline dry run: the rules that need the review report nothing.
    "none": None,
}
"""Reviews an invalid example may name in its ``"review"`` field."""

ASKING = "default"
"""The review that asks in the agency under check."""

TODAY = date(2026, 11, 26)
SUBMITTED_AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

NAME_RE = re.compile(r"(?P<form>[a-z][a-z0-9-]*)\.v(?P<version>[1-9][0-9]*)"
                     r"(\.(?P<label>[a-z0-9][a-z0-9-]*))?\.json")
WRAPPER_KEYS = frozenset({"expect", "review", "config", "document"})
WARNINGS_SUFFIX = ".warnings.json"


def review_for(name: str, agency: str, forms: tuple[str, ...], *,
               reviews: Mapping[str, ReviewContext | None] = EXAMPLE_REVIEWS
               ) -> ReviewContext | None:
    """The review named ``name`` in ``reviews``; the default one with ``agency`` asked in.

    NOTE: core knows no agency, so the example review asks in none of its own;
    the agency under check is asked in here, with ``forms``, so that its
    examples need no review of their own. A review that already asks it in is
    returned as it is.
    """
    review = reviews[name]
    if name != ASKING or review is None or agency in review.agencies:
        return review
    return replace(review, agencies={**review.agencies, agency: forms})


def example_context(agency: str, form: str, version: int, review: ReviewContext | None, *,
                    config: Mapping[str, Any] | None = None) -> RuleContext:
    """The RuleContext of a return into the example review, as the API would build it."""
    return RuleContext(agency=agency, form=form, schema_version=version, today=TODAY,
                       submitted_at=SUBMITTED_AT, review=review, production=True,
                       config=dict(config or {}))


@dataclass(frozen=True)
class Example:
    """One shipped example, parsed; ``error`` says why it could not be (then nothing else)."""

    kind: str
    """``"valid"`` or ``"invalid"``."""
    name: str
    form: str = ""
    version: int = 0
    document: Any = None
    expect: frozenset[str] = frozenset()
    """Invalid: exactly the codes it must give. Valid: the warnings it may give."""
    review: str = "default"
    config: Mapping[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def path(self) -> str:
        return f"{self.kind}/{self.name}"


def examples_folder(plugin: object) -> Traversable | None:
    """The ``examples`` folder shipped inside a plugin's package, if any."""
    package = getattr(plugin, "__package__", None) or getattr(plugin, "__name__", None) \
        or type(plugin).__module__
    if not isinstance(package, str):
        return None
    try:
        folder = resources.files(package).joinpath("examples")
    except (ModuleNotFoundError, TypeError):
        return None
    return folder if folder.is_dir() else None


def _read(item: Traversable) -> Any:
    return json.loads(item.read_text(encoding="utf-8"))


def _parse(kind: str, item: Traversable, siblings: Mapping[str, Traversable]) -> Example:
    name = item.name
    match = NAME_RE.fullmatch(name)
    if match is None:
        return Example(kind, name, error="name it <form>.v<N>[.<label>].json")
    form, version = match["form"], int(match["version"])
    try:
        content = _read(item)
    except (ValueError, UnicodeDecodeError) as exc:
        return Example(kind, name, form, version, error=f"not JSON: {exc}")
    if kind == "valid":
        allowed: frozenset[str] = frozenset()
        warnings = siblings.get(name.removesuffix(".json") + WARNINGS_SUFFIX)
        if warnings is not None:
            listed = _read(warnings)
            if not isinstance(listed, list) or not all(isinstance(c, str) for c in listed):
                return Example(kind, name, form, version,
                               error=f"{warnings.name} must be a list of codes")
            allowed = frozenset(listed)
        return Example(kind, name, form, version, document=content, expect=allowed)
    if not isinstance(content, dict) or "document" not in content or "expect" not in content:
        return Example(kind, name, form, version,
                       error='an invalid example is {"expect": [...], "review": "default", '
                             '"document": {...}}')
    unknown = sorted(set(content) - WRAPPER_KEYS)
    expect = content["expect"]
    review = content.get("review", "default")
    config = content.get("config", {})
    if unknown:
        error: str | None = f"unknown keys {unknown}; allowed: {sorted(WRAPPER_KEYS)}"
    elif not isinstance(expect, list) or not expect or \
            not all(isinstance(c, str) for c in expect):
        error = '"expect" must be a non-empty list of problem codes'
    elif review not in EXAMPLE_REVIEWS:
        error = f'"review" must be one of {sorted(EXAMPLE_REVIEWS)}, not {review!r}'
    elif not isinstance(config, dict):
        error = '"config" must be an object of plugin settings'
    else:
        error = None
    if error is not None:
        return Example(kind, name, form, version, error=error)
    return Example(kind, name, form, version, document=content["document"],
                   expect=frozenset(expect), review=review, config=config)


def examples_of(plugin: object) -> Iterator[Example]:
    """Every example shipped with ``plugin``, valid ones first, each sorted by name."""
    folder = examples_folder(plugin)
    if folder is None:
        return
    for kind in ("valid", "invalid"):
        sub = folder.joinpath(kind)
        if not sub.is_dir():
            continue
        files = {item.name: item for item in sub.iterdir()
                 if item.is_file() and item.name.endswith(".json")}
        for name in sorted(files):
            if kind == "valid" and name.endswith(WARNINGS_SUFFIX):
                continue
            yield _parse(kind, files[name], files)
