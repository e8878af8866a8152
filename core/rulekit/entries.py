"""Finding a chronology's entries and their common columns, whatever the mapping."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from core.descriptors import ChronologyMapping, json_pointer
from core.memo import shared
from core.rulekit.dates import parse_date, parse_time

DEFAULT_MAPPING = ChronologyMapping()
"""The usual mapping: entries at ``/entries``, ids in ``id``, common column names."""


def resolve_pointer(document: object, pointer: str) -> object | None:
    """The value at a JSON Pointer, or ``None`` if any step is missing or of the wrong type."""
    if pointer == "":
        return document
    node: object = document
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping):
            node = node.get(part)
        elif isinstance(node, list) and part.isascii() and part.isdigit() \
                and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


@dataclass(frozen=True, slots=True)
class ChronologyEntry:
    """One chronology entry with its common columns read (``None`` where unreadable)."""

    index: int
    raw: Mapping[str, Any]
    mapping: ChronologyMapping
    date: date | None
    time: str | None
    sequence: int | None

    def field(self, column: str) -> str:
        """The agency's name for a common column."""
        return self.mapping.columns.get(column, column)

    def get(self, column: str) -> object:
        return self.raw.get(self.field(column))

    def has(self, column: str) -> bool:
        return self.field(column) in self.raw

    def pointer(self, column: str | None = None, *more: str | int) -> str:
        """JSON Pointer to this entry, or to one of its columns."""
        base = self.mapping.entries
        if column is None:
            return base + json_pointer(self.index)
        return base + json_pointer(self.index, self.field(column), *more)

    @property
    def background(self) -> bool:
        return self.get("background") is True


def chronology_entries(document: object, mapping: ChronologyMapping = DEFAULT_MAPPING,
                       ) -> Iterator[ChronologyEntry]:
    """Every entry that is an object, with its position in the entries array.

    Yields nothing when the entries array is missing or not a list; entries that
    are not objects are skipped (the schema reports them).
    """
    # The document cannot change during one validation: parse its entries once
    # for all the rules. Keying on id() is safe because the caller holds the
    # document for the whole validation, so its id cannot be reused meanwhile.
    yield from shared(("chronology_entries", id(document), id(mapping)),
                      lambda: tuple(_parse_entries(document, mapping)))


def _parse_entries(document: object, mapping: ChronologyMapping) -> Iterator[ChronologyEntry]:
    found = resolve_pointer(document, mapping.entries)
    if not isinstance(found, list):
        return
    for index, raw in enumerate(found):
        if not isinstance(raw, Mapping):
            continue
        columns = mapping.columns
        sequence = raw.get(columns.get("sequence", "sequence"))
        yield ChronologyEntry(
            index=index, raw=raw, mapping=mapping,
            date=parse_date(raw.get(columns.get("date", "date"))),
            time=parse_time(raw.get(columns.get("time", "time"))),
            sequence=sequence if isinstance(sequence, int) and not isinstance(sequence, bool)
            else None,
        )
