"""Extracted chronology entries: written with each revision, read as one ordered stream."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from scr_returns.core.storage import tables as t

STREAM_BATCH = 1000


@dataclass(frozen=True, slots=True)
class EntryFilter:
    """Which entries of a review's latest chronologies to read (empty tuple: any)."""

    agencies: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    background: bool | None = None
    accepted_only: bool = False


_INSERT = t.chronology_entries.insert()  # built once; parameters bound per call


def keyset(values: Sequence[str]) -> str:
    """A list of keys as ``|a|b|``, so that one key is found with a LIKE on ``|key|``."""
    return "|" + "|".join(values) + "|" if values else ""


def _selection(review_id: int, f: EntryFilter, *columns: Any) -> sa.Select[Any]:
    ce, r = t.chronology_entries, t.returns
    query = (sa.select(*columns)
             .join(r, sa.and_(r.c.id == ce.c.return_id, r.c.latest_revision == ce.c.revision))
             .where(ce.c.review_id == review_id))
    if f.accepted_only:
        query = query.where(r.c.state == "accepted")
    if f.agencies:
        query = query.where(ce.c.agency.in_(f.agencies))
    if f.event_types:
        query = query.where(ce.c.event_type.in_(f.event_types))
    if f.subjects:
        query = query.where(sa.or_(*(ce.c.subjects.contains(f"|{s}|", autoescape=True)
                                     for s in f.subjects)))
    # A month or year date stands for its whole span: it is in the window if
    # any day of it is.
    if f.date_from is not None:
        query = query.where(ce.c.date_end >= f.date_from)
    if f.date_to is not None:
        query = query.where(ce.c.date <= f.date_to)
    if f.background is not None:
        query = query.where(ce.c.background == f.background)
    return query


class ChronologyQueries:
    """The chronology index's part of a transaction (mixed into the store's Tx)."""

    conn: sa.Connection

    def insert_entries(self, return_id: int, revision: int,
                       rows: Sequence[Mapping[str, Any]]) -> None:
        """Write one revision's extracted entries (rows without their return and revision)."""
        if rows:
            self.conn.execute(_INSERT, [{**row, "return_id": return_id, "revision": revision}
                                        for row in rows])

    def own_fields(self, review_id: int, f: EntryFilter) -> list[tuple[str, str]]:
        """Every (agency, own column) the selected entries use, sorted (see ``own_columns``)."""
        ce = t.chronology_entries
        rows = self.conn.execute(_selection(review_id, f, ce.c.agency, ce.c.own_keys)
                                 .distinct())
        found = {(agency, key) for agency, keys in rows for key in keys.split("|") if key}
        return sorted(found)

    def entry_rows(self, review_id: int, f: EntryFilter) -> Iterator[sa.RowMapping]:
        """The selected entries in the integrated order, fetched a batch at a time.

        Order: date, precision (exact, month, year, approximate), time (untimed
        last), agency, sequence (unsequenced last), then the entry's place in its
        return; undated entries (none pass the common schema) come last.
        """
        ce, r = t.chronology_entries, t.returns
        query = _selection(review_id, f, ce.c.agency, ce.c.form, ce.c.entry_id, ce.c.revision,
                           r.c.state, ce.c.common, ce.c.own).order_by(
            sa.nulls_last(ce.c.date.asc()), ce.c.precision_rank,
            sa.nulls_last(ce.c.time.asc()), ce.c.agency, sa.nulls_last(ce.c.sequence.asc()),
            ce.c.form, ce.c.position)
        result = self.conn.execute(query.execution_options(stream_results=True,
                                                           yield_per=STREAM_BATCH))
        yield from result.mappings()
