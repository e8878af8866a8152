"""A memo that lives for one validation, so rules can share work on one document.

Every rule of a form sees the same document; parsing its entries once per
validation instead of once per rule is most of the cost of the rules. Outside
:func:`validation_scope` nothing is remembered (each call computes afresh).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

T = TypeVar("T")

_memo: ContextVar[dict[Hashable, Any] | None] = ContextVar("scr_returns_memo", default=None)


@contextmanager
def validation_scope() -> Iterator[None]:
    """Remember :func:`shared` results until the block ends (or the outermost block does)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def shared(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per validation for ``key`` (which must name the document)."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    result: T = memo[key]
    return result
