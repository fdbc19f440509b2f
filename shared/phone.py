"""The one rule for a Vietnamese phone number, for every form and API that takes one (the
residents' form and registration, the JSON API, Open311, the bulk import, a plan's delegates).

A phone number is written as people write it: separators inside (``0912 345 678``,
``0912.345.678``, ``0912-345-678``, ``(0277) 3851 234``) and an optional country code
(``+84 912 345 678``, ``0084 912 345 678``). Without the country code it holds 9 to 11 digits
(mobile ``09xx xxx xxx`` is 10, a landline ``02xx xxxx xxx`` 11). The number is stored as
written (trimmed); `national` gives the form to compare two numbers by. Pure, standard
library only."""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "PHONE_DIGITS_MAX",
    "PHONE_DIGITS_MIN",
    "PHONE_EN",
    "PHONE_EXAMPLE",
    "PHONE_MAX_CHARS",
    "PHONE_VI",
    "is_phone",
    "national",
    "phone_digits",
]

PHONE_DIGITS_MIN: Final = 9
PHONE_DIGITS_MAX: Final = 11
# The longest a phone field may be as typed (separators and "+84" included): forms' maxlength
# and the request models' max_length.
PHONE_MAX_CHARS: Final = 30
PHONE_EXAMPLE: Final = "0912 345 678"
PHONE_VI: Final = (
    f"Số điện thoại không hợp lệ: cần {PHONE_DIGITS_MIN}–{PHONE_DIGITS_MAX} chữ số, có thể bắt đầu bằng "
    f"+84, được ghi dấu cách hoặc dấu chấm (ví dụ {PHONE_EXAMPLE} hoặc +84 912.345.678)."
)
PHONE_EN: Final = (
    f"Invalid phone number: {PHONE_DIGITS_MIN}-{PHONE_DIGITS_MAX} digits, optionally starting with +84, "
    f"spaces or dots allowed (e.g. {PHONE_EXAMPLE} or +84 912.345.678)."
)

# Separators people write inside a number.
_SEPARATORS: Final = re.compile(r"[ .()\-]")
_COUNTRY_CODES: Final = ("+84", "0084")


def phone_digits(text: str) -> str | None:
    """The digits of a Vietnamese phone number after its country code, or None if `text` is
    not one phone number (letters, a second number, non-ASCII digits)."""
    if not text.isascii():
        return None
    compact = _SEPARATORS.sub("", text.strip())
    for code in _COUNTRY_CODES:
        if compact.startswith(code):
            compact = compact[len(code) :]
            break
    if not compact.isdigit() or not PHONE_DIGITS_MIN <= len(compact) <= PHONE_DIGITS_MAX:
        return None
    return compact


def is_phone(text: str) -> bool:
    return phone_digits(text) is not None


def national(text: str) -> str | None:
    """The number in national form, to compare two numbers by: ``+84 912.345.678``,
    ``0912 345 678`` and ``84912345678`` are all ``0912345678``. None if `text` is not one."""
    digits = phone_digits(text)
    if digits is None:
        return None
    if digits.startswith("84") and len(digits) == PHONE_DIGITS_MAX:  # 84 912 345 678 without the "+"
        digits = digits[2:]
    return digits if digits.startswith("0") else "0" + digits
