"""Education identifiers: which problem, if any, a UPN, URN or LAESTAB has.

The shape and check-letter algorithms are core's (domain.md section 5); what is
education's own is the table of local authority numbers and the order in which
a value's faults are reported, so each field gets one problem: the first that
applies.
"""

from __future__ import annotations

import re

from scr_returns import laestab_valid, school_urn_valid, upn_valid

# The DfE numbers local authorities in England and Wales, the bands they are
# issued from. A UPN keeps the number of the authority that issued it for the
# pupil's whole school life, so numbers of authorities since abolished (Cumbria
# 909, Northamptonshire 928, Poole 836...) must still pass: whole bands are
# accepted rather than today's list, and what is refused is a number no
# authority has ever had (000, 123, 555, 999), which is how a mistyped or
# invented UPN usually shows.
LA_NUMBER_BANDS: tuple[tuple[int, int, str], ...] = (
    (201, 213, "inner London"),
    (301, 320, "outer London"),
    (330, 394, "metropolitan districts"),
    (420, 420, "Isles of Scilly"),
    (660, 681, "Wales"),
    (800, 899, "unitary authorities"),
    (908, 943, "shire counties and their successor unitary authorities"),
)

# The shape core's upn_valid checks, kept here to tell a value that is not a
# UPN at all (format) from one whose check letter is wrong.
_UPN_SHAPE = re.compile(r"[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]")


def la_number_known(digits: str) -> bool:
    """True for a 3-digit number inside a band DfE issues to local authorities."""
    if len(digits) != 3 or not digits.isascii() or not digits.isdigit():
        return False
    number = int(digits)
    return any(low <= number <= high for low, high, _ in LA_NUMBER_BANDS)


def upn_fault(value: str) -> tuple[str, str] | None:
    """``(code, message)`` for the first fault of a UPN, or ``None`` when it is sound."""
    if not _UPN_SHAPE.fullmatch(value):
        return ("education.upn.format",
                f"{value!r} is not a unique pupil number: a UPN is 13 characters, a check "
                "letter, 11 digits and a final digit or letter (e.g. B801200005001), "
                "with no spaces.")
    if not upn_valid(value):
        return ("education.upn.check_letter",
                f"The check letter of UPN {value} does not match the rest of the number: "
                "one of its characters has probably been mistyped. Copy it again from the "
                "school's management information system.")
    if not la_number_known(value[1:4]):
        return ("education.upn.la_number",
                f"Characters 2-4 of UPN {value} ({value[1:4]}) should be the DfE number of "
                "the local authority that issued it, and no authority has that number.")
    return None


def urn_fault(value: str) -> tuple[str, str] | None:
    """``(code, message)`` when a school URN is malformed, else ``None``."""
    if school_urn_valid(value):
        return None
    return ("education.urn.format",
            f"{value!r} is not a school URN: a unique reference number is 6 digits "
            "(e.g. 118223), or EY and 6 digits for an early years provider.")


def laestab_fault(value: str) -> tuple[str, str] | None:
    """``(code, message)`` for the first fault of a LAESTAB, or ``None`` when it is sound."""
    if not laestab_valid(value):
        return ("education.laestab.format",
                f"{value!r} is not a LAESTAB: it is 7 digits, the 3-digit local authority "
                "number then the 4-digit establishment number (e.g. 9212345), with no "
                "slash or spaces.")
    if not la_number_known(value[:3]):
        return ("education.laestab.la_number",
                f"The first three digits of LAESTAB {value} ({value[:3]}) should be the "
                "DfE number of the school's local authority, and no authority has that "
                "number.")
    return None
