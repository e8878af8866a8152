"""Two rules over the chronology as a whole: entry order and unexplained gaps.

An entry's date stands for a span of days (:func:`scr_returns.core.rulekit.dates.date_span`):
an exact or approximate date for its own day, a ``month`` date for the whole
month and a ``year`` date for the whole year.

Order (``chronology.order.unsorted``, error). Entries whose date is readable are
taken in document order (others are left to the schema):

1. an entry is out of order when its span lies wholly before the earliest day
   the entries listed before it allow (reported at that entry's date). That day
   is the latest first day of their spans since the last entry reported: for
   exact dates simply the previous entry's date; an inexact entry whose span
   overlaps it is in order (``March 2024`` may follow 15 March 2024), but does
   not excuse an exact date that goes back past an earlier exact one. After an
   entry is reported, those after it are judged against it alone, so one
   misplaced entry is reported once;
2. among consecutive entries with one exact date (inexact entries neither join
   nor interrupt them), those that give a time must be in non-decreasing time
   order (reported at the time), and those that give a ``sequence`` must be in
   strictly increasing sequence order (reported at the sequence: a repeated
   number orders nothing);
3. an exact date with two or more entries that give no time needs a
   ``sequence`` on each of those entries, because nothing else says which came
   first (reported at each missing sequence). One untimed entry beside timed
   ones is fine. An inexact date is never grouped with exact ones: "March 2024"
   written as 2024-03-01 is not an entry of 1 March.

Gaps (``chronology.gap.unexplained``, warning; needs the review). Inside the
scoping period, every entry that is not background covers its span (the part
of it inside the scope), and every explanation in the document's root field
``gaps_explained`` (a list of ``{"from": date, "to": date, "reason": text}``,
see ``schemas/common/gaps-explained.v1.json``) covers its days ``from``..``to``.
A stretch of more than ``gap_months`` calendar months that nothing covers —
from the scope's start to the first cover, between covers, or from the last
cover to the scope's end — is reported, at the date of the entry (or the
``from`` of the explanation) that ends it, or for a stretch running to the
scope's end at the last entry's date (or explanation's ``to``) before it; with
nothing in scope at all, at the entries array. An explanation that covers only
part of a gap leaves the rest to be judged on its own length. The message names the
first and last day that nothing covers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from scr_returns.core.descriptors import ChronologyMapping, Rule, RuleContext, json_pointer, problem
from scr_returns.core.errors import Problem
from scr_returns.core.rulekit.codes import long_date
from scr_returns.core.rulekit.dates import add_months, date_span, is_blank, parse_date
from scr_returns.core.rulekit.entries import ChronologyEntry, chronology_entries, resolve_pointer

GAPS_FIELD = "gaps_explained"
"""Root field of a chronology document listing explained gaps."""

_INEXACT = ("month", "year", "approximate")


def _span(entry: ChronologyEntry, day: date) -> tuple[date, date]:
    return date_span(day, entry.get("date_precision"))


def _is_exact(entry: ChronologyEntry) -> bool:
    # A precision the schema refuses counts as exact, as date_span reads it.
    return entry.get("date_precision") not in _INEXACT


def _as_written(entry: ChronologyEntry, day: date) -> str:
    """The entry's date as a practitioner would say it: '15 March 2024', 'March 2024'."""
    precision = entry.get("date_precision")
    if precision == "month":
        return f"{day:%B %Y}"
    if precision == "year":
        return f"{day:%Y}"
    if precision == "approximate":
        return f"about {long_date(day)}"
    return long_date(day)


def _group_problems(group: list[ChronologyEntry]) -> Iterator[Problem]:
    """Rules 2 and 3 for the entries of one date."""
    last_time: str | None = None
    last_sequence: int | None = None
    for entry in group:
        if entry.time is not None:
            if last_time is not None and entry.time < last_time:
                yield problem(entry.pointer("time"), "chronology.order.unsorted",
                              f"This entry's time ({entry.time}) is earlier than the time of "
                              f"an entry listed before it on the same day ({last_time}); "
                              "list the day's entries in time order.")
            last_time = entry.time
        if entry.sequence is not None:
            if last_sequence is not None and entry.sequence <= last_sequence:
                yield problem(entry.pointer("sequence"), "chronology.order.unsorted",
                              f"This entry's sequence ({entry.sequence}) does not come after "
                              f"the sequence of an entry listed before it on the same day "
                              f"({last_sequence}); number the day's entries 1, 2, 3... in "
                              "the order they happened.")
            last_sequence = entry.sequence
    untimed = [e for e in group if e.time is None]
    if len(untimed) > 1:
        for entry in untimed:
            if entry.sequence is None:
                yield problem(entry.pointer("sequence"), "chronology.order.unsorted",
                              f"There are {len(untimed)} entries on "
                              f"{long_date(group[0].date or date.min)} without a time: give "
                              "each a sequence number (1, 2, 3...) in the order they happened.")


def order_rule(mapping: ChronologyMapping) -> Rule:
    """The ``chronology.order.unsorted`` rule (see the module docstring)."""

    def order(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
        # floor: the earliest day the entries listed so far allow, and the
        # entry whose span starts there (named in the message).
        floor: tuple[date, ChronologyEntry, date] | None = None
        group: list[ChronologyEntry] = []
        for entry in chronology_entries(document, mapping, context=context):
            day = entry.date
            if day is None:
                continue
            first, last = _span(entry, day)
            if floor is not None and last < floor[0]:
                yield problem(entry.pointer("date"), "chronology.order.unsorted",
                              f"This entry ({_as_written(entry, day)}) is listed after an "
                              f"entry dated {_as_written(floor[1], floor[2])}; list entries "
                              "in date order.")
                floor = (first, entry, day)
            elif floor is None or first > floor[0]:
                floor = (first, entry, day)
            if not _is_exact(entry):
                continue
            if group and day != group[0].date:
                yield from _group_problems(group)
                group = []
            group.append(entry)
        yield from _group_problems(group)

    return order


def explained_gaps(document: object) -> Iterator[tuple[int, date, date]]:
    """Each readable explanation in ``gaps_explained``: (index, from, to)."""
    found = document.get(GAPS_FIELD) if isinstance(document, Mapping) else None
    if not isinstance(found, list):
        return
    for index, item in enumerate(found):
        if not isinstance(item, Mapping) or is_blank(item.get("reason")):
            continue
        start, end = parse_date(item.get("from")), parse_date(item.get("to"))
        if start is not None and end is not None and start <= end:
            yield index, start, end


def gap_rule(mapping: ChronologyMapping, gap_months: int) -> Rule:
    """The ``chronology.gap.unexplained`` warning (see the module docstring)."""

    def gaps(document: Mapping[str, Any], context: RuleContext) -> Iterator[Problem]:
        review = context.review
        if review is None or not isinstance(resolve_pointer(document, mapping.entries), list):
            return
        scope_from, scope_to = review.scope_from, review.scope_to
        # (start, end, pointer at the start, pointer at the end) of each cover
        covers: list[tuple[date, date, str, str]] = []
        for entry in chronology_entries(document, mapping, context=context):
            if entry.date is None or entry.background:
                continue
            first, last = _span(entry, entry.date)
            if last >= scope_from and first <= scope_to:
                covers.append((max(first, scope_from), min(last, scope_to),
                               entry.pointer("date"), entry.pointer("date")))
        for index, start, end in explained_gaps(document):
            if end >= scope_from and start <= scope_to:
                covers.append((max(start, scope_from), min(end, scope_to),
                               json_pointer(GAPS_FIELD, index, "from"),
                               json_pointer(GAPS_FIELD, index, "to")))
        covers.sort(key=lambda c: (c[0], c[1]))
        # cursor: the last day covered so far (before any cover, the scope's start,
        # which is then itself uncovered).
        cursor, cursor_pointer, covered = scope_from, mapping.entries, False
        for start, end, start_pointer, end_pointer in covers:
            if start > add_months(cursor, gap_months):
                yield _gap(start_pointer, _after(cursor, covered), start - _DAY, gap_months)
            if end >= cursor:
                cursor, cursor_pointer = end, end_pointer
            covered = True
        if scope_to > add_months(cursor, gap_months):
            yield _gap(cursor_pointer, _after(cursor, covered), scope_to, gap_months)

    return gaps


_DAY = timedelta(days=1)


def _after(cursor: date, covered: bool) -> date:
    """The first uncovered day after ``cursor``: the next day, if ``cursor`` is covered."""
    return cursor + _DAY if covered else cursor


def _gap(pointer: str, first: date, last: date, gap_months: int) -> Problem:
    """The gap warning: ``first`` and ``last`` are the first and last day nothing covers."""
    return problem(pointer, "chronology.gap.unexplained",
                   f"Nothing is recorded from {long_date(first)} to {long_date(last)} "
                   f"inclusive, more than {gap_months} months inside the scoping period. If "
                   "the agency had no involvement then, add that period to 'gaps_explained' "
                   "with the reason.", "warning")
