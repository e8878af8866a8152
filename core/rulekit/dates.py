"""Reading dates the way the schema writes them, and month arithmetic."""

from __future__ import annotations

import calendar
import re
from datetime import date

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME_RE = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def parse_date(value: object) -> date | None:
    """The date written ``YYYY-MM-DD``, or ``None`` for anything else (no exceptions)."""
    # NOTE: date.fromisoformat alone would also take "20240101" and "2024-W01-1".
    if not isinstance(value, str) or not _DATE_RE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def parse_time(value: object) -> str | None:
    """The time written ``HH:MM`` (which sorts as text), or ``None``."""
    return value if isinstance(value, str) and _TIME_RE.fullmatch(value) else None


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def date_span(day: date, precision: object) -> tuple[date, date]:
    """The earliest and latest day a date of this precision may mean.

    A ``month`` date is written as the month's first day and a ``year`` date as
    1 January, so they stand for the whole month or year; ``exact`` and
    ``approximate`` dates stand for the day given.
    """
    if precision == "month":
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if precision == "year":
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    return day, day


def is_blank(value: object) -> bool:
    """True for a missing, non-text or whitespace-only value."""
    return not isinstance(value, str) or not value.strip()
