"""Honest values: "not known" codes and "no action", as the rule kit reads them."""

from __future__ import annotations

import pytest

from scr_returns import NOT_KNOWN, is_not_known, known, no_action


@pytest.mark.parametrize("value", sorted(NOT_KNOWN))
def test_both_spellings_of_not_known_and_not_recorded_are_not_known(value: str) -> None:
    assert is_not_known(value)
    assert known(value) is None


@pytest.mark.parametrize("value", ["known", "Not known", "", None, True, 0, ["not_known"],
                                   "2024-01-01"])
def test_anything_else_is_a_value(value: object) -> None:
    assert not is_not_known(value)
    assert known(value) is value


@pytest.mark.parametrize("value", ["none", "None.", "  NONE ", "not recorded", "Not recorded.",
                                   "not_recorded", "not-recorded"])
def test_no_action_is_read_without_regard_to_case_or_a_full_stop(value: str) -> None:
    assert no_action(value)


@pytest.mark.parametrize("value", ["None needed: the explanation fitted.", "Referral made.",
                                   "", None, 3])
def test_a_recorded_action_is_not_no_action(value: object) -> None:
    assert not no_action(value)
