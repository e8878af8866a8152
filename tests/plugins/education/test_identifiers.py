"""Education identifiers: one fault per value, in the order format, check, LA number."""

from __future__ import annotations

import pytest

from scr_returns.plugins.education.identifiers import (
    LA_NUMBER_BANDS,
    la_number_known,
    laestab_fault,
    upn_fault,
    urn_fault,
)


def _code(fault: tuple[str, str] | None) -> str | None:
    return fault[0] if fault else None


@pytest.mark.parametrize("digits", ["201", "213", "301", "320", "330", "394", "420", "660",
                                    "681", "800", "801", "896", "908", "909", "921", "928",
                                    "943"])
def test_la_numbers_of_real_authorities_are_known(digits: str) -> None:
    # 909 (Cumbria) and 928 (Northamptonshire) are abolished but stay in old UPNs.
    assert la_number_known(digits)


@pytest.mark.parametrize("digits", ["000", "001", "123", "200", "214", "300", "321", "329",
                                    "395", "419", "421", "555", "659", "682", "799", "900",
                                    "907", "944", "999", "92", "9210", "", "a21",
                                    "\uff19\uff12\uff11"])  # fullwidth 921
def test_numbers_no_authority_has_are_not(digits: str) -> None:
    assert not la_number_known(digits)


def test_bands_are_ordered_and_disjoint() -> None:
    previous = 0
    for low, high, _ in LA_NUMBER_BANDS:
        assert previous < low <= high <= 999
        previous = high


def test_domain_example_upn_is_sound() -> None:
    assert upn_fault("B801200005001") is None


def test_changed_last_digit_breaks_the_check_letter() -> None:
    assert _code(upn_fault("B801200005002")) == "education.upn.check_letter"


def test_temporary_upn_with_a_final_letter_is_sound() -> None:
    assert upn_fault("L92120001234A") is None
    assert _code(upn_fault("M92120001234A")) == "education.upn.check_letter"


@pytest.mark.parametrize("value", ["", "B80120000500", "B8012000050011", "b801200005001",
                                   "B801 200005001", " B801200005001", "I801200005001",
                                   "S801200005001", "B80120000500S", "1801200005001",
                                   "B\uff1801200005001"])
def test_malformed_upns_are_format_faults(value: str) -> None:
    assert _code(upn_fault(value)) == "education.upn.format"


def test_upn_of_no_authority_is_an_la_number_fault() -> None:
    # E is the right check letter for 000200005001: only the LA number is wrong.
    fault = upn_fault("E000200005001")
    assert _code(fault) == "education.upn.la_number"
    assert fault is not None and "000" in fault[1]


def test_check_letter_is_reported_before_la_number() -> None:
    # Both wrong: the mistyping is the likelier cause, so it is what is reported.
    assert _code(upn_fault("A000200005001")) == "education.upn.check_letter"


@pytest.mark.parametrize("value", ["118223", "100000", "EY123456"])
def test_sound_urns(value: str) -> None:
    assert urn_fault(value) is None


@pytest.mark.parametrize("value", ["11822", "1182234", "EY12345", "ey123456", "118 223",
                                   "URN118223", ""])
def test_malformed_urns(value: str) -> None:
    assert _code(urn_fault(value)) == "education.urn.format"


def test_sound_laestab() -> None:
    assert laestab_fault("9212345") is None


@pytest.mark.parametrize("value", ["921/2345", "921-2345", "921234", "92123456", ""])
def test_malformed_laestab(value: str) -> None:
    assert _code(laestab_fault(value)) == "education.laestab.format"


@pytest.mark.parametrize("value", ["0002345", "9992345", "5552345"])
def test_laestab_of_no_authority(value: str) -> None:
    assert _code(laestab_fault(value)) == "education.laestab.la_number"
