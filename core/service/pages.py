"""Pages of a short list kept in memory (reviews, tokens): opaque cursors, as elsewhere."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from scr_returns.core.errors import BadRequestError

T = TypeVar("T")
LIMIT_MAX = 500


def _encode(key: str) -> str:
    return base64.urlsafe_b64encode(("k" + key).encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if not raw.startswith("k"):
        raise BadRequestError("The cursor is not one this service gave out.")
    return raw[1:]


def page(items: Sequence[T], key: Callable[[T], str], *, cursor: str | None,
         limit: int) -> tuple[list[T], str | None]:
    """The ``limit`` items after ``cursor`` (in ``items``' order) and the next cursor."""
    start = 0
    if cursor:
        last = _decode(cursor)
        keys = [key(item) for item in items]
        if last not in keys:
            raise BadRequestError("The cursor is not one this service gave out.")
        start = keys.index(last) + 1
    chosen = list(items[start:start + limit])
    more = start + limit < len(items)
    return chosen, _encode(key(chosen[-1])) if more and chosen else None
