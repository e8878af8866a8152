"""The example review every plugin's examples and tests are checked against.

One definition serves both ``scr-returns plugins check`` and the tests: it
lives in :mod:`core.plugintools.examples`; this module adds the tests'
shorthand for building a :class:`~core.RuleContext` against it.
"""

from __future__ import annotations

from core import ReviewContext, RuleContext
from core.plugintools.examples import (
    EXAMPLE_REVIEW as REVIEW,
)
from core.plugintools.examples import (
    EXAMPLE_REVIEWS as REVIEWS,
)
from core.plugintools.examples import (
    FORMS,
    SUBMITTED_AT,
    TODAY,
)
from core.plugintools.examples import (
    SEED_AGENCIES as AGENCIES,
)

__all__ = ["AGENCIES", "FORMS", "REVIEW", "REVIEWS", "SUBMITTED_AT", "TODAY", "context"]

# NOTE: a sentinel rather than None as the default, so that context(...,
# review=None) can ask for a review-less dry run.
_DEFAULT = object()


def context(agency: str, form: str, version: int = 1, review: object = _DEFAULT, *,
            production: bool = True) -> RuleContext:
    """The RuleContext of a return by ``agency`` on ``form`` into the example review."""
    chosen = REVIEW if review is _DEFAULT else review
    assert chosen is None or isinstance(chosen, ReviewContext)
    return RuleContext(agency=agency, form=form, schema_version=version, today=TODAY,
                       submitted_at=SUBMITTED_AT, review=chosen, production=production)
