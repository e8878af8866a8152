"""The common chronology rules, bound to a form's :class:`ChronologyMapping`.

Every rule reads entries through :func:`chronology_entries`, so it skips what
the schema already refuses (an entry that is not an object, a date that is not
``YYYY-MM-DD``) instead of raising, and points at the agency's own field name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from scr_returns.core.descriptors import ChronologyMapping, Rule, RuleContext, problem
from scr_returns.core.errors import Problem
from scr_returns.core.rulekit.codes import long_date
from scr_returns.core.rulekit.dates import date_span, is_blank
from scr_returns.core.rulekit.entries import DEFAULT_MAPPING, chronology_entries
from scr_returns.core.rulekit.forms import dates_after_submission
from scr_returns.core.rulekit.ordering import GAPS_FIELD, gap_rule, order_rule
from scr_returns.core.rulekit.review import agency_asked

_PRECISION_WORDS = {"month": "given only to the month", "year": "given only to the year",
                    "approximate": "approximate"}


def chronology_rules(mapping: ChronologyMapping = DEFAULT_MAPPING, *,
                     gap_months: int = 3) -> tuple[Rule, ...]:
    """The common rules of a chronology form, for ``FormSpec.rules``.

    Codes (see :data:`COMMON_CODES`): ``chronology.date.future``,
    ``chronology.gap_explained.future`` (at ``/gaps_explained/<i>/from`` or
    ``/to``), ``chronology.date.outside_scope``, ``chronology.background.reason_missing``,
    ``chronology.time.inexact_date``, ``chronology.order.unsorted``,
    ``chronology.entry_id.duplicate``, ``chronology.subject.unknown``,
    ``chronology.gap.unexplained`` (a warning) and ``review.agency.not_asked``.
    The scope, subject, gap and agency rules need the review and report nothing
    without it. Ordering and gaps are defined in :mod:`scr_returns.core.rulekit.ordering`.
    """
    if gap_months < 1:
        raise ValueError("gap_months must be at least 1")

    def future_dates(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
        for entry in chronology_entries(document, mapping, context=context):
            if entry.date is None:
                continue
            earliest, _ = date_span(entry.date, entry.get("date_precision"))
            if earliest > context.today:
                yield problem(entry.pointer("date"), "chronology.date.future",
                              f"This date ({long_date(entry.date)}) is in the future; "
                              "a chronology records events that have happened.")

    def future_gaps(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
        return dates_after_submission(
            document, context, (GAPS_FIELD,),
            {"from": ("A period with nothing recorded cannot have begun",
                      "give the first day of the period"),
             "to": ("A period with nothing recorded cannot have ended",
                    "give the last day of the period")},
            "chronology.gap_explained.future")

    def scope(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
        review = context.review
        if review is None:
            return
        for entry in chronology_entries(document, mapping, context=context):
            if entry.date is None or entry.background:
                continue
            earliest, latest = date_span(entry.date, entry.get("date_precision"))
            if latest < review.scope_from or earliest > review.scope_to:
                yield problem(
                    entry.pointer("date"), "chronology.date.outside_scope",
                    f"This entry ({long_date(entry.date)}) is outside the review's scoping "
                    f"period ({long_date(review.scope_from)} to {long_date(review.scope_to)}). "
                    "Mark it as background and say why it matters, or remove it.")

    def background_reasons(document: Mapping[str, Any],
                           context: RuleContext) -> Iterator[Problem]:
        # A background entry always needs its reason, wherever it is dated: the
        # reason is what lets the panel weigh it.
        for entry in chronology_entries(document, mapping, context=context):
            if entry.background and is_blank(entry.get("background_reason")):
                yield problem(entry.pointer("background_reason"),
                              "chronology.background.reason_missing",
                              "This entry is marked as background: say why it matters to "
                              "the review.")

    def times(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
        for entry in chronology_entries(document, mapping, context=context):
            precision = entry.get("date_precision")
            if entry.has("time") and isinstance(precision, str) and precision != "exact":
                yield problem(entry.pointer("time"), "chronology.time.inexact_date",
                              "A time can only be given with an exact date; this date is "
                              f"{_PRECISION_WORDS.get(precision, precision)}. Remove the "
                              "time or make the date exact.")

    def entry_ids(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
        first: dict[str, int] = {}
        for entry in chronology_entries(document, mapping, context=context):
            value = entry.raw.get(mapping.id_field)
            if not isinstance(value, str):
                continue
            if value in first:
                yield problem(entry.pointer(mapping.id_field), "chronology.entry_id.duplicate",
                              f"The id {value!r} is already used by entry {first[value] + 1}; "
                              "each entry needs its own id.")
            else:
                first[value] = entry.index

    def subjects(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
        review = context.review
        if review is None:
            return
        for entry in chronology_entries(document, mapping, context=context):
            listed = entry.get("subjects")
            if not isinstance(listed, list):
                continue
            for position, key in enumerate(listed):
                if isinstance(key, str) and key not in review.subjects:
                    yield problem(entry.pointer("subjects", position),
                                  "chronology.subject.unknown",
                                  f"{key!r} is not in the subject register of review "
                                  f"{review.ref}; use one of: "
                                  f"{', '.join(sorted(review.subjects))}.")

    return (agency_asked, future_dates, future_gaps, scope, background_reasons, times, entry_ids,
            subjects, order_rule(mapping), gap_rule(mapping, gap_months))
