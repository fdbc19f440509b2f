"""Personal data in what residents type, found and masked before anything is made public (pure,
standard library only).

Masked, each replaced by its label:

- e-mail addresses, also written around filters (``an.nguyen(at)example.com``, ``an.nguyen @
  example . com``, ``an[at]gmail[dot]com``, ``an a còng gmail chấm com``);
- links to a person's page on a social network (``facebook.com/nguyenvanan``,
  ``zalo.me/0912345678``: ``[trang cá nhân]``; the site alone is left);
- ID numbers (CCCD 12 digits, CMND 9 digits, standing alone, or 9-12 digits grouped by spaces, dots
  or dashes after their name, which is kept: ``CCCD: [số giấy tờ]``), passports (``C1234567``),
  health-insurance cards (``GD4797912345678``), bank accounts (after ``STK``, ``tài khoản``: ``[số
  tài khoản]``), tax codes after their name (``mã số thuế 0312345678``: ``[mã số thuế]``) and any
  other run of 9 or more digits that is not an amount;
- Vietnamese phone numbers (mobile and landline, with ``+84``, spaces, dots or dashes), also
  spelled digit by digit (``không chín một hai ba bốn năm sáu bảy tám``: a run of 9 or more digit
  words, so that ``hai ba hộ`` or ``năm 2017`` stay; a CCCD so spelled reads ``[số giấy tờ]``);
- vehicle plates (``66B1-123.45``, ``51F-123.45``, ``59-X1 234.56``; ``BKS 51F12345`` after a
  label: ``[biển số xe]``);
- house numbers (``số nhà 12``, ``nhà số 45/3``, ``số 12 đường …``, ``12/3A hẻm …``, ``ở 123 Nguyễn
  Trãi``) with the alley beside them (``nhà số 45/3 hẻm 12 đường Nguyễn Huệ`` shows ``[địa chỉ]
  đường Nguyễn Huệ``); after its label, a residence up to the end of its clause or to the hamlet,
  which is kept (``địa chỉ: 12/5 Lê Lợi, tổ 5, ấp Chợ`` and ``địa chỉ: tổ 5, ấp Chợ`` show ``địa
  chỉ: [địa chỉ], ấp Chợ``); a house number beside a masked name or address, or after a named
  street, or before one after "ở/tại/nhà" (``nhà ông [họ tên] số 45``, ``ông [họ tên], 45 ấp Chợ``,
  ``đường Lê Lợi số 45``, ``ở 12 đường Lê Lợi``, ``nhà 45 Trần Hưng Đạo``);
- a person's name after a form of address (``ông/bà/anh/chị/cô/chú/bác <Tên>``, not a place named
  so: ``đường Bà Triệu``), the writer's own (``tôi tên là <Tên>``, ``Họ và tên: <Tên>``, ``Người
  viết: <Tên>``, ``ký tên <Họ Tên>``, ``Tôi là <Họ Tên>`` unless a role: ``Tôi là Đảng viên``;
  ``Tôi là Út Mười``; in lower case or capitals when a family and a middle name begin it: ``tôi là
  trần thị bích``), a full name whose middle name is Văn or Thị as typed or in capitals (``NGUYỄN
  VĂN THÀNH``; not after a place: ``đường Nguyễn Văn Cừ``, ``Trường THCS Nguyễn Văn Trỗi``) or, in
  a text that names other personal data, a full name led by a common family name.

Text typed without diacritics is recognised as well. Years, dates, quarters, counts (``3 con``,
``20 năm``, ``nhà 3 người``, ``ở 2 đường Lê Lợi và Trần Phú``), amounts, a road with no house number
(``đường Lê Lợi bị ngập``), an alley alone (``hẻm 12 bị ngập``), offices, hamlets and the numbers
of places (``Quốc lộ 1A``, ``đường tỉnh 741``, ``ấp 3``, ``tổ 5`` with no label before it) are left
alone. Masking masked text changes nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Final, Iterable

from shared.personal_names import BIRTH_ORDER, MIDDLE_NAMES, NOT_A_NAME, NOT_A_STREET, NOT_IN_A_NAME, SURNAMES
from shared.text import nfc

__all__ = [
    "ACCOUNT",
    "ADDRESS",
    "EMAIL",
    "ID_NUMBER",
    "NAME",
    "PHONE",
    "PLACEHOLDERS",
    "PLATE",
    "PROFILE",
    "TAX_CODE",
    "has_personal_data",
    "mask_personal_data",
]

EMAIL: Final = "[email]"
ID_NUMBER: Final = "[số giấy tờ]"
PHONE: Final = "[số điện thoại]"
ADDRESS: Final = "[địa chỉ]"
NAME: Final = "[họ tên]"
ACCOUNT: Final = "[số tài khoản]"
PROFILE: Final = "[trang cá nhân]"
PLATE: Final = "[biển số xe]"
TAX_CODE: Final = "[mã số thuế]"
# Every mark the masker leaves in place of personal data.
PLACEHOLDERS: Final = (EMAIL, ID_NUMBER, PHONE, ADDRESS, NAME, ACCOUNT, PROFILE, PLATE, TAX_CODE)

_DIGIT = re.compile(r"\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An address written around filters: "an.nguyen(at)example.com", "an.nguyen @ example . com",
# "an.nguyen[at]gmail[dot]com", "an a còng gmail chấm com". Its domain must end in a known top-level
# domain: what is spelled out ("at", "chấm") is then an address, not a sentence.
_TLDS: Final = ("com", "net", "org", "vn", "edu", "gov", "info", "biz", "io", "me")
# "@" and "." as typed to slip past filters: spaced, bracketed or spelled out.
_SPELLED_AT = r"(?:\s*@\s*|\s*[(\[{<]\s*(?:at|@|a còng|a cong)\s*[)\]}>]\s*|\s+(?:at|a còng|a cong)\s+)"
_SPELLED_DOT = r"(?:\s*\.\s*|\s*[(\[{<]\s*(?:dot|chấm|cham|\.)\s*[)\]}>]\s*|\s+(?:dot|chấm|cham)\s+)"
_EMAIL_SPELLED = re.compile(
    r"(?<![\w.+-])[\w+-]+(?:(?:\.|[(\[{<]dot[)\]}>])[\w+-]+)*"
    rf"{_SPELLED_AT}[\w-]+(?:{_SPELLED_DOT}[\w-]+)*{_SPELLED_DOT}(?:{'|'.join(_TLDS)})(?!\w)",
    re.IGNORECASE,
)
# A link to a person's page on a social network ("facebook.com/nguyenvanan", "zalo.me/0912345678",
# "tiktok.com/@an"); the site alone ("đăng trên facebook.com") names no one.
_PROFILE_HOSTS: Final = (
    "facebook.com",
    "fb.com",
    "fb.me",
    "fb.watch",
    "m.me",
    "messenger.com",
    "zalo.me",
    "tiktok.com",
    "instagram.com",
    "twitter.com",
    "x.com",
    "threads.net",
    "linkedin.com",
    "youtube.com/@",
)
_PROFILE_LINK = re.compile(
    r"(?<![\w.\-/@])(?:https?://)?(?:(?:www|m|web|mbasic|mobile|vi-vn|chat)\.)?"
    rf"(?:{'|'.join(map(re.escape, _PROFILE_HOSTS))})(?:/|(?<=@))[\w@~%.\-/?=&#+]*[\w/=]",
    re.IGNORECASE,
)
# A number spelled digit by digit ("không chín một hai ba bốn năm sáu bảy tám", "khong chin mot …"):
# a run of 9 or more digit words, which ordinary text never has ("hai ba hộ", "ba bốn năm nay",
# counts go through "mươi", "trăm"). Only the part that reads as a phone (or a CCCD) is masked.
_DIGIT_WORDS: Final = {
    "không": "0",
    "khong": "0",
    "một": "1",
    "mot": "1",
    "hai": "2",
    "ba": "3",
    "bốn": "4",
    "bon": "4",
    "tư": "4",
    "năm": "5",
    "nam": "5",
    "sáu": "6",
    "sau": "6",
    "bảy": "7",
    "bẩy": "7",
    "bay": "7",
    "tám": "8",
    "tam": "8",
    "chín": "9",
    "chin": "9",
}


def _by_first_letter(words: Iterable[str]) -> str:
    """An alternation of ``words`` at a word's start, grouped by their first letter after a look-ahead
    for those letters: the engine skips at once the letters no word begins with, then tries one group."""
    groups: dict[str, list[str]] = {}
    for word in sorted(words, key=len, reverse=True):
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    alternation = "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())
    return f"(?=[{''.join(groups)}])(?<!\\w)(?:{alternation})"


_DIGIT_WORD = _by_first_letter(_DIGIT_WORDS)
_SPELLED_NUMBER = re.compile(rf"{_DIGIT_WORD}(?:[\s,.\-]+{_DIGIT_WORD}){{8,}}(?!\w)", re.IGNORECASE)
_WORD = re.compile(r"\w+")
# Read on the digits of a spelled run: a phone from its start (0 or 84, then a mobile or a landline
# number), else the whole run as a mobile number without its 0, or a CCCD.
_SPELLED_PHONE = re.compile(r"(?:0|84)(?:2\d{9}|[35789]\d{8})")
_SPELLED_PHONE_WHOLE = re.compile(r"[35789]\d{8}")
_SPELLED_ID = re.compile(r"0\d{11}")
# A vehicle plate: the province's two digits, a series of one or two letters (and a digit on a
# motorbike's), then four or five digits: "66B1-123.45", "51F-123.45", "59-X1 234.56", "29C-12345".
# Unlabelled, it must be typed as plates are, in capitals and with a dash or the five digits
# written 123.45, and not end in a year ("lớp 12A 2023", "khóa 12A-2023" are no plates); after
# "biển số", "BKS" or a vehicle any such shape is one ("BKS 51F12345", "xe 51F 12345", "bien so
# 66b1-123.45").
_PLATE_NAMES: Final = (
    "biển số",
    "bien so",
    "bks",
    "bsx",
    "biển kiểm soát",
    "bien kiem soat",
    "xe ",
    "ô tô",
    "oto",
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_PLATE = re.compile(
    r"(?<![\w.\-/])\d{2}(?P<dash>\s?-\s?)?(?P<series>[A-Za-z]{1,2}\d?)(?P<mark>\s?[-.]\s?|\s)?"
    r"(?P<number>\d{3}\.\d{2}|\d{4,5})(?![\w]|[.,]\d)"
)
# An amount of money after a number is not an ID or an account: "tài khoản nhận 2 000 000 đồng".
_NOT_MONEY = r"(?!\s*(?i:đồng|dong|đ|vnđ|vnd|triệu|trieu|tr|nghìn|nghin|ngàn|ngan|tỷ|ty)\b)"
# What may stand between a document's name and its number: "CCCD: …", "căn cước công dân số …",
# "số CMND của tôi là …".
_FILLER = (
    r"[\s:.,#\-]*(?:(?:công dân|cong dan|nhân dân|nhan dan|cá nhân|ca nhan|gắn chip|gan chip|thư|thu|"
    r"số|so|của tôi|cua toi|là|la|mã|ma)\b[\s:.,#\-]*){0,4}"
)
# An ID number: 9-12 digits, grouped by spaces, dots or dashes or not, after its name (kept): "CCCD:
# 0791 2345 6789", "căn cước 079-123-456-789"; or 12 (CCCD) or 9 (CMND) digits standing alone.
# (The patterns alone begin with a digit or a letter, and their names are looked for as substrings
# first: several times faster than a pattern led by a look-behind or by a list of names.)
_ID_NAMES = (
    "cccd",
    "cmnd",
    "cmt",
    "căn cước",
    "can cuoc",
    "chứng minh",
    "chung minh",
    "định danh",
    "dinh danh",
)
_ID_NAMED = re.compile(
    r"(?P<lead>\b(?:CCCD|CMND|CMT|CCCD/CMND|căn cước|can cuoc|chứng minh|chung minh|định danh|dinh danh)"
    rf"\b{_FILLER})\d(?:[ .\-]?\d){{8,11}}(?!\d){_NOT_MONEY}",
    re.IGNORECASE,
)
_ID = re.compile(rf"\d(?<![\w+]\d)\d{{8}}(?:\d{{3}})?(?!\w){_NOT_MONEY}")
# A tax code after its name, read as one rather than as the phone its 10 digits look like: "mã số
# thuế 0312345678", "MST: 0312345678-001" (a branch's 3 digits after the dash).
_TAX_NAMES: Final = ("mã số thuế", "ma so thue", "mst")
_TAX_CODE = re.compile(
    r"(?P<lead>\b(?:mã số thuế|ma so thue|MST)\b[^\d\n]{0,40}?)\d(?:[ .]?\d){9}(?:\s?-\s?\d{3})?(?!\d)",
    re.IGNORECASE,
)
# A passport: a capital letter and 7 digits ("C1234567"), or any letter and 7-8 digits after its name.
_PASSPORT_NAMES = ("hộ chiếu", "ho chieu", "passport")
_PASSPORT_NAMED = re.compile(
    r"(?P<lead>\b(?:hộ chiếu|ho chieu|passport)\b[\s:.,#\-]*(?:(?:số|so)\b[\s:.,#\-]*)?)[A-Za-z]\d{7,8}\b",
    re.IGNORECASE,
)
_PASSPORT = re.compile(r"[A-Z](?<![\w/.\-][A-Z])\d{7}(?![\w]|[/.\-]\d)")
# A health-insurance card: 2 letters and 13 digits ("GD4797912345678", printed "GD 4 79 7912345678").
_CARD = re.compile(r"[A-Za-z](?<![\w/.\-][A-Za-z])[A-Za-z]\s?\d(?:[ .]?\d){12}(?!\w)")
# Cheap gates: every ID, card, account and long number has 9 digits, grouped or not; a passport 7.
_NINE_DIGITS = re.compile(r"\d(?:[ .\-]?\d){8}")
_SEVEN_DIGITS = re.compile(r"\d{7}")
# A bank account after its name; then any other run of 9 or more digits that is not a phone number
# (an account, a social-insurance code) nor an amount of money.
_ACCOUNT_NAMES = ("tài khoản", "tai khoan", "tk")
_ACCOUNT = re.compile(
    r"(?P<lead>\b(?:số tài khoản|so tai khoan|tài khoản|tai khoan|STK|TK ngân hàng|TK)\b"
    rf"[^\d\n]{{0,40}}?)\d(?:[ \-]?\d){{8,18}}(?!\d){_NOT_MONEY}",
    re.IGNORECASE,
)
_LONG_NUMBER = re.compile(rf"\d(?<![\w+.,/\-]\d)\d{{8,}}(?![\w]|[.,/\-]\d){_NOT_MONEY}")
# A phone number: 0 or +84/84 then 9 or 10 digits, optionally grouped by spaces, dots or dashes.
# Digits grouped by spaces, dots, dashes or brackets: "0912.345.678", "(+84) 912-345-678",
# "(0277) 3851 234".
_PHONE = re.compile(r"(?<![\w+])\(?(?:\+84|0084|84|0)(?:[ .\-)]{0,2}\d){9,10}(?![\d])")
_STREET = r"(?:đường|duong|hẻm|hem|kiệt|kiet|ngõ|ngo|ngách|ngach|phố|pho|tổ|to)\b"
_NUMBER = r"\d+[A-Za-z]?(?:/\d+[A-Za-z]?)*"
_ADDRESS = re.compile(
    rf"(?:\b(?:số nhà|so nha|nhà số|nha so)\s*:?\s*{_NUMBER})"
    rf"|(?:\b(?:số|so)\s+{_NUMBER}(?=,?\s+{_STREET}))"
    # a house number with its alley (12/5) before a street word, never a month or a day with
    # its year ("từ tháng 4/2017 tổ thu gom…", "ngày 15/3/2017 tổ …")
    rf"|(?:(?<![\w/])(?!\d{{1,2}}/(?:\d{{1,2}}/)?(?:19|20)\d\d\b)\d+[A-Za-z]?(?:/\d+[A-Za-z]?)+(?=,?\s+{_STREET}))",
    re.IGNORECASE,
)
_HONORIFIC = re.compile(
    r"\b(ông|ong|bà|ba|anh|chị|chi|cô|co|chú|chu|bác|bac|em|cụ|cu)\s+"
    r"(?P<words>(?:[^\W\d_][\w]*)(?:[ \t\u00a0]+[^\W\d_][\w]*){0,3})",
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
_FULL_NAME = re.compile(rf"\b(?:{_SURNAMES})(?:[ \t\u00a0]+[^\W\d_][\w]*){{2,3}}")

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
    r"(?P<street>[^\W\d_]\w*)(?:\s+(?P<street2>[^\W\d_]))?)"
)
# "ở 2 đường Lê Lợi và Trần Phú" counts roads: a street named, then "và" and another named.
_ROAD_KIND = re.compile(r"\s+(?:đường|duong|phố|pho|tuyến đường|tuyen duong)\s+", re.IGNORECASE)
_AND_ANOTHER_STREET = re.compile(
    r"[^\W\d_]\w*(?:\s+[^\W\d_]\w*){0,4}?\s+(?:và|va)\s+(?:(?:đường|duong)\s+)?([^\W\d_])"
)
# A residence after its label, masked up to the end of the clause or to the hamlet, which is kept:
# "địa chỉ: 12/5 Lê Lợi, tổ 5, ấp Chợ" and "địa chỉ: tổ 5, ấp Chợ" show "địa chỉ: [địa chỉ], ấp Chợ".
# A residence begins with a house number, a "tổ" (a group of households; the "tổ dân phố" of a
# ward is the hamlet's level), an alley, or after a colon a street named with a capital ("Địa chỉ:
# đường Lê Lợi, ấp Chợ"); what else follows a label stays ("Địa chỉ: ấp Chợ", "địa chỉ: xã Phú
# An", "địa chỉ tổ chức", "địa chỉ đường dây nóng"). A dot ends the clause where a space follows it.
_HAMLET_OR_ABOVE = (
    r"(?:ấp|ap|thôn|thon|khóm|khom|xóm|xom|khu phố|khu pho|khu|tổ dân phố|to dan pho|bản|buôn|buon|"
    r"làng|xã|phường|phuong|quận|huyện|huyen|tỉnh|tinh|thị trấn|thi tran|thành phố|thanh pho|TP)\b"
)
# A capital letter, Vietnamese ones included, to match as typed inside a pattern that ignores case.
_CAPITAL = "".join(c for c in map(chr, range(0x41, 0x1EFA)) if c.isupper())
_TO_OR_ALLEY = (
    r"(?:tổ|to)(?!\s+(?:dân phố|dan pho)\b)(?:\s+(?:số|so))?\s+\d"
    r"|(?:hẻm|hem|ngõ|ngo|ngách|ngach|kiệt|kiet)\s+(?:(?:số|so)\s+)?\d"
)
_NAMED_STREET = rf"(?:đường|duong|phố|pho)\s+(?-i:[{_CAPITAL}])"
# A word (as typed, in lower case) that takes the sentence past the residence: "địa chỉ: tổ 5 xin
# phản ánh …" keeps what it asks.
_CLAUSE_GOES_ON = (
    r"(?-i:xin|đề nghị|de nghi|kiến nghị|kien nghi|phản ánh|phan anh|bị|bi|có|co|đang|dang|mong|muốn|"
    r"muon|nhưng|nhung|thì|thi|là|la|nên|vì|để)\b"
)
_CLAUSE_PART = r"(?:[^,;.\n]|\.(?=\S))*?"
_LABELLED_ADDRESS = re.compile(
    r"(?P<lead>\b(?:địa chỉ|dia chi)(?:\s+(?:nhà|nha|thường trú|thuong tru|tạm trú|tam tru|liên hệ|lien he|"
    r"cư trú|cu tru|hiện nay|hien nay|hiện tại|hien tai))?\s*(?P<colon>:)?\s*)"
    rf"(?:(?:(?:số nhà|so nha|nhà số|nha so|số|so)\s*:?\s*)?{_NUMBER}(?![\w/.,]\d)(?!\s*{_COUNTED})"
    rf"|{_TO_OR_ALLEY}|(?(colon){_NAMED_STREET}|(?!)))"  # a named street only after a colon
    rf"{_CLAUSE_PART}(?:\s*,\s*(?:{_TO_OR_ALLEY}|{_NAMED_STREET}){_CLAUSE_PART})*"
    rf"(?=\s*(?:[,;\n]|\.(?!\S)|$)|\s+(?:{_HAMLET_OR_ABOVE}|{_CLAUSE_GOES_ON}))",
    re.IGNORECASE,
)
# Cheap to search: a text without it has no match of `_HOUSE_ON_STREET` (its lead's last letter
# before a number), so most texts skip even that.
_HOUSE_ON_STREET_HINT = re.compile(r"[ởoiàaỞOIÀA]\s+\d")
# The alley beside a house number points at the house as well, and is masked with it: "nhà số 45/3
# hẻm 12 đường Nguyễn Huệ", "số 5 ngõ 12 ngách 34 phố Huế", "ở 45 hẻm 12 Nguyễn Huệ", "hẻm 12 số nhà
# 45" (not "ở 2 hẻm 12 và 14", which counts alleys). An alley alone is a place: "hẻm 12 đường Nguyễn
# Huệ bị ngập".
_ALLEY_WORDS: Final = ("hẻm", "hem", "ngõ", "ngo", "ngách", "ngach", "kiệt", "kiet")
_ALLEY = (
    rf"\b(?:{'|'.join(_ALLEY_WORDS)})\s+(?:(?:số|so)\s+)?(?:(?>{_NUMBER})(?![\w/.,]\d)|{re.escape(ADDRESS)})"
)
_ALLEY_BESIDE_HOUSE = re.compile(
    rf"(?:{_ALLEY}\s*,?\s*)*{re.escape(ADDRESS)}(?:\s*,?\s*{_ALLEY})*", re.IGNORECASE
)
_HOUSE_IN_ALLEY = re.compile(
    rf"(?P<lead>\b(?:ở|o|tại|tai|nhà|nha)\s+){_NUMBER}(?![\w/.,]\d)(?=\s*,?\s*{_ALLEY}(?!\s*(?:và|va)\b))",
    re.IGNORECASE,
)
_HOUSE_AFTER_STREET = re.compile(
    r"(?P<lead>\b(?:đường|duong|phố|pho|hẻm|hem|kiệt|kiet|ngõ|ngo|ngách|ngach)"
    r"(?:\s+[^\W\d_][\w]*){1,4}?\s+)"
    rf"(?:số|so)\s+{_NUMBER}(?![\w/.,]\d)",
    re.IGNORECASE,
)

# The writer naming themself: "tôi tên là Nguyễn Văn Ba", "em tên Hoa", "tên tôi là …", "Họ và
# tên: …", "Người viết: …", "ký tên …" take the capitalised words that follow (two or more after a
# signature's lead without a colon); "Tôi là Kiều Văn An" a run of two or more not led by a role
# ("Tôi là Đảng viên", "tôi là Trưởng ấp", "Chúng tôi là Hội Nông Dân" are not names) or a name by
# birth order ("Tôi là Út"). A name in lower case or in capitals is taken after any of these leads
# when a family name and a middle name begin it ("tôi là trần thị bích", "TOI LA TRAN THI BICH").
_SELF = r"(?:tôi|toi|tui|em|mình|minh|cháu|chau)"
_WORDS = r"[^\W\d_]\w*(?:[ \t\u00a0]+[^\W\d_]\w*){0,4}"
_SELF_NAMED = re.compile(
    rf"(?P<lead>\b(?:{_SELF}\s+(?:tên|ten)(?:\s+(?:là|la))?|(?:tên|ten)\s+{_SELF}\s+(?:là|la)"
    r"|(?:họ\s+và\s+tên|ho\s+va\s+ten|họ\s+tên|ho\s+ten)\s*:"
    r"|(?P<sign>ký\s+tên|ky\s+ten|kí\s+tên|(?:người|nguoi)\s+(?:viết(?:\s+đơn)?|viet(?:\s+don)?|gửi|gui|"
    r"làm\s+đơn|lam\s+don|đứng\s+đơn|dung\s+don|kiến\s+nghị|kien\s+nghi|phản\s+ánh|phan\s+anh|ký|ky))"
    r"(?P<colon>\s*:)?)\s*)"
    rf"(?P<words>{_WORDS})",
    re.IGNORECASE,
)
# Cheap gates, as `_HOUSE_ON_STREET_HINT`: "tên" (or "ten") or a signature's lead for `_SELF_NAMED`,
# "tôi là" and the like for `_SELF_INTRODUCED` (typed with one space, as nearly always).
_SIGNED_HINTS = tuple(
    f"{who} {what}"
    for who in ("người", "nguoi")
    for what in (
        "viết",
        "viet",
        "gửi",
        "gui",
        "làm",
        "lam",
        "đứng",
        "dung",
        "kiến",
        "kien",
        "phản",
        "phan",
        "ký",
        "ky",
    )
)
_INTRODUCED_HINTS = tuple(
    f"{who} {be}"
    for who in ("tôi", "toi", "tui", "em", "mình", "minh", "cháu", "chau")
    for be in ("là", "la")
)
_SELF_INTRODUCED = re.compile(rf"(?P<lead>\b{_SELF}\s+(?:là|la)\s+)(?P<words>{_WORDS})", re.IGNORECASE)
_MIDDLE_WORDS: Final = frozenset(("văn", "thị", "van", "thi"))
_SURNAME_SET: Final = frozenset(SURNAMES.split("|"))
_ENDS_A_GIVEN_NAME: Final = frozenset("ở o tại tai xin là la có co đã da và va nhà nha".split())
# A full name whatever its case where its middle name says so: "NGUYỄN VĂN THÀNH", "Kiều Văn An",
# "Nguyen Thi Bich" (as typed, in capitals or capitalised; not after a place: "đường Nguyễn Văn
# Cừ", "Trường THCS Nguyễn Văn Trỗi").
_MIDDLE_HINT = re.compile(r"V[ăa]n\s|Th[ịi]\s|V[ĂA]N\s|TH[ỊI]\s")
_NAME_OF_A_PLACE = re.compile(
    r"\b(?:đường|duong|phố|pho|trường|truong|cầu|cau|chợ|hẻm|hem|ấp|xã|THPT|THCS|học|hoc|non|giáo|giao|"
    r"lộ|kênh|kenh|rạch|rach|đài|dai|viện|vien|tên|ten|hiệu|hieu|khu|phường|phuong|thôn|thon)\s+$",
    re.IGNORECASE,
)
# Found by its middle name (a literal, quick to look for), then the family name before it is checked.
_MIDDLE_NAMED = re.compile(
    r"\b(?P<surname>[^\W\d_]+)[ \t\u00a0]+(?:Văn|Thị|Van|Thi|VĂN|THỊ|VAN|THI)[ \t\u00a0]+"
    r"(?P<given>[^\W\d_]\w*(?:[ \t\u00a0]+[^\W\d_]\w*){0,2})"
)


def _plain_name(words: str) -> str:
    """The leading words that are a family name, a middle name and a given name, in any case."""
    parts = words.split()
    if (
        len(parts) < 3
        or parts[0].lower() not in _SURNAME_SET
        or parts[1].lower() not in MIDDLE_NAMES
        or parts[2].lower() in _ENDS_A_GIVEN_NAME
    ):
        return ""
    if (
        len(parts) > 3
        and parts[3].lower() not in NOT_IN_A_NAME
        and parts[3][0].islower() == parts[2][0].islower()
    ):
        return " ".join(parts[:4])
    return " ".join(parts[:3])


# Where a run of capitalised words that is a name ends: "Trần Hưng Đạo Đường Bà Triệu".
_PLACE_WORDS: Final = frozenset(
    "đường duong phố pho hẻm hem kiệt kiet ngõ ngo cầu cau chợ kênh kenh rạch rach trường ấp xã thôn "
    "khóm xóm khu phường huyện tỉnh quận".split()
)


def _capitalised_run(words: str, stops: frozenset[str] = frozenset()) -> str:
    """The leading words that begin with a capital letter (a name), as typed, up to one of ``stops``."""
    run: list[str] = []
    for word in words.split():
        if not word[0].isupper() or word.lower() in stops:
            break
        run.append(word)
    return " ".join(run)


# A place named after a person, its form of address capitalised: "đường Bà Triệu", "cầu Ông
# Lãnh", "chợ Bà Chiểu" ("cho" and "xa" without diacritics are "for" and "far": not places).
_NAMED_PLACE_BEFORE = re.compile(
    r"\b(?:đường|duong|phố|pho|hẻm|hem|cầu|cau|chợ|trường|truong|kênh|kenh|rạch|rach|ấp|ap|xã|"
    # with their marks only: typed bare they are everyday words ("đến Ông Tám", "chưa", "con")
    r"tỉnh|huyện|phường|sông|núi|miếu|cồn|cống|chùa|đình|đền|bến|vàm|làng|ngã ba|ngã tư)\s+$",
    re.IGNORECASE,
)
_JUNCTION_BEFORE = re.compile(r"\b(?:ngã|nga)\s+$", re.IGNORECASE)
# Places and people of the nation named with a form of address, never a resident: "Bà Rịa - Vũng
# Tàu", "núi Bà Đen", "sông Ông Đốc", "lời Bác Hồ dạy" (compared lower case, with and without marks).
_NAMED_NOT_A_RESIDENT: Final = frozenset(
    {"bà rịa", "ba ria", "bà đen", "ba den", "bà chúa", "ba chua", "ông đốc", "ong doc", "bác hồ", "bac ho"}
)


def _after_honorific(match: re.Match[str]) -> str:
    name = _capitalised_run(match.group("words"))
    if name and f"{match.group(1)} {name.split()[0]}".lower() in _NAMED_NOT_A_RESIDENT:
        return ""
    start = match.start()
    if match.group(1).lower() == "ba" and _JUNCTION_BEFORE.search(match.string, max(0, start - 5), start):
        return ""  # "ngã ba Cây Dương": a junction, "ba" is three
    # the place word ends right before (12 characters hold the longest, "phường ")
    if (
        name
        and match.group(1)[0].isupper()
        and _NAMED_PLACE_BEFORE.search(match.string, max(0, start - 12), start)
    ):
        return ""
    return name


def _self_named(match: re.Match[str]) -> str:
    words = match.group("words")
    name = _capitalised_run(words)
    run = name.split()
    if match.group("sign") is not None and (
        (match.group("colon") is None and len(run) < 2)  # "ký tên Xác nhận"
        or (run and run[0].lower() in NOT_A_NAME and (len(run) < 2 or run[1].lower() not in _MIDDLE_WORDS))
    ):  # "người gửi Phòng Kinh tế"
        name = ""
    return name or _plain_name(words)


def _introduced(match: re.Match[str]) -> str:
    words = match.group("words")
    run = _capitalised_run(words).split()
    if len(run) >= 2 and (run[0].lower() not in NOT_A_NAME or run[1].lower() in _MIDDLE_WORDS):
        return " ".join(run)
    if len(run) == 1 and run[0].lower() in BIRTH_ORDER:
        return run[0]
    return _plain_name(words)


def _mask_names(pattern: re.Pattern[str], text: str, name_in: Callable[[re.Match[str]], str]) -> str:
    """``text`` with the name that each match of ``pattern`` leads to (its group "words") masked. The
    search goes on right after the name, or after the lead when no name follows it, not after all
    the words looked at: "Tôi là Lê Thị Hồng tôi là …", "nhà ông Dũng tới nhà bà Tý" mask both."""
    parts: list[str] = []
    at = 0
    while (match := pattern.search(text, at)) is not None:
        words, start = match.group("words"), match.start("words")
        name = name_in(match)
        parts.append(text[at:start])
        at = start
        if name:
            parts.append(NAME)
            at += _words_end(words, name)
    if not parts:
        return text
    parts.append(text[at:])
    return "".join(parts)


def _words_end(words: str, name: str) -> int:
    """Where in ``words`` the leading words that make ``name`` (spaced singly) end."""
    at = 0
    for word in name.split():
        at = words.index(word, at) + len(word)
    return at


def _mask_writer(text: str) -> str:
    """The writer's own name, where the text introduces them."""
    lowered = text.lower()
    if (
        "tên" in lowered
        or "ten" in lowered
        or (("người" in lowered or "nguoi" in lowered) and any(hint in lowered for hint in _SIGNED_HINTS))
    ):
        text = _mask_names(_SELF_NAMED, text, _self_named)
    if (" là" in lowered or " la" in lowered) and any(hint in lowered for hint in _INTRODUCED_HINTS):
        text = _mask_names(_SELF_INTRODUCED, text, _introduced)
    return text


def _mask_middle_named(text: str) -> str:
    if _MIDDLE_HINT.search(text) is None:
        return text

    def replace(match: re.Match[str]) -> str:
        surname, found = match.group("surname"), match.group(0)
        given = _capitalised_run(match.group("given"), _PLACE_WORDS)
        if (
            not given
            or not surname[0].isupper()
            or surname.lower() not in _SURNAME_SET
            or _NAME_OF_A_PLACE.search(text, max(0, match.start() - 16), match.start())
        ):
            return found
        return NAME + found[match.start("given") - match.start() + _words_end(match.group("given"), given) :]

    return _MIDDLE_NAMED.sub(replace, text)


def _mask_full_name(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        # the capitalised words only: "Nguyễn Văn An số 12" is the name and "số 12"
        name = _capitalised_run(match.group(0), _PLACE_WORDS)
        if len(name.split()) < 3 or _PLACE_BEFORE.search(text[: match.start()]):
            return match.group(0)
        return NAME + match.group(0)[_words_end(match.group(0), name) :]

    return _FULL_NAME.sub(replace, text)


def _mask_house_numbers(text: str) -> str:
    """House numbers beside what is masked already (a name, an address) or after a named street,
    and the alley beside a house number."""

    def after_street(match: re.Match[str]) -> str:
        names = match.group("lead").split()[1:]
        return f"{match.group('lead')}{ADDRESS}" if all(w[0].isupper() for w in names) else match.group(0)

    def on_street(match: re.Match[str]) -> str:
        street, where = match.group("street"), match.group("where").lower()
        if not street[0].isupper():
            return match.group(0)
        if match.group("kind") is not None:
            if _counts_roads(match):  # "ở 2 đường Lê Lợi và Trần Phú"
                return match.group(0)
        elif where not in ("nhà", "nha"):  # "ở 123 Nguyễn Trãi", not "ở 3 Ấp Chợ"
            second = match.group("street2")
            if second is None or not second.isupper() or street.lower() in NOT_A_STREET:
                return match.group(0)
        return f"{match.group('lead')}{ADDRESS}"

    masked = _HOUSE_AFTER_STREET.sub(after_street, text)
    if _HOUSE_ON_STREET_HINT.search(masked):
        masked = _HOUSE_ON_STREET.sub(on_street, masked)
    lowered = masked.lower()
    alleys = any(word in lowered for word in _ALLEY_WORDS)
    if alleys:
        masked = _HOUSE_IN_ALLEY.sub(_labelled(ADDRESS), masked)
    masked = _HOUSE_BEFORE_NAME.sub(ADDRESS, masked)

    def after_mask(match: re.Match[str]) -> str:
        return match.group(0) if _counts_roads(match) else f"{match.group('lead')}{ADDRESS}"

    for _ in range(3):  # a number masked may lead to the next: "ông [họ tên] số 45, 7 ấp Chợ"
        if NAME not in masked and ADDRESS not in masked:
            break
        again = _HOUSE_AFTER_MASK.sub(after_mask, masked)
        if again == masked:
            break
        masked = again
    return _ALLEY_BESIDE_HOUSE.sub(ADDRESS, masked) if alleys and ADDRESS in masked else masked


def _counts_roads(match: re.Match[str]) -> bool:
    """Whether the number ``match`` ends with counts the roads named next: "2 đường Lê Lợi và Trần Phú"."""
    kind = _ROAD_KIND.match(match.string, match.end())
    if kind is None:
        return False
    after = _AND_ANOTHER_STREET.match(match.string, kind.end())
    return after is not None and after.group(1).isupper()


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
    lowered = masked.lower()
    if "/" in masked and any(host in lowered for host in _PROFILE_HOSTS):
        masked = _PROFILE_LINK.sub(PROFILE, masked)
    if "@" in masked:
        masked = _EMAIL.sub(EMAIL, masked)
    if any(tld in lowered for tld in _TLDS) and any(at in lowered for at in ("@", "at", "còng", "cong")):
        masked = _EMAIL_SPELLED.sub(EMAIL, masked)
    masked = _SPELLED_NUMBER.sub(_spelled_number, masked)
    # Every pattern but a name's needs a digit: a text without one skips them.
    digits = _DIGIT.search(masked) is not None
    if digits:
        lowered = masked.lower()
        masked = _PLATE.sub(_plate, masked)
        nine = _NINE_DIGITS.search(masked) is not None
        if nine:
            if any(name in lowered for name in _TAX_NAMES):
                masked = _TAX_CODE.sub(_labelled(TAX_CODE), masked)
            if any(name in lowered for name in _ID_NAMES):
                masked = _ID_NAMED.sub(_labelled(ID_NUMBER), masked)
            masked = _CARD.sub(ID_NUMBER, _ID.sub(ID_NUMBER, masked))
            if any(name in lowered for name in _ACCOUNT_NAMES):
                masked = _ACCOUNT.sub(_labelled(ACCOUNT), masked)
        if _SEVEN_DIGITS.search(masked):
            if any(name in lowered for name in _PASSPORT_NAMES):
                masked = _PASSPORT_NAMED.sub(_labelled(ID_NUMBER), masked)
            masked = _PASSPORT.sub(ID_NUMBER, masked)
        masked = _PHONE.sub(PHONE, masked)
        if nine:
            masked = _LONG_NUMBER.sub(ID_NUMBER, masked)
    if "địa chỉ" in lowered or "dia chi" in lowered:
        masked = _LABELLED_ADDRESS.sub(_labelled(ADDRESS), masked)
    if digits:
        masked = _ADDRESS.sub(ADDRESS, masked)
    masked = _mask_middle_named(_mask_names(_HONORIFIC, _mask_writer(masked), _after_honorific))
    if masked != typed:  # a name next to other personal data
        masked = _mask_full_name(masked)
    return _mask_house_numbers(masked) if digits else masked


def _spelled_number(match: re.Match[str]) -> str:
    """A run of digit words with the phone number (or the CCCD) it spells masked, the words around
    it kept: "gọi ba không chín …" is "gọi ba [số điện thoại]"."""
    run = match.group(0)
    words = list(_WORD.finditer(run))
    digits = "".join(_DIGIT_WORDS[word.group(0).lower()] for word in words)
    if _SPELLED_PHONE_WHOLE.fullmatch(digits):
        return PHONE
    if _SPELLED_ID.fullmatch(digits):
        return ID_NUMBER
    parts: list[str] = []
    at = first = 0  # where in the run, which word
    while first < len(words):
        phone = _SPELLED_PHONE.match(digits, first)
        if phone is None:
            first += 1
            continue
        parts += (run[at : words[first].start()], PHONE)
        at, first = words[phone.end() - 1].end(), phone.end()
    return "".join(parts) + run[at:]


def _plate(match: re.Match[str]) -> str:
    marks = f"{match.group('dash') or ''}{match.group('mark') or ''}{match.group('number')}"
    year = _YEAR.fullmatch(match.group("number")) is not None
    if match.group("series").isupper() and ("-" in marks or "." in marks) and not year:
        return PLATE
    before = match.string[max(0, match.start() - 20) : match.start()].lower()
    return PLATE if any(name in before for name in _PLATE_NAMES) else match.group(0)


def _labelled(label: str) -> Callable[[re.Match[str]], str]:
    """A replacement keeping what names the datum ("CCCD: ", "địa chỉ: ") before its label."""
    return lambda match: f"{match.group('lead')}{label}"


def has_personal_data(text: str | None) -> bool:
    return bool(text) and mask_personal_data(text) != nfc(text or "")
