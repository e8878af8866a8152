"""What a plugin declares: its agency, its forms, their versions and rules.

These frozen dataclasses are the whole vocabulary between core and a plugin.
Core checks them once at start-up (schemas against the meta-schema, names,
versions) and never asks a plugin anything else.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

from scr_returns.core.errors import Problem

if TYPE_CHECKING:
    from scr_returns.core.rulekit.entries import Chronology

NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")


@dataclass(frozen=True, slots=True)
class Kloe:
    """A key line of enquiry of the review."""

    id: str
    question: str


@dataclass(frozen=True, slots=True)
class ReviewContext:
    """The review a return belongs to, as the review-dependent rules see it."""

    ref: str
    type: str
    title: str
    scope_from: date
    scope_to: date
    subjects: Mapping[str, str]
    """Subject register: pseudonymous key -> role."""
    kloes: tuple[Kloe, ...]
    agencies: Mapping[str, tuple[str, ...]]
    """Agencies asked in -> the forms each must return."""


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Everything a rule may know besides the document itself.

    ``review`` is ``None`` for an offline or review-less dry run: rules that
    need the review then report nothing. ``today`` is the service's date (UTC)
    so that "not in the future" is testable; ``production`` is false in test
    deployments, where identifier test ranges are allowed. ``config`` is this
    plugin's own settings (for example per-force crime reference patterns).
    ``chronology`` is the document's chronology entries as core parsed them,
    once, before the rules run (``None`` for a form without a chronology, or a
    context built by hand): pass the context to
    :func:`~scr_returns.core.rulekit.entries.chronology_entries` and they are reused.
    """

    agency: str
    form: str
    schema_version: int
    today: date
    submitted_at: datetime
    review: ReviewContext | None = None
    production: bool = True
    config: Mapping[str, Any] = field(default_factory=dict)
    chronology: Chronology | None = None


Rule = Callable[[Mapping[str, Any], RuleContext], Iterable[Problem]]
"""A rule: a pure function of the (parsed) document and its context that
yields every :class:`Problem` it finds. Rules run even when the schema found
errors, so they must tolerate values of the wrong type (skip them); a rule that
raises on a document that passed the schema is treated as a plugin bug."""


@dataclass(frozen=True, slots=True)
class FormVersion:
    """One immutable version of a form: its JSON Schema (draft 2020-12).

    A ``retired`` version is no longer offered for new submissions; returns
    already stored against it stay readable and keep their version.
    """

    version: int
    schema: Mapping[str, Any]
    retired: bool = False


@dataclass(frozen=True, slots=True)
class ChronologyMapping:
    """How a chronology form's entries map onto the common chronology entry.

    ``entries`` is a JSON Pointer to the array of entries in the document,
    ``id_field`` the field holding each entry's id (unique within the return);
    ``columns`` renames common columns where the agency's field name differs.
    Every other field of an entry is the agency's own.
    """

    entries: str = "/entries"
    id_field: str = "id"
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FormSpec:
    """A form an agency returns (``chronology``, ``agency-report``, ...)."""

    name: str
    title: str
    description: str
    versions: tuple[FormVersion, ...]
    rules: tuple[Rule, ...] = ()
    example: Mapping[str, Any] | None = None
    chronology: ChronologyMapping | None = None

    def version(self, number: int) -> FormVersion | None:
        return next((v for v in self.versions if v.version == number), None)

    @property
    def offered(self) -> tuple[FormVersion, ...]:
        """Versions accepted for new submissions, oldest first."""
        return tuple(sorted((v for v in self.versions if not v.retired),
                            key=lambda v: v.version))

    @property
    def newest(self) -> FormVersion | None:
        offered = self.offered
        return offered[-1] if offered else None


@dataclass(frozen=True, slots=True)
class AgencySpec:
    """What one plugin contributes: one agency and its forms.

    ``codes`` documents every rule code the plugin's rules can produce
    (code -> one-line meaning); the conformance check holds rules to it.
    """

    name: str
    title: str
    version: str
    forms: tuple[FormSpec, ...]
    description: str = ""
    codes: Mapping[str, str] = field(default_factory=dict)

    def form(self, name: str) -> FormSpec | None:
        return next((f for f in self.forms if f.name == name), None)


def problem(pointer: str, code: str, message: str, severity: str = "error") -> Problem:
    """Build a :class:`Problem`; ``severity`` is ``"error"`` or ``"warning"``."""
    if severity not in ("error", "warning"):
        raise ValueError(f"severity must be 'error' or 'warning', not {severity!r}")
    return Problem(pointer=pointer, code=code, message=message,
                   severity="error" if severity == "error" else "warning")


def json_pointer(*parts: str | int) -> str:
    """A JSON Pointer (RFC 6901) from path parts: ``json_pointer("entries", 3, "date")``."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def load_json_resource(package: str, path: str) -> Any:
    """Read a JSON file shipped inside ``package`` (e.g. a plugin's schema)."""
    ref = resources.files(package)
    for part in path.split("/"):
        ref = ref.joinpath(part)
    return json.loads(ref.read_text(encoding="utf-8"))
