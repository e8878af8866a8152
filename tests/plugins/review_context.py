"""The example review every plugin's examples and tests are checked against."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from core import Kloe, ReviewContext, RuleContext

FORMS = ("chronology", "agency-report", "nil-return", "records-secured")
AGENCIES = ("health", "police", "education", "social-care", "legal", "probation")

REVIEW = ReviewContext(
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
    agencies={agency: FORMS for agency in AGENCIES},
)

REVIEWS: dict[str, ReviewContext | None] = {
    "default": REVIEW,
    # For examples of review.agency.not_asked: the same review, no agency asked in.
    "no-agencies": replace(REVIEW, agencies={}),
    # An offline dry run: the rules that need the review report nothing.
    "none": None,
}
"""Reviews an invalid example may name in its "review" field."""

TODAY = date(2026, 11, 26)
SUBMITTED_AT = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

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
