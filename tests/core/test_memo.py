"""The per-validation memo: computed once inside a scope, afresh outside, nested scopes share."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from core.memo import shared, validation_scope


def _counting() -> Callable[[], int]:
    """A computation that answers 1, 2, 3, ...: each answer says how often it ran."""
    return itertools.count(1).__next__


def test_outside_a_scope_nothing_is_remembered() -> None:
    compute = _counting()
    assert shared("k", compute) == 1
    assert shared("k", compute) == 2


def test_inside_a_scope_a_key_is_computed_once_and_forgotten_after() -> None:
    compute = _counting()
    with validation_scope():
        assert shared("k", compute) == 1
        assert shared("k", compute) == 1
        assert shared("other", compute) == 2
    with validation_scope():
        assert shared("k", compute) == 3


def test_a_nested_scope_shares_the_outer_memo_until_the_outer_one_ends() -> None:
    compute = _counting()
    with validation_scope():
        with validation_scope():
            assert shared("k", compute) == 1
        assert shared("k", compute) == 1  # the inner scope's end forgot nothing
    assert shared("k", compute) == 2
