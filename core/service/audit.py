"""Reading and checking the audit log (scr_returns.core.audit appends, inside each request)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from scr_returns.core.audit import Finding, current_head, parse_head, verify_store
from scr_returns.core.errors import BadRequestError
from scr_returns.core.service.returns import decode_cursor, encode_cursor
from scr_returns.core.storage import Store
from scr_returns.core.storage.audit import AuditFilter

PAGE_MAX = 500
OUTCOME = re.compile(r"([1-5])(xx|[0-9][0-9])")
SHOWN = ("id", "at", "request_id", "token_id", "role", "method", "route", "review", "agency",
         "form", "revision", "target", "status", "purpose", "replay_of", "hash")


def parse_time(name: str, value: str | None) -> datetime | None:
    """An ISO 8601 instant with its offset (or a date: its midnight UTC)."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            return datetime.combine(date.fromisoformat(value), datetime.min.time(), UTC)
        found = datetime.fromisoformat(value)
        if found.tzinfo is not None:
            return found.astimezone(UTC)  # OverflowError at the ends of the calendar
    except (ValueError, OverflowError):
        pass
    raise BadRequestError(f"{name} is an ISO 8601 date, or a date and time with its "
                          "offset (e.g. 2026-11-26T10:00:00Z).")


def parse_outcome(value: str | None) -> tuple[int | None, int | None]:
    """``404`` (exactly), ``4xx`` (a class), ``allowed`` (< 400) or ``refused`` (>= 400)."""
    if value is None:
        return None, None
    if value == "allowed":
        return 100, 399
    if value == "refused":
        return 400, 599
    match = OUTCOME.fullmatch(value)
    if match is None:
        raise BadRequestError("outcome is a status (404), a class (4xx), 'allowed' or "
                              "'refused'.")
    if match.group(2) == "xx":
        base = int(match.group(1)) * 100
        return base, base + 99
    return int(value), int(value)


class AuditService:
    def __init__(self, store: Store) -> None:
        self.store = store

    def page(self, *, since: str | None = None, until: str | None = None,
             token: str | None = None, review: str | None = None, agency: str | None = None,
             outcome: str | None = None, cursor: str | None = None,
             limit: int = 100) -> dict[str, Any]:
        """A page of records, oldest first, matching every filter given."""
        low, high = parse_outcome(outcome)
        where = AuditFilter(since=parse_time("from", since), until=parse_time("to", until),
                                token_id=token, review=review, agency=agency,
                                status_from=low, status_to=high)
        limit = max(1, min(limit, PAGE_MAX))
        with self.store.read() as tx:
            rows = tx.audit_page(where, after_id=decode_cursor(cursor) if cursor else 0,
                                 limit=limit + 1)
        items = [{k: row[k] for k in SHOWN} for row in rows[:limit]]
        more = len(rows) > limit
        return {"items": items, "next_cursor": encode_cursor(items[-1]["id"]) if more else None}

    def head(self) -> str:
        with self.store.read() as tx:
            return current_head(tx)

    def verify(self, head: str | None = None) -> tuple[int, Finding | None]:
        """(records checked, the first bad record or None); ``head`` as ``head()`` gave it."""
        expected = parse_head(head) if head else None
        with self.store.read() as tx:
            return verify_store(tx, expected)
