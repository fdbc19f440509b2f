"""Vietnamese text handling for matching: pure functions, standard library only.

Residents write the same word in many ways: NFC or NFD (macOS/iOS and some web forms send
decomposed text), two tone-mark placements (``hoà``/``hòa``), with or without diacritics, and
with informal spellings and abbreviations (``ko``, ``dc``, ``UBND``, ``ĐT.741``). Classifiers
and duplicate detection therefore match on :func:`normalize_for_matching`, while the system
always stores and displays the original text: folding merges different words (``xã``/``xa``,
``đất``/``đạt``), so the folded form is a matching key, never something to show.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from types import MappingProxyType
from typing import Final, Mapping

__all__ = [
    "INFORMAL_EXPANSIONS",
    "PHRASE_CANONICAL",
    "expand_informal",
    "fold",
    "nfc",
    "normalize_for_matching",
    "unify_tone_marks",
]


def nfc(s: str) -> str:
    """Return ``s`` in Unicode NFC.

    The same Vietnamese word can arrive precomposed (NFC) or decomposed (NFD); comparisons,
    hashing and storage only agree once everything is NFC.
    """
    return unicodedata.normalize("NFC", s)


# --- tone-mark placement -------------------------------------------------------------------

# Combining tone marks: grave (huyền), acute (sắc), hook above (hỏi), tilde (ngã), dot below
# (nặng).
_TONE_MARKS: Final = frozenset("\u0300\u0301\u0309\u0303\u0323")


def _tone_table(bases: str) -> Mapping[str, tuple[str, str]]:
    """Map each toned vowel built on ``bases`` (NFC) to (base letter, combining tone mark)."""
    table: dict[str, tuple[str, str]] = {}
    for base in bases:
        for mark in _TONE_MARKS:
            table[unicodedata.normalize("NFC", base + mark)] = (base, mark)
    return MappingProxyType(table)


_TONED_A_E_Y: Final = _tone_table("aeyAEY")
_TONED = "".join(sorted(_TONED_A_E_Y))

# An open syllable ending in "oa", "oe" or "uy" whose tone sits on the second vowel
# (hoà, khoẻ, thuý, uỷ). The tone moves to the first vowel (hòa, khỏe, thúy, ủy). Not when
# another letter follows (hoàng, toán, xoáy, huỳnh keep the mark where it is), and not for
# "qu" + y (quý, quỹ), where the "u" belongs to the consonant and the mark is already right.
_OLD_STYLE = re.compile(
    r"(?<![^\W\d_])"  # start of the syllable: no letter before ...
    r"([^\W\d_]*?)"  # ... then the initial consonant(s), possibly none
    r"([oOuU])"
    rf"([{_TONED}])"
    r"(?![^\W\d_])"  # nothing after: the syllable is open
)
# The vowel pair `_OLD_STYLE` needs: a cheap test that most text fails (the lazy onset of
# `_OLD_STYLE` is tried at every position of the text).
_OLD_STYLE_PAIR = re.compile(rf"[oOuU][{_TONED}]")


def _move_tone(match: re.Match[str]) -> str:
    onset, first, second = match.group(1), match.group(2), match.group(3)
    base, mark = _TONED_A_E_Y[second]
    is_uy = first in "uU" and base in "yY"
    is_oa_oe = first in "oO" and base in "aAeE"
    if not (is_uy or is_oa_oe) or (is_uy and onset[-1:] in ("q", "Q")):
        return match.group(0)
    return onset + unicodedata.normalize("NFC", first + mark) + base


def unify_tone_marks(s: str) -> str:
    """Put tone marks of open "oa", "oe", "uy" syllables on the first vowel: hoà→hòa, thuý→thúy.

    Both placements are valid NFC and common, so without this "Hoà" and "Hòa" would not
    compare equal. The target is the placement the brief calls "new" (hòa, khỏe, thúy, ủy,
    often called the *traditional* one in Vietnamese typography); it is what most state
    documents and ``underthesea.text_normalize`` use. Input is expected in NFC; other text is
    returned unchanged.
    """
    if _OLD_STYLE_PAIR.search(s) is None:  # every match of `_OLD_STYLE` holds such a pair
        return s
    return _OLD_STYLE.sub(_move_tone, s)


# --- folding -------------------------------------------------------------------------------

# đ/Đ have no decomposition, so stripping combining marks leaves them untouched; "Ð" (U+00D0,
# Icelandic eth) is a frequent look-alike typed for "Đ".
_LETTER_MAP: Final = MappingProxyType({"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"})
_NON_WORD = re.compile(r"[\W_]+")
# Every combining mark lies below U+20000 (planes 2-16 hold none); text with a character above
# that is folded character by character (`_fold_marks_slow`), so the table is exact either way.
_TABLE_END: Final = "\U00020000"
# One pass of `str.translate` for NFD text below `_TABLE_END`: đ→d, combining marks dropped.
_FOLD_TABLE: Final[Mapping[int, str | None]] = MappingProxyType(
    {
        **{c: None for c in range(ord(_TABLE_END)) if unicodedata.combining(chr(c))},
        **{ord(k): v for k, v in _LETTER_MAP.items()},
    }
)


def _fold_marks_slow(text: str) -> str:
    text = "".join(_LETTER_MAP.get(ch, ch) for ch in text)
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def fold(s: str) -> str:
    """Fold ``s`` to lowercase ASCII-ish words separated by single spaces.

    NFC, lowercase, strip diacritics (NFD, drop combining marks), map đ→d explicitly and turn
    every run of whitespace or punctuation into one space. Text typed without diacritics then
    equals its accented twin. Folding merges distinct words (xã/xa), so match on the folded
    form and display the original.
    """
    # đ and ð have no decomposition and no decomposition yields them, so mapping them after
    # NFD is the same as before it.
    text = unicodedata.normalize("NFD", unicodedata.normalize("NFC", s).lower())
    if not text.isascii():
        text = text.translate(_FOLD_TABLE) if max(text) < _TABLE_END else _fold_marks_slow(text)
    return _NON_WORD.sub(" ", text).strip()


# --- informal spellings and abbreviations --------------------------------------------------

# Folded single word -> folded expansion. Only whole words are replaced ("r" becomes "roi" but
# "ra" stays). Ambiguous short forms (hs = hồ sơ/học sinh, dt = điện thoại/đường tỉnh without
# a number, kt = kiểm tra/kinh tế, dn = đề nghị/doanh nghiệp) are deliberately left alone.
INFORMAL_EXPANSIONS: Final[Mapping[str, str]] = MappingProxyType(
    {
        # chat spellings
        "ko": "khong",
        "k": "khong",
        "kh": "khong",
        "hok": "khong",
        "dc": "duoc",
        "r": "roi",
        "j": "gi",
        "trc": "truoc",
        "ktra": "kiem tra",
        "ng": "nguoi",
        "nhg": "nhung",
        "vs": "voi",
        "bg": "bao gio",
        "ntn": "nhu the nao",
        "dky": "dang ky",
        "sdt": "so dien thoai",
        "cty": "cong ty",
        "gq": "giai quyet",
        # organisations and offices
        "ubnd": "uy ban nhan dan",
        "hdnd": "hoi dong nhan dan",
        "mttq": "mat tran to quoc",
        "ubmttq": "uy ban mat tran to quoc",
        "ccb": "cuu chien binh",
        "hnd": "hoi nong dan",
        "hpn": "hoi phu nu",
        "cax": "cong an xa",
        "ttpvhcc": "trung tam phuc vu hanh chinh cong",
        "pvhcc": "phuc vu hanh chinh cong",
        "hcc": "hanh chinh cong",
        "vpdkdd": "van phong dang ky dat dai",
        # subject-matter abbreviations
        "antt": "an ninh trat tu",
        "atgt": "an toan giao thong",
        "atxh": "an toan xa hoi",
        "cchc": "cai cach hanh chinh",
        "tthc": "thu tuc hanh chinh",
        "dvc": "dich vu cong",
        "dvctt": "dich vu cong truc tuyen",
        "gpxd": "giay phep xay dung",
        "ttxd": "trat tu xay dung",
        "xd": "xay dung",
        "qsdd": "quyen su dung dat",
        "qsd": "quyen su dung",
        "gcn": "giay chung nhan",
        "gcnqsdd": "giay chung nhan quyen su dung dat",
        "csgt": "canh sat giao thong",
        "pccc": "phong chay chua chay",
        "bhyt": "bao hiem y te",
        "bhxh": "bao hiem xa hoi",
        "cmnd": "chung minh nhan dan",
        "cccd": "can cuoc cong dan",
        "gpmb": "giai phong mat bang",
        "tdc": "tai dinh cu",
        "kdc": "khu dan cu",
        "kcn": "khu cong nghiep",
        "ccn": "cum cong nghiep",
        "vsmt": "ve sinh moi truong",
        "thcs": "trung hoc co so",
        "thpt": "trung hoc pho thong",
    }
)

# Folded multi-word spellings -> canonical folded phrase, so rule sets need one form only.
# Southern "lộ" means road, but folded "lo" alone is ambiguous (lô đất, lo lắng), so only the
# unambiguous phrases are rewritten.
PHRASE_CANONICAL: Final[Mapping[str, str]] = MappingProxyType(
    {
        "lo dal": "duong dal",
        "lo be tong": "duong be tong",
        "lo nhua": "duong nhua",
        "tinh lo": "duong tinh",
        "huong lo": "duong huyen",
    }
)

# Road numbers: "dt 741", "dt741", "đt.741" (folded "dt 741") -> "duong tinh 741"; "ql1a" ->
# "quoc lo 1a". The number must be short and not start with 0, so a phone number after "dt"
# (điện thoại) is left alone.
_ROAD_PREFIX: Final = MappingProxyType({"dt": "duong tinh", "ql": "quoc lo", "tl": "duong tinh"})
_ROAD_NUMBER = re.compile(r"\b(dt|ql|tl) ?([1-9][0-9]{0,3}[a-z]?)\b")
_PHRASES = re.compile(
    r"\b(?:" + "|".join(re.escape(p) for p in sorted(PHRASE_CANONICAL, key=len, reverse=True)) + r")\b"
)


def expand_informal(folded: str) -> str:
    """Expand informal spellings and abbreviations in already folded text, whole words only.

    Rule sets are written once in standard Vietnamese; expanding the input ("ko dc" ->
    "khong duoc", "GPXD" -> "giay phep xay dung", "ĐT741" -> "duong tinh 741") lets them match
    what residents actually type. Apply it to folded text (see :func:`fold`).
    """
    text = _ROAD_NUMBER.sub(lambda m: f"{_ROAD_PREFIX[m.group(1)]} {m.group(2)}", folded)
    text = " ".join(INFORMAL_EXPANSIONS.get(word, word) for word in text.split())
    return _PHRASES.sub(lambda m: PHRASE_CANONICAL[m.group(0)], text)


@lru_cache(maxsize=256)
def normalize_for_matching(s: str) -> str:
    """The matching key of ``s``: expand_informal(fold(unify_tone_marks(nfc(s)))).

    Use it on both sides (rule terms and submissions) and compare whole words. Never display
    it: keep and show the original text. A pure function with a bounded memo: routing folds
    one submission's text for its topic, its fingerprint and the places it names, with up to
    its prefetch (50) of items in between; 256 texts of at most 5,000 characters hold a few MB.
    """
    return expand_informal(fold(unify_tone_marks(nfc(s))))
