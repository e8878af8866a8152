"""The example review every plugin's examples and tests are checked against.

One definition serves both ``scr-returns plugins check`` and the tests: it
lives in :mod:`scr_returns.core.plugintools.examples`; this module asks the built-in
agencies into it (core names no agency) and adds the tests' shorthand for
building a :class:`~core.RuleContext` against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from scr_returns import ReviewContext, RuleContext
from scr_returns.core.agency import STANDARD_FORMS
from scr_returns.core.plugintools.examples import (
    EXAMPLE_REVIEW,
    EXAMPLE_REVIEWS,
    SUBMITTED_AT,
    TODAY,
)

__all__ = ["AGENCIES", "FORMS", "REVIEW", "REVIEWS", "SUBMITTED_AT", "TODAY", "context"]

AGENCIES = ("health", "police", "education", "social-care", "legal")
FORMS = tuple(STANDARD_FORMS)

REVIEW = replace(EXAMPLE_REVIEW, agencies=dict.fromkeys(AGENCIES, FORMS))
"""The example review with every built-in agency asked in, for all four forms."""

REVIEWS: dict[str, ReviewContext | None] = {**EXAMPLE_REVIEWS, "default": REVIEW}
"""The example reviews by name, the default one being :data:`REVIEW`."""

# NOTE: a sentinel rather than None as the default, so that context(...,
# review=None) can ask for a review-less dry run.
_DEFAULT = object()


def context(agency: str, form: str, version: int = 1, review: object = _DEFAULT, *,
            production: bool = True, config: Mapping[str, Any] | None = None) -> RuleContext:
    """The RuleContext of a return by ``agency`` on ``form`` into the example review,
    with the plugin's settings ``config`` (none by default)."""
    chosen = REVIEW if review is _DEFAULT else review
    assert chosen is None or isinstance(chosen, ReviewContext)
    return RuleContext(agency=agency, form=form, schema_version=version, today=TODAY,
                       submitted_at=SUBMITTED_AT, review=chosen, production=production,
                       config=dict(config or {}))
