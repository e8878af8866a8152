"""Finding a chronology's entries and their common columns, whatever the mapping."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from scr_returns.core.descriptors import ChronologyMapping, json_pointer
from scr_returns.core.rulekit.dates import parse_date, parse_time

if TYPE_CHECKING:
    from scr_returns.core.descriptors import RuleContext

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


@dataclass(frozen=True, slots=True)
class Chronology:
    """A document's chronology entries, parsed once for every rule of one validation.

    Core parses them before the rules run and hands them on in
    :attr:`RuleContext.chronology <scr_returns.core.descriptors.RuleContext.chronology>`;
    the same entries then give the integrated chronology's rows.
    """

    document: object
    """The document they were parsed from (the rules are given that document)."""
    mapping: ChronologyMapping
    entries: tuple[ChronologyEntry, ...]


def parse_chronology(document: object, mapping: ChronologyMapping = DEFAULT_MAPPING
                     ) -> Chronology:
    """Every entry of ``document`` under ``mapping``, parsed (see :func:`chronology_entries`)."""
    return Chronology(document, mapping, tuple(_parse_entries(document, mapping)))


def chronology_entries(document: object, mapping: ChronologyMapping = DEFAULT_MAPPING, *,
                       context: RuleContext | None = None) -> Iterator[ChronologyEntry]:
    """Every entry that is an object, with its position in the entries array.

    Yields nothing when the entries array is missing or not a list; entries that
    are not objects are skipped (the schema reports them). A rule passes its
    ``context``: the entries core parsed once for this document are then reused
    instead of parsed again for each rule.
    """
    parsed = context.chronology if context is not None else None
    if parsed is not None and parsed.document is document and parsed.mapping == mapping:
        yield from parsed.entries
    else:
        yield from _parse_entries(document, mapping)


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
