"""Personal data in what residents type, found and masked before anything is made public (pure,
standard library only).

Masked: e-mail addresses, ID numbers (CCCD 12 digits, CMND 9 digits), Vietnamese phone numbers
(mobile and landline, with ``+84``, spaces, dots or dashes), house numbers (``số nhà 12``,
``nhà số 45/3``, ``số 12 đường …``, ``12/3A hẻm …``) and a person's name after a form of address
(``ông/bà/anh/chị/cô/chú/bác <Tên>``) or, in a text that names other personal data, a full name
led by a common family name. Text typed without diacritics is recognised as well. Years,
quarters, counts of days and road numbers (``Quốc lộ 30``, ``đường tỉnh 845``) are left alone.
"""

from __future__ import annotations

import re
from typing import Final

from shared.text import nfc

__all__ = ["ADDRESS", "EMAIL", "ID_NUMBER", "NAME", "PHONE", "has_personal_data", "mask_personal_data"]

EMAIL: Final = "[email]"
ID_NUMBER: Final = "[số giấy tờ]"
PHONE: Final = "[số điện thoại]"
ADDRESS: Final = "[địa chỉ]"
NAME: Final = "[họ tên]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An ID number: 12 (CCCD) or 9 (CMND) digits standing alone, or any 9-12 digits after its name.
_ID = re.compile(
    r"(?:\b(?:CCCD|CMND|CMT|căn cước|can cuoc|chứng minh|chung minh)\b[\s:.số]*\d{9,12}\b)"
    r"|(?<![\d+])\b(?:\d{12}|\d{9})\b(?!\d)",
    re.IGNORECASE,
)
# A phone number: 0 or +84/84 then 9 or 10 digits, optionally grouped by spaces, dots or dashes.
_PHONE = re.compile(r"(?<![\w+])(?:\+84|0084|84|0)(?:[ .\-]?\d){9,10}(?![\d])")
_STREET = r"(?:đường|duong|hẻm|hem|kiệt|kiet|ngõ|ngo|ngách|ngach|phố|pho|tổ|to)\b"
_NUMBER = r"\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*"
_ADDRESS = re.compile(
    rf"(?:\b(?:số nhà|so nha|nhà số|nha so)\s*:?\s*{_NUMBER})"
    rf"|(?:\b(?:số|so)\s+{_NUMBER}(?=,?\s+{_STREET}))"
    rf"|(?:(?<![\w/])\d+[A-Za-z]?(?:/\d+[A-Za-z]?)+(?=,?\s+{_STREET}))",
    re.IGNORECASE,
)
_HONORIFIC = re.compile(
    r"\b(ông|ong|bà|ba|anh|chị|chi|cô|co|chú|chu|bác|bac|em|cụ|cu)\s+((?:[^\W\d_][\w]*)(?:\s+[^\W\d_][\w]*){0,3})",
    re.IGNORECASE,
)
_SURNAMES: Final = (
    "Nguyễn|Nguyen|Trần|Tran|Lê|Le|Phạm|Pham|Hoàng|Hoang|Huỳnh|Huynh|Phan|Vũ|Vu|Võ|Vo|Đặng|Dang|"
    "Bùi|Bui|Đỗ|Do|Hồ|Ho|Ngô|Ngo|Dương|Duong|Lý|Ly|Trương|Truong|Đinh|Dinh|Lâm|Lam|Mai|Tạ|Ta|Cao"
)
_PLACE_BEFORE = re.compile(
    r"(?:đường|duong|phố|pho|trường|truong|cầu|cau|chợ|cho|hẻm|hem|ấp|ap|xã|xa|THPT|THCS)\s*$",
    re.IGNORECASE,
)
_FULL_NAME = re.compile(rf"\b(?:{_SURNAMES})(?:\s+[^\W\d_][\w]*){{2,3}}")


def _capitalised_run(words: str) -> str:
    """The leading words that begin with a capital letter (a name), as typed."""
    run: list[str] = []
    for word in words.split():
        if not word[0].isupper():
            break
        run.append(word)
    return " ".join(run)


def _mask_after_honorific(match: re.Match[str]) -> str:
    name = _capitalised_run(match.group(2))
    if not name:
        return match.group(0)
    return f"{match.group(1)} {NAME}{match.group(2)[len(name) :]}"


def _mask_full_name(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        words = match.group(0).split()
        if not all(w[0].isupper() for w in words) or _PLACE_BEFORE.search(text[: match.start()]):
            return match.group(0)
        return NAME

    return _FULL_NAME.sub(replace, text)


def mask_personal_data(text: str | None) -> str:
    """``text`` with every personal datum replaced by its label (``[số điện thoại]``, …)."""
    if not text:
        return ""
    masked = nfc(text)
    masked = _EMAIL.sub(EMAIL, masked)
    masked = _ID.sub(ID_NUMBER, masked)
    masked = _PHONE.sub(PHONE, masked)
    masked = _ADDRESS.sub(ADDRESS, masked)
    masked = _HONORIFIC.sub(_mask_after_honorific, masked)
    if masked != nfc(text):  # a name next to other personal data
        masked = _mask_full_name(masked)
    return masked


def has_personal_data(text: str | None) -> bool:
    return bool(text) and mask_personal_data(text) != nfc(text or "")
