"""Pages of a short list kept in memory (reviews, tokens).

The cursor is the key of the last item of the page (a review's reference, a
token's id): the next page starts after it, in the list's order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from scr_returns.core.errors import BadRequestError, NotFoundError

T = TypeVar("T")


def page(items: Sequence[T], key: Callable[[T], str], *, cursor: str | None,
         limit: int, shape: re.Pattern[str], ordered_by_key: bool = True,
         ) -> tuple[list[T], str | None]:
    """The ``limit`` items after ``cursor`` and the next cursor.

    A cursor not of the keys' ``shape`` answers 400. In a list ordered by its keys
    a cursor need not name an item that exists (the page starts after where it
    would be); in any other order it must (else 404).
    """
    keys = [key(item) for item in items]
    start = 0
    if cursor is not None and not shape.fullmatch(cursor):
        raise BadRequestError("The cursor is not the next_cursor of a page of this list.")
    if cursor:
        if cursor in keys:
            start = keys.index(cursor) + 1
        elif ordered_by_key:
            start = sum(1 for k in keys if k <= cursor)
        else:
            raise NotFoundError("No item to continue after: the cursor names none.")
    chosen = list(items[start:start + limit])
    more = start + limit < len(items)
    return chosen, key(chosen[-1]) if more and chosen else None
