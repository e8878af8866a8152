"""The rule every form shares: the agency must have been asked into the review."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from scr_returns.core.descriptors import RuleContext, problem
from scr_returns.core.errors import Problem


def agency_asked(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    """``review.agency.not_asked`` at the document root when the agency is not asked in.

    Only the agency is checked, not the form: which forms are listed for it is
    what the tracker shows as due, and an agency may always send, for example,
    a nil return instead of a chronology.
    """
    review = context.review
    if review is None or context.agency in review.agencies:
        return
    yield problem("", "review.agency.not_asked",
                  f"This agency ({context.agency}) was not asked to contribute to review "
                  f"{review.ref}, so it cannot send returns to it.")
