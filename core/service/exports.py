"""Writing the integrated chronology as JSON, NDJSON or CSV, a chunk at a time.

CSV is for spreadsheets: UTF-8 with a byte-order mark by default (without it
Excel reads UTF-8 as the legacy code page and mangles every accented name;
``bom=False`` leaves it out for programs), one header row, ISO dates, CRLF
line ends (RFC 4180). A text cell that a spreadsheet could take for a formula
(first character ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
prefixed with a single quote, the OWASP advice for CSV injection; numbers
are written as they are, booleans as yes or no.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

from scr_returns.core import jsonio

Format = Literal["json", "ndjson", "csv"]
FORMATS: dict[Format, str] = {
    "json": "application/json",
    "ndjson": "application/x-ndjson",
    "csv": "text/csv; charset=utf-8; header=present",
}
CHUNK = 64 * 1024
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = ("agency", "entry_id", "revision", "state", "date", "date_precision", "time",
               "sequence", "subjects", "event_type", "source_service", "source_role",
               "description", "decision_or_action", "outcome", "impact_on_child", "background",
               "background_reason")


def neutralise(text: str) -> str:
    """A text cell no spreadsheet will run as a formula."""
    return "'" + text if text.startswith(FORMULA_START) else text


def cell(value: Any) -> str | int | float:
    if type(value) is str:  # the common case first: this runs for every cell
        return "'" + value if value.startswith(FORMULA_START) else value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return neutralise("; ".join(value))
    if isinstance(value, str):
        return neutralise(value)
    return neutralise(jsonio.dumps(value))


def csv_record(row: Mapping[str, Any], own: Mapping[str, list[tuple[int, str]]],
               width: int) -> list[str | int | float]:
    """One CSV row; ``own`` gives each agency's own columns as (index, field)."""
    source = row.get("source")
    source = source if isinstance(source, Mapping) else {}
    flat = {**row, "source_service": source.get("service"), "source_role": source.get("role")}
    record = [cell(flat.get(c)) for c in CSV_COLUMNS]
    record += [""] * width
    fields = row["agency_fields"]
    for index, key in own.get(row["agency"], ()):
        record[len(CSV_COLUMNS) + index] = cell(fields.get(key))
    return record


def csv_chunks(rows: Iterable[Mapping[str, Any]], own: list[tuple[str, str]], *,
               bom: bool = True) -> Iterator[bytes]:
    """The header (common columns, then ``agency.field`` for each own field), then rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*CSV_COLUMNS, *(neutralise(f"{a}.{k}") for a, k in own)])
    columns: dict[str, list[tuple[int, str]]] = {}
    for index, (agency, key) in enumerate(own):
        columns.setdefault(agency, []).append((index, key))
    prefix = "\ufeff" if bom else ""
    for row in rows:
        writer.writerow(csv_record(row, columns, len(own)))
        if buffer.tell() >= CHUNK:
            yield (prefix + buffer.getvalue()).encode("utf-8")
            prefix = ""
            buffer.seek(0)
            buffer.truncate()
    yield (prefix + buffer.getvalue()).encode("utf-8")


def ndjson_chunks(rows: Iterable[Mapping[str, Any]]) -> Iterator[bytes]:
    """One JSON object per line."""
    parts: list[str] = []
    size = 0
    for row in rows:
        line = jsonio.dumps(row) + "\n"
        parts.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    if parts:
        yield "".join(parts).encode("utf-8")


def json_chunks(rows: Iterable[Mapping[str, Any]], head: Mapping[str, Any]) -> Iterator[bytes]:
    """``{...head, "entries": [...], "count": n}``, written as the rows come."""
    opening = jsonio.dumps(head)
    parts = [opening[:-1] + (',"entries":[' if len(opening) > 2 else '"entries":[')]
    size, count = 0, 0
    for row in rows:
        text = jsonio.dumps(row)
        parts.append(("," if count else "") + text)
        count += 1
        size += len(text)
        if size >= CHUNK:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    parts.append(f'],"count":{count}}}')
    yield "".join(parts).encode("utf-8")
