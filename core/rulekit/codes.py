"""Every code the common rules can produce, with its meaning (merge into AgencySpec.codes)."""

from __future__ import annotations

from datetime import date

COMMON_CODES: dict[str, str] = {
    "chronology.background.reason_missing":
        "An entry marked as background does not say why it matters to the review.",
    "chronology.date.future": "An entry is dated after today.",
    "chronology.date.outside_scope":
        "An entry is dated outside the review's scoping period and is not marked as "
        "background with a reason.",
    "chronology.entry_id.duplicate": "Two entries of the chronology share one id.",
    "chronology.gap.unexplained":
        "Warning: months inside the scoping period pass with no entry and no explanation.",
    "chronology.gap_explained.future":
        "A period listed as an explained gap begins or ends after the chronology was "
        "submitted.",
    "chronology.order.unsorted":
        "Entries are not in date order, or entries of one day cannot be ordered (no time "
        "and no sequence).",
    "chronology.subject.unknown": "An entry names a subject who is not in the review's register.",
    "chronology.time.inexact_date": "An entry gives a time although its date is not exact.",
    "nil_return.checked_on.after_submission":
        "The date the records were checked for the nil return is after it was submitted.",
    "nil_return.period.not_covering_scope":
        "The period the nil return covers does not cover the whole scoping period.",
    "records.secured_on.after_submission":
        "The date records were secured is after the return was submitted.",
    "report.author.not_independent":
        "The agency report's author does not declare independence from the case.",
    "report.episode.future":
        "A key practice episode begins or ends after the report was submitted.",
    "report.interview.after_submission":
        "A member of staff is recorded as interviewed after the report was submitted.",
    "report.kloe.unanswered": "A key line of enquiry of the review has no answer.",
    "report.kloe.unknown": "An answer is given to a key line of enquiry the review does not have.",
    "report.records_secured.after_submission":
        "The date records were secured is after the report was submitted.",
    "review.agency.not_asked": "The agency was not asked to contribute to this review.",
}


def long_date(day: date) -> str:
    """A date as a practitioner reads it: ``3 March 2024``."""
    return f"{day.day} {day:%B %Y}"
