"""Building documents and running rule tuples for the rule-kit tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from scr_returns import Rule, RuleContext
from tests.support.example_review import context


def entry(n: int, day: str, **fields: Any) -> dict[str, Any]:
    """A clean chronology entry with id ``e-<n>``."""
    return {"id": f"e-{n}", "date": day, "source": {"service": "Team", "role": "Worker"},
            "subjects": ["child-a"], "event_type": "visit", "description": "Seen.",
            "decision_or_action": "None.", **fields}


def clean_chronology() -> dict[str, Any]:
    """Entries every three months across the example review's scope (2024-2025)."""
    days = ["2024-01-05", "2024-04-01", "2024-06-30", "2024-09-15", "2024-12-10",
            "2025-03-01", "2025-05-31", "2025-08-20", "2025-11-15"]
    return {"entries": [entry(i, d) for i, d in enumerate(days)]}


def run(rules: Iterable[Rule], document: Any, ctx: RuleContext | None = None,
        ) -> set[tuple[str, str, str]]:
    """(pointer, code, severity) of every problem the rules find."""
    ctx = ctx or context("health", "chronology")
    return {(p.pointer, p.code, p.severity) for rule in rules for p in rule(document, ctx)}


def codes(found: Iterable[tuple[str, str, str]]) -> set[str]:
    return {code for _, code, _ in found}


def with_entries(*entries: Mapping[str, Any], **root: Any) -> dict[str, Any]:
    return {"entries": [dict(e) for e in entries], **root}
