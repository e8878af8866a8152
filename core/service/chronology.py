"""The integrated chronology: entries extracted at submission, merged and streamed.

Each chronology revision's entries are written to ``chronology_entries`` in the
transaction that stores the revision (:func:`extract`, then ``insert_entries``).
The panel's chronology is then one ordered SELECT over every agency's latest
revision, fetched a batch at a time and written out as it comes: memory stays
flat however many entries the review holds.

Which returns count: the latest revision of every chronology return, whatever
its review state; a queried return is included (the panel is still reading it)
and each row says its state. ``accepted_only`` keeps accepted returns alone.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping

from scr_returns.core import jsonio
from scr_returns.core.auth import Principal
from scr_returns.core.errors import ForbiddenError
from scr_returns.core.rulekit.dates import date_span
from scr_returns.core.rulekit.entries import Chronology
from scr_returns.core.service.exports import (
    FORMATS,
    Format,
    csv_chunks,
    json_chunks,
    ndjson_chunks,
    own_columns,
)
from scr_returns.core.service.reviews import visible_review
from scr_returns.core.storage import Store
from scr_returns.core.storage.chronology import EntryFilter, keyset
from scr_returns.core.storage.records import ReviewRecord

COMMON_COLUMNS = ("date", "date_precision", "time", "sequence", "subjects", "event_type",
                  "source", "description", "decision_or_action", "outcome", "impact_on_child",
                  "background", "background_reason")
"""The common entry's columns (schemas/common/chronology-entry.v1.json) besides its id."""

PRECISION_RANK = {"exact": 0, "month": 1, "year": 2, "approximate": 3}


def extract(*, review_id: int, agency: str, form: str,
            chronology: Chronology) -> list[dict[str, Any]]:
    """The ``chronology_entries`` rows of one document's entries (as the rules read them):
    sort keys, common columns, own fields.

    Made before the write transaction, so that the write lock is not held for
    it; the store adds the return and revision they belong to.
    """
    rows = []
    mapping = chronology.mapping
    fields = [(c, mapping.columns.get(c, c)) for c in COMMON_COLUMNS]  # ours, the agency's
    taken = {mapping.id_field} | {name for _, name in fields}
    for entry in chronology.entries:
        raw = entry.raw
        common = {c: raw[name] for c, name in fields if name in raw}
        own = {k: v for k, v in raw.items() if k not in taken}
        precision = common.get("date_precision", "exact")
        start, end = date_span(entry.date, precision) if entry.date else (None, None)
        raw_id = raw.get(mapping.id_field)
        subjects = common.get("subjects")
        event_type = common.get("event_type")
        rows.append({
            "review_id": review_id, "agency": agency, "form": form, "position": entry.index,
            "entry_id": str(raw_id) if raw_id is not None else f"#{entry.index + 1}",
            "date": start, "date_end": end,
            "precision_rank": PRECISION_RANK.get(str(precision), len(PRECISION_RANK)),
            "time": entry.time, "sequence": entry.sequence,
            "event_type": event_type if isinstance(event_type, str) else None,
            "subjects": keyset([s for s in subjects if isinstance(s, str)]
                               if isinstance(subjects, list) else []),
            "background": common.get("background") is True,
            "own_keys": keyset(sorted(own_columns(own))),
            "common": jsonio.document_text(common), "own": jsonio.document_text(own)})
    return rows


def merged_row(row: RowMapping) -> dict[str, Any]:
    """One row of the integrated chronology, as JSON and NDJSON give it."""
    # NOTE: plain json.loads: this is the service's own stored text, already
    # checked on the way in; the strict parser's hooks cost a third of the stream.
    common = json.loads(row["common"])
    out: dict[str, Any] = {
        "agency": row["agency"], "entry_id": f"{row['agency']}:{row['entry_id']}",
        "agency_entry_id": row["entry_id"], "form": row["form"],
        "revision": row["revision"], "state": row["state"]}
    for column in COMMON_COLUMNS:
        out[column] = common.get(column)
    out["date_precision"] = out["date_precision"] or "exact"
    out["background"] = out["background"] is True
    out["agency_fields"] = json.loads(row["own"])
    return out


@dataclass(frozen=True)
class Export:
    """A streamed answer: its media type, a file name, and the body a chunk at a time."""

    content_type: str
    filename: str
    chunks: Iterator[bytes]


class ChronologyService:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def _review(self, principal: Principal, ref: str) -> ReviewRecord:
        if principal.role == "agency":
            raise ForbiddenError("The integrated chronology is the panel's.")
        with self.store.read() as tx:
            return visible_review(tx, principal, ref)

    def export(self, principal: Principal, ref: str, fmt: Format, entry_filter: EntryFilter,
               *, bom: bool = True) -> Export:
        """Check access now; the body is read from the database only as it is sent."""
        review = self._review(principal, ref)
        head = {"review": ref, "generated_at": self.clock(),
                "accepted_only": entry_filter.accepted_only}
        chunks = self._chunks(review.id, fmt, entry_filter, head, bom)
        return Export(FORMATS[fmt], f"{ref}-chronology.{fmt}", chunks)

    def _chunks(self, review_id: int, fmt: Format, entry_filter: EntryFilter,
                head: Mapping[str, Any], bom: bool) -> Iterator[bytes]:
        with self.store.read() as tx:
            # The CSV header names every agency's own fields, so it needs them
            # first: a DISTINCT over the same snapshot, not a pass in memory.
            fields = tx.own_fields(review_id, entry_filter) if fmt == "csv" else []
            rows = (merged_row(r) for r in tx.entry_rows(review_id, entry_filter))
            if fmt == "csv":
                yield from csv_chunks(rows, fields, bom=bom)
            elif fmt == "ndjson":
                yield from ndjson_chunks(rows)
            else:
                yield from json_chunks(rows, head)
