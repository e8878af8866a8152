"""A settable clock, so that dates in rules and tokens are reproducible."""

from __future__ import annotations

from datetime import UTC, datetime


class Clock:
    """A settable clock, so that dates in rules and tokens are reproducible."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now
