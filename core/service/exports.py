"""Writing the integrated chronology as JSON, NDJSON or CSV, a chunk at a time.

CSV is for spreadsheets: UTF-8 with a byte-order mark by default (without it
Excel reads UTF-8 as the legacy code page and mangles every accented name;
``bom=False`` leaves it out for programs), one header row, ISO dates, CRLF
line ends (RFC 4180). A text cell that a spreadsheet could take for a formula
(first character ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
prefixed with a single quote, the OWASP advice for CSV injection; numbers
are written as they are, booleans as yes or no. An agency's own fields are
columns of their own, an object's parts too (``police.referral_to_childrens_services.made``):
no cell holds JSON.
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
    if isinstance(value, list) and all(_scalar(v) for v in value):
        return neutralise("; ".join(str(cell(v)) for v in value))
    if isinstance(value, str):
        return neutralise(value)
    return neutralise(jsonio.dumps(value))


def _scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float)


def own_columns(fields: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """An entry's own fields as CSV columns: ``field``, ``field.part`` for an object's parts.

    A list of objects (e.g. ``pnc_ids``) gives one column per part, the items' values
    in list order (``"mother; father"``, a blank where an item lacks the part), so
    that a spreadsheet shows each part in a column of its own, not JSON in a cell.
    A list of scalars stays one column.
    """
    columns: dict[str, Any] = {}
    for key, value in fields.items():
        name = prefix + str(key)
        if isinstance(value, Mapping) and value:
            columns.update(own_columns(value, name + "."))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            items = [own_columns(v) for v in value]
            for part in dict.fromkeys(k for item in items for k in item):
                columns[f"{name}.{part}"] = [item.get(part) for item in items]
        else:
            columns[name] = value
    return columns


def csv_record(row: Mapping[str, Any], own: Mapping[str, list[tuple[int, str]]],
               width: int) -> list[str | int | float]:
    """One CSV row; ``own`` gives each agency's own columns as (index, field)."""
    source = row.get("source")
    source = source if isinstance(source, Mapping) else {}
    flat = {**row, "source_service": source.get("service"), "source_role": source.get("role")}
    record = [cell(flat.get(c)) for c in CSV_COLUMNS]
    record += [""] * width
    fields = own_columns(row["agency_fields"])
    for index, key in own.get(row["agency"], ()):
        record[len(CSV_COLUMNS) + index] = cell(fields.get(key))
    return record


def csv_chunks(rows: Iterable[Mapping[str, Any]], own: list[tuple[str, str]], *,
               bom: bool = True) -> Iterator[bytes]:
    """The header (common columns, then ``agency.field`` for each own column, see
    :func:`own_columns`), then rows."""
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
