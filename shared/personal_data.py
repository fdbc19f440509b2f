"""Personal data in what residents type, found and masked before anything is made public (pure,
standard library only).

Masked: e-mail addresses, ID numbers (CCCD 12 digits, CMND 9 digits), Vietnamese phone numbers
(mobile and landline, with ``+84``, spaces, dots or dashes), house numbers (``số nhà 12``,
``nhà số 45/3``, ``số 12 đường …``, ``12/3A hẻm …``) and a person's name after a form of address
(``ông/bà/anh/chị/cô/chú/bác <Tên>``, not a place named so: ``đường Bà Triệu``), the writer's
own (``tôi tên là <Tên>``, ``Họ và tên: <Tên>``, ``Tôi là <Họ Tên>`` led by a common family name)
or, in a text that names other personal data, a full name led by a common family name; a house
number beside a masked name or address, or after a named street, or before one after "ở/tại/nhà",
is masked too (``nhà ông [họ tên] số 45``, ``ông [họ tên], 45 ấp Chợ``, ``đường Lê Lợi số 45``,
``ở 12 đường Lê Lợi``, ``nhà 45 Trần Hưng Đạo``). Text typed without diacritics is recognised as
well. Years, dates, quarters, counts (``3 con``, ``20 năm``, ``nhà 3 người``), amounts and the
numbers of places (``Quốc lộ 30``, ``đường tỉnh 845``, ``ấp 3``, ``tổ 5``) are left alone.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from shared.text import nfc

__all__ = ["ADDRESS", "EMAIL", "ID_NUMBER", "NAME", "PHONE", "has_personal_data", "mask_personal_data"]

EMAIL: Final = "[email]"
ID_NUMBER: Final = "[số giấy tờ]"
PHONE: Final = "[số điện thoại]"
ADDRESS: Final = "[địa chỉ]"
NAME: Final = "[họ tên]"

_DIGIT = re.compile(r"\d")
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

# A house number beside a masked name or address: "nhà ông [họ tên] số 45", "ông [họ tên], số 45",
# "bà [họ tên] ở nhà 7", "ông [họ tên], 45 ấp Chợ", "số 45 nhà ông [họ tên]", "[địa chỉ], số 47";
# also "số 45" after a named street ("đường Lê Lợi số 45"). A number is taken only when "số" or
# "nhà" leads it, or when a place follows it; a number counting something ("ông [họ tên] có 3
# con", "nhà 3 người", "20 năm nay") and the numbers of places ("ấp 3", "tổ 5", "Quốc lộ 1A"),
# dates and amounts are not house numbers.
_PLACE_AFTER = rf"(?:{_STREET}|ấp|ap|khóm|khom|xóm|xom|khu phố|khu pho|thôn|thon|bản|buôn|buon)\b"
_COUNTED = (  # as typed, in lower case: "số 45 Nam Kỳ Khởi Nghĩa" is a street, not 45 years
    r"(?-i:người|nguoi|con|năm|nam|tuổi|tuoi|lần|lan|ngày|ngay|tháng|thang|giờ|gio|mét|met|m|km|ha|"
    r"triệu|trieu|nghìn|nghin|ngàn|ngan|đồng|dong|hộ|ho|căn|can|cái|cai|tầng|tang|%)\b"
)
_HOUSE = (
    rf"(?:(?:số nhà|so nha|nhà số|nha so|số|so|nhà|nha)\s*:?\s*{_NUMBER}(?![\w/.,]\d)(?!\s*{_COUNTED})"
    rf"|(?<![\w/]){_NUMBER}(?![\w/.,]\d)(?=,?\s+{_PLACE_AFTER}))"
)
_MASKED = rf"(?:{re.escape(NAME)}|{re.escape(ADDRESS)})"
_HOUSE_AFTER_MASK = re.compile(
    rf"(?P<lead>{_MASKED}\s*[,\-–]?\s*(?:(?:ở|o|tại|tai)\s+)?){_HOUSE}",
    re.IGNORECASE,
)
_HOUSE_BEFORE_NAME = re.compile(
    rf"\b(?:số|so)\s+{_NUMBER}(?=\s*,?\s*(?:(?:nhà|nha|của|cua)\s+)?"
    rf"(?:ông|ong|bà|ba|anh|chị|chi|cô|co|chú|chu|bác|bac|em|cụ|cu)\s+{re.escape(NAME)})",
    re.IGNORECASE,
)
# A house number that a place word leads and a named street follows: "ở 12 đường Lê Lợi",
# "tại 7 hẻm Bà Triệu", "nhà 45 Trần Hưng Đạo" (a street named without its kind only after
# "nhà"). The street's first word must be capitalised (checked as typed): "ở 3 đường ống nước",
# "nhà 3 người" and "nhà 2 tầng" count something.
# (The lead's spellings are listed rather than matched ignoring case: several times faster.)
_HOUSE_ON_STREET = re.compile(
    r"(?P<lead>\b(?P<where>ở|o|tại|tai|nhà|nha|Ở|O|Tại|Tai|Nhà|Nha|TẠI|TAI|NHÀ|NHA)\s+)"
    rf"(?i:{_NUMBER})(?![\w/.,]\d)"
    r"(?=\s+(?P<kind>(?i:đường|duong|phố|pho|hẻm|hem|kiệt|kiet|ngõ|ngo|ngách|ngach)\s+)?"
    r"(?P<street>[^\W\d_]))"
)
# Cheap to search: a text without it has no match of `_HOUSE_ON_STREET` (its lead's last letter
# before a number), so most texts skip even that.
_HOUSE_ON_STREET_HINT = re.compile(r"[ởoiàaỞOIÀA]\s+\d")
_HOUSE_AFTER_STREET = re.compile(
    r"(?P<lead>\b(?:đường|duong|phố|pho|hẻm|hem|kiệt|kiet|ngõ|ngo|ngách|ngach)"
    r"(?:\s+[^\W\d_][\w]*){1,4}?\s+)"
    rf"(?:số|so)\s+{_NUMBER}(?![\w/.,]\d)",
    re.IGNORECASE,
)

# The writer naming themself: "tôi tên là Nguyễn Văn Ba", "em tên Hoa", "tên tôi là …", "Họ và
# tên: …" take the capitalised words that follow; "Tôi là Lê Thị Hồng" only a run of two or more
# led by a common family name ("Tôi là Đảng viên", "tôi là Trưởng ấp" are not names).
_SELF = r"(?:tôi|toi|tui|em|mình|minh|cháu|chau)"
_WORDS = r"[^\W\d_]\w*(?:\s+[^\W\d_]\w*){0,3}"
_SELF_NAMED = re.compile(
    rf"(?P<lead>\b(?:{_SELF}\s+(?:tên|ten)(?:\s+(?:là|la))?|(?:tên|ten)\s+{_SELF}\s+(?:là|la)"
    r"|(?:họ\s+và\s+tên|ho\s+va\s+ten|họ\s+tên|ho\s+ten)\s*:)\s*)"
    rf"(?P<words>{_WORDS})",
    re.IGNORECASE,
)
# Cheap gates, as `_HOUSE_ON_STREET_HINT`: "tên" (or "ten") for `_SELF_NAMED`, "là" before a family
# name for `_SELF_INTRODUCED`.
_NAMED_HINTS = ("tên", "ten")
_INTRODUCED_HINT = re.compile(rf"(?:là|la|Là|La|LÀ|LA)\s+(?:{_SURNAMES})\s")
_SELF_INTRODUCED = re.compile(
    rf"(?P<lead>\b{_SELF}\s+(?:là|la)\s+)(?P<words>(?-i:{_SURNAMES})(?:\s+[^\W\d_]\w*){{1,3}})",
    re.IGNORECASE,
)


def _capitalised_run(words: str) -> str:
    """The leading words that begin with a capital letter (a name), as typed."""
    run: list[str] = []
    for word in words.split():
        if not word[0].isupper():
            break
        run.append(word)
    return " ".join(run)


# A place named after a person, its form of address capitalised: "đường Bà Triệu", "cầu Ông
# Lãnh", "chợ Bà Chiểu" ("cho" and "xa" without diacritics are "for" and "far": not places).
_NAMED_PLACE_BEFORE = re.compile(
    r"\b(?:đường|duong|phố|pho|hẻm|hem|cầu|cau|chợ|trường|truong|kênh|kenh|rạch|rach|ấp|ap|xã)\s+$",
    re.IGNORECASE,
)


def _mask_after_honorific(match: re.Match[str]) -> str:
    name = _capitalised_run(match.group(2))
    if not name:
        return match.group(0)
    start = match.start()  # the place word ends right before: its longest is 7 letters
    if match.group(1)[0].isupper() and _NAMED_PLACE_BEFORE.search(match.string, max(0, start - 12), start):
        return match.group(0)
    return f"{match.group(1)} {NAME}{match.group(2)[len(name) :]}"


def _mask_self_named(match: re.Match[str], *, least: int = 1) -> str:
    name = _capitalised_run(match.group("words"))
    if len(name.split()) < least:
        return match.group(0)
    return f"{match.group('lead')}{NAME}{match.group('words')[len(name) :]}"


def _mask_writer(text: str) -> str:
    """The writer's own name, where the text introduces them."""
    lowered = text.lower()
    if any(hint in lowered for hint in _NAMED_HINTS):
        text = _SELF_NAMED.sub(_mask_self_named, text)
    if _INTRODUCED_HINT.search(text):
        text = _SELF_INTRODUCED.sub(lambda m: _mask_self_named(m, least=2), text)
    return text


def _mask_full_name(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        # the capitalised words only: "Nguyễn Văn An số 12" is the name and "số 12"
        name = _capitalised_run(match.group(0))
        if len(name.split()) < 3 or _PLACE_BEFORE.search(text[: match.start()]):
            return match.group(0)
        return NAME + match.group(0)[len(name) :]

    return _FULL_NAME.sub(replace, text)


def _mask_house_numbers(text: str) -> str:
    """House numbers beside what is masked already (a name, an address) or after a named street."""

    def after_street(match: re.Match[str]) -> str:
        names = match.group("lead").split()[1:]
        return f"{match.group('lead')}{ADDRESS}" if all(w[0].isupper() for w in names) else match.group(0)

    def on_street(match: re.Match[str]) -> str:
        named = match.group("kind") is not None or match.group("where").lower() in ("nhà", "nha")
        return (
            f"{match.group('lead')}{ADDRESS}" if named and match.group("street").isupper() else match.group(0)
        )

    masked = _HOUSE_AFTER_STREET.sub(after_street, text)
    if _HOUSE_ON_STREET_HINT.search(masked):
        masked = _HOUSE_ON_STREET.sub(on_street, masked)
    masked = _HOUSE_BEFORE_NAME.sub(ADDRESS, masked)
    if NAME in masked or ADDRESS in masked:
        masked = _HOUSE_AFTER_MASK.sub(lambda m: f"{m.group('lead')}{ADDRESS}", masked)
    return masked


def mask_personal_data(text: str | None) -> str:
    """``text`` with every personal datum replaced by its label (``[số điện thoại]``, …)."""
    if not text:
        return ""
    return _masked(text)


# Pure: the same text always masks the same way, so the texts met again (the earlier items an
# office e-mail quotes for every repeat of an issue) are masked once per process.
@lru_cache(maxsize=4096)
def _masked(text: str) -> str:
    typed = masked = nfc(text)
    if "@" in masked:
        masked = _EMAIL.sub(EMAIL, masked)
    # Every pattern but a name's needs a digit: a text without one skips them.
    digits = _DIGIT.search(masked) is not None
    if digits:
        masked = _ID.sub(ID_NUMBER, masked)
        masked = _PHONE.sub(PHONE, masked)
        masked = _ADDRESS.sub(ADDRESS, masked)
    masked = _HONORIFIC.sub(_mask_after_honorific, _mask_writer(masked))
    if masked != typed:  # a name next to other personal data
        masked = _mask_full_name(masked)
    return _mask_house_numbers(masked) if digits else masked


def has_personal_data(text: str | None) -> bool:
    return bool(text) and mask_personal_data(text) != nfc(text or "")
