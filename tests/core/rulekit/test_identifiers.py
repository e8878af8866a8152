"""Identifier checks: the domain's worked examples, then properties of each scheme."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scr_returns import (
    cro_number_valid,
    laestab_valid,
    local_authority_valid,
    nhs_number_is_test,
    nhs_number_valid,
    pnc_id_valid,
    school_urn_valid,
    upn_valid,
)

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
CHECKS = (nhs_number_valid, nhs_number_is_test, upn_valid, pnc_id_valid, cro_number_valid,
          school_urn_valid, laestab_valid, local_authority_valid)

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


# -- the worked examples of domain.md section 5 ------------------------------------------
@pytest.mark.parametrize(("check", "value", "expected"), [
    (nhs_number_valid, "9434765919", True),
    (nhs_number_valid, "9434765918", False),
    (upn_valid, "B801200005001", True),
    (upn_valid, "B801200005002", False),
    (pnc_id_valid, "99/1234567B", True),
    (pnc_id_valid, "99/1234567A", False),
    (pnc_id_valid, "1999/1234567B", True),
])
def test_domain_examples(check: object, value: str, expected: bool) -> None:
    assert callable(check)
    assert check(value) is expected


@pytest.mark.parametrize("value", ["943476591", "94347659190", "943 476 5919", "943476591X",
                                   "\u0669434765919", ""])
def test_malformed_nhs_numbers_are_invalid(value: str) -> None:
    assert nhs_number_valid(value) is False


def test_check_value_ten_is_never_valid() -> None:
    # A body whose check would be 10 gives no valid number at all.
    body = next(f"{n:09d}" for n in range(10**6)
                if 11 - sum(int(d) * w for d, w in zip(f"{n:09d}", range(10, 1, -1),
                                                       strict=True)) % 11 == 10)
    assert not any(nhs_number_valid(body + d) for d in "0123456789")


def test_nhs_test_range() -> None:
    assert nhs_number_is_test("9990000018")
    assert nhs_number_is_test("9999999999")
    assert not nhs_number_is_test("9989999999")
    assert not nhs_number_is_test("999000001")


# -- properties ----------------------------------------------------------------------------
def nhs_check(body: str) -> int:
    check = 11 - sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True)) % 11
    return 0 if check == 11 else check


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_nhs_number_with_its_check_digit_passes_and_any_one_digit_change_fails(body: str
                                                                            ) -> None:
    check = nhs_check(body)
    if check == 10:
        assert not any(nhs_number_valid(body + d) for d in "0123456789")
        return
    number = body + str(check)
    assert nhs_number_valid(number)
    for position in range(10):
        for d in "0123456789":
            if d != number[position]:
                changed = number[:position] + d + number[position + 1:]
                assert not nhs_number_valid(changed), changed


def value(c: str) -> int:
    return int(c) if c.isdigit() else UPN_LETTERS.index(c)


def upn_check(body: str) -> str:
    total = sum(position * value(c) for position, c in enumerate(body, start=2))
    return UPN_LETTERS[total % 23]


@given(st.text(alphabet="0123456789", min_size=11, max_size=11),
       st.sampled_from("0123456789" + UPN_LETTERS))
def test_upn_with_its_check_letter_passes_and_any_one_change_fails(digits11: str,
                                                                   last: str) -> None:
    body = digits11 + last
    upn = upn_check(body) + body
    assert upn_valid(upn)
    for letter in UPN_LETTERS:
        if letter != upn[0]:
            assert not upn_valid(letter + body)
    for position in range(1, 12):
        for c in "0123456789":
            if c != upn[position]:
                assert not upn_valid(upn[:position] + c + upn[position + 1:])
    # The last character is a digit or a letter standing for its index (A=0, B=1...):
    # a change fails exactly when it changes that value.
    for c in "0123456789" + UPN_LETTERS:
        if value(c) != value(last):
            assert not upn_valid(upn[:12] + c)
        else:
            assert upn_valid(upn[:12] + c)


@given(st.text(alphabet="0123456789", min_size=2, max_size=2),
       st.text(alphabet="0123456789", min_size=1, max_size=7))
def test_pnc_id_with_its_check_letter_passes_and_any_one_digit_change_fails(
        year: str, serial: str) -> None:
    letter = PNC_LETTERS[int(year + serial.zfill(7)) % 23]
    pnc = f"{year}/{serial}{letter}"
    assert pnc_id_valid(pnc)
    assert pnc_id_valid(f"20{year}/{serial}{letter}")
    assert not any(pnc_id_valid(f"{year}/{serial}{c}") for c in PNC_LETTERS if c != letter)
    for position, char in enumerate(pnc[:-1]):
        if char.isdigit():
            for d in "0123456789":
                if d != char:
                    assert not pnc_id_valid(pnc[:position] + d + pnc[position + 1:])


@given(st.text(alphabet="0123456789", min_size=1, max_size=6),
       st.text(alphabet="0123456789", min_size=2, max_size=2))
def test_cro_number_uses_the_pnc_scheme_with_six_digit_serials(serial: str, year: str) -> None:
    letter = PNC_LETTERS[int(year + serial.zfill(6)) % 23]
    assert cro_number_valid(f"{serial}/{year}{letter}")
    assert not any(cro_number_valid(f"{serial}/{year}{c}") for c in PNC_LETTERS if c != letter)


@given(st.one_of(st.text(), st.integers(), st.none(), st.lists(st.text()), st.binary()))
def test_checks_are_total(value: object) -> None:
    for check in CHECKS:
        assert check(value) in (True, False)


@pytest.mark.parametrize(("check", "good", "bad"), [
    (school_urn_valid, ["123456", "EY123456"], ["12345", "1234567", "EY12345", "ey123456"]),
    (laestab_valid, ["9212345"], ["921234", "92123456", "921234A"]),
    (local_authority_valid, ["921", "E06000046", "W06000001", "E10000014"],
     ["92", "E05000046", "E0600004", "S12000033"]),
])
def test_format_only_identifiers(check: object, good: list[str], bad: list[str]) -> None:
    assert callable(check)
    assert all(check(v) for v in good)
    assert not any(check(v) for v in bad)
