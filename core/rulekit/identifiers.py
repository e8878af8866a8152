"""Identifier checks (domain.md section 5): pure, total functions over ``str``.

Each returns ``False`` for anything malformed, including values that are not
strings at all, so a rule can call it on whatever a document holds.
"""

from __future__ import annotations

import re

# NOTE: [0-9] rather than \d: \d also matches other scripts' digits, which
# int() would happily convert and a check digit would then "validate".
_NHS_RE = re.compile(r"[0-9]{10}")
_UPN_RE = re.compile(r"[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]")
_PNC_RE = re.compile(r"(?P<year>[0-9]{2}|[0-9]{4})/(?P<serial>[0-9]{1,7})(?P<check>[A-Z])")
_CRO_RE = re.compile(r"(?P<serial>[0-9]{1,6})/(?P<year>[0-9]{2})(?P<check>[A-Z])")
_URN_RE = re.compile(r"(EY)?[0-9]{6}")
_LAESTAB_RE = re.compile(r"[0-9]{7}")
_LA_RE = re.compile(r"[0-9]{3}|(E06|E07|E08|E09|E10|W06)[0-9]{6}")

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
"""The 23 check letters of a UPN (no I, O or S), indexed by remainder mod 23."""
PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
"""The 23 check letters of a PNC ID or CRO number, indexed by remainder mod 23."""


def _full(pattern: re.Pattern[str], s: object) -> re.Match[str] | None:
    return pattern.fullmatch(s) if isinstance(s, str) else None


def nhs_number_valid(s: object) -> bool:
    """True for 10 digits whose last is the modulus-11 check digit of the first nine.

    Weights 10..2 on digits 1-9; check = 11 - (sum mod 11); 11 means 0 and 10
    means the number can never be issued.
    """
    if not _full(_NHS_RE, s):
        return False
    assert isinstance(s, str)
    total = sum(int(d) * w for d, w in zip(s[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 10:
        return False
    return (0 if check == 11 else check) == int(s[9])


def nhs_number_is_test(s: object) -> bool:
    """True for a number in the test range 999 000 0000 - 999 999 9999 (never issued)."""
    return bool(_full(_NHS_RE, s)) and isinstance(s, str) and s.startswith("999")


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (positions 2-13).

    Each character counts position x value: digits their value, a final letter
    (temporary UPN) its index in :data:`UPN_LETTERS`.
    """
    total = 0
    for position, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else UPN_LETTERS.index(char)
        total += position * value
    return UPN_LETTERS[total % 23]


def upn_valid(s: object) -> bool:
    """True for a 13-character unique pupil number whose first letter checks."""
    if not _full(_UPN_RE, s):
        return False
    assert isinstance(s, str)
    return s[0] == upn_check_letter(s[1:])


def _police_check(year: str, serial: str, width: int) -> str:
    return PNC_LETTERS[int(year[-2:] + serial.zfill(width)) % 23]


def pnc_id_valid(s: object) -> bool:
    """True for ``YY/NNNNNNNC`` (or a 4-digit year) whose letter checks.

    Check letter: int(two-digit year followed by the serial zero-padded to 7
    digits) mod 23, indexed into :data:`PNC_LETTERS`; a 4-digit year counts by
    its last two digits.
    """
    m = _full(_PNC_RE, s)
    return bool(m) and m is not None and \
        m["check"] == _police_check(m["year"], m["serial"], 7)


def cro_number_valid(s: object) -> bool:
    """True for a CRO number ``NNNNNN/YYC``: the PNC scheme with the serial padded to 6."""
    m = _full(_CRO_RE, s)
    return bool(m) and m is not None and \
        m["check"] == _police_check(m["year"], m["serial"], 6)


def school_urn_valid(s: object) -> bool:
    """True for a school URN: 6 digits, or ``EY`` and 6 digits for early years."""
    return bool(_full(_URN_RE, s))


def laestab_valid(s: object) -> bool:
    """True for a LAESTAB: 7 digits (3-digit LA number, 4-digit establishment)."""
    return bool(_full(_LAESTAB_RE, s))


def local_authority_valid(s: object) -> bool:
    """True for a 3-digit DfE LA number or a 9-character GSS code (E06-E10, W06)."""
    return bool(_full(_LA_RE, s))
