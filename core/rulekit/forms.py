"""Rules of the common form bodies: agency report, nil return, records secured.

Field names are those of ``schemas/common/agency-report.v1.json``,
``nil-return.v1.json`` and ``records-secured.v1.json``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from scr_returns.core.descriptors import Rule, RuleContext, json_pointer, problem
from scr_returns.core.errors import Problem
from scr_returns.core.rulekit.codes import long_date
from scr_returns.core.rulekit.dates import is_blank, parse_date
from scr_returns.core.rulekit.entries import resolve_pointer
from scr_returns.core.rulekit.review import agency_asked

INDEPENDENCE_FIELDS = {
    "not_directly_involved": "was not directly involved with the child or family",
    "not_line_manager_of_those_involved": "does not line-manage anyone who was",
}


def _too_late(pointer: str, code: str, day: date, context: RuleContext, done: str,
              ask: str) -> Problem:
    submitted = context.today  # the local date of submission
    return problem(pointer, code,
                   f"{done} on {long_date(day)}, after this return was submitted "
                   f"({long_date(submitted)}); {ask}.")


def _after_submission(document: Mapping[str, Any], context: RuleContext, field: str,
                      code: str, done: str, ask: str) -> Iterator[Problem]:
    """The date at ``field``, when something was ``done``, if after the day of submission."""
    day = parse_date(document.get(field)) if isinstance(document, Mapping) else None
    if day is not None and day > context.today:
        yield _too_late(json_pointer(field), code, day, context, done, ask)


def dates_after_submission(document: object, context: RuleContext, at: tuple[str, ...],
                           fields: Mapping[str, tuple[str, str]], code: str
                           ) -> Iterator[Problem]:
    """Dates of past events, in a list of objects, that fall after the day of submission.

    ``at`` is the path to the list (``("methodology", "staff_interviewed")``);
    ``fields`` maps each date field of its objects to the message's two halves:
    what cannot have been done then, and what to ask for. Each problem points at
    the field. A missing list, an item that is not an object and a value that is
    not a ``YYYY-MM-DD`` date are skipped: the schema reports them.
    """
    items = resolve_pointer(document, json_pointer(*at))
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue
        for field, (done, ask) in fields.items():
            day = parse_date(item.get(field))
            if day is not None and day > context.today:
                yield _too_late(json_pointer(*at, index, field), code, day, context, done,
                                ask)


def _secured_after_submission(document: Mapping[str, Any], context: RuleContext,
                              field: str, code: str) -> Iterator[Problem]:
    return _after_submission(document, context, field, code,
                             "Records cannot have been secured",
                             "give the date they were secured")


def _kloe_answers(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    review = context.review
    if review is None or not isinstance(document, Mapping):
        return
    # NOTE: ids are matched without case: an answer to kloe-1 answers KLOE-1, as the
    # review refuses two ids that differ only in case.
    known = {k.id.casefold(): k.id for k in review.kloes}
    answers = document.get("kloe_answers")
    answered: set[str] = set()
    if isinstance(answers, list):
        for index, item in enumerate(answers):
            if not isinstance(item, Mapping) or not isinstance(item.get("kloe"), str):
                continue
            kloe = item["kloe"]
            if kloe.casefold() not in known:
                yield problem(json_pointer("kloe_answers", index, "kloe"), "report.kloe.unknown",
                              f"Review {review.ref} has no key line of enquiry {kloe!r}; its lines "
                              f"of enquiry are: {', '.join(sorted(known.values())) or 'none'}.")
            elif not is_blank(item.get("answer")):
                answered.add(kloe.casefold())
    for kloe in review.kloes:
        if kloe.id.casefold() not in answered:
            yield problem(json_pointer("kloe_answers"), "report.kloe.unanswered",
                          f"Key line of enquiry {kloe.id} is not answered: "
                          f"\u201c{kloe.question}\u201d")


def _author_independent(document: Mapping[str, Any], context: RuleContext
                        ) -> Iterator[Problem]:
    author = document.get("author") if isinstance(document, Mapping) else None
    independence = author.get("independence") if isinstance(author, Mapping) else None
    if not isinstance(independence, Mapping):
        return
    for field, meaning in INDEPENDENCE_FIELDS.items():
        # Only an explicit "false" is a declaration of involvement; a missing or
        # mistyped value is the schema's to report.
        if independence.get(field) is False:
            yield problem(json_pointer("author", "independence", field),
                          "report.author.not_independent",
                          f"The author of an agency report must be independent: one who "
                          f"{meaning} cannot write it. Ask someone independent to write it.")


def _records_secured_in_report(document: Mapping[str, Any], context: RuleContext
                               ) -> Iterator[Problem]:
    return _secured_after_submission(document, context, "records_secured_on",
                                     "report.records_secured.after_submission")


def _episode_dates(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    return dates_after_submission(
        document, context, ("key_practice_episodes",),
        {"from": ("This episode cannot have begun", "give the date it began"),
         "to": ("This episode cannot have ended",
                "give the date it ended, or leave 'to' out if it is still going on")},
        "report.episode.future")


def _interview_dates(document: Mapping[str, Any], context: RuleContext
                     ) -> Iterator[Problem]:
    # NOTE: a recommendation's due_by is not checked: it is rightly in the future.
    return dates_after_submission(
        document, context, ("methodology", "staff_interviewed"),
        {"interviewed_on": ("This interview cannot have taken place",
                            "give the date it took place")},
        "report.interview.after_submission")


def agency_report_rules() -> tuple[Rule, ...]:
    """Rules of the common agency report (IMR) body.

    Codes: ``review.agency.not_asked``, ``report.kloe.unanswered`` (one per
    review KLOE with no non-blank answer, at ``/kloe_answers``),
    ``report.kloe.unknown`` (at ``/kloe_answers/<i>/kloe``),
    ``report.records_secured.after_submission`` (at ``/records_secured_on``),
    ``report.episode.future`` (at ``/key_practice_episodes/<i>/from`` or ``/to``),
    ``report.interview.after_submission`` (at
    ``/methodology/staff_interviewed/<i>/interviewed_on``) and
    ``report.author.not_independent`` (at each independence declaration that is
    ``false``). KLOE rules need the review.
    """
    return (agency_asked, _kloe_answers, _author_independent, _records_secured_in_report,
            _episode_dates, _interview_dates)


def _period_covers_scope(document: Mapping[str, Any], context: RuleContext
                         ) -> Iterator[Problem]:
    review = context.review
    period = document.get("period_checked") if isinstance(document, Mapping) else None
    if review is None or not isinstance(period, Mapping):
        return
    start, end = parse_date(period.get("from")), parse_date(period.get("to"))
    scope = f"{long_date(review.scope_from)} to {long_date(review.scope_to)}"
    if start is not None and start > review.scope_from:
        yield problem(json_pointer("period_checked", "from"),
                      "nil_return.period.not_covering_scope",
                      f"Records were checked only from {long_date(start)}; a nil return must "
                      f"cover the whole scoping period ({scope}).")
    if end is not None and end < review.scope_to:
        yield problem(json_pointer("period_checked", "to"),
                      "nil_return.period.not_covering_scope",
                      f"Records were checked only up to {long_date(end)}; a nil return must "
                      f"cover the whole scoping period ({scope}).")


def _checked_on(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    return _after_submission(document, context, "checked_on",
                             "nil_return.checked_on.after_submission",
                             "The records cannot have been checked",
                             "give the date they were checked")


def nil_return_rules() -> tuple[Rule, ...]:
    """Rules of the common nil return body.

    Codes: ``review.agency.not_asked``, ``nil_return.period.not_covering_scope``
    (at ``/period_checked/from`` or ``/period_checked/to``; needs the review),
    ``nil_return.checked_on.after_submission`` (at ``/checked_on``).
    """
    return (agency_asked, _period_covers_scope, _checked_on)


def _secured_on(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
    return _secured_after_submission(document, context, "secured_on",
                                     "records.secured_on.after_submission")


def records_secured_rules() -> tuple[Rule, ...]:
    """Rules of the common records-secured confirmation.

    Codes: ``review.agency.not_asked``, ``records.secured_on.after_submission``
    (at ``/secured_on``).
    """
    return (agency_asked, _secured_on)
