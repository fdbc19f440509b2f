"""What is wrong with a resident's text printed as typed in an official document (pure).

- `no_diacritics`: a Vietnamese sentence typed without its tone and vowel marks ("cong thoat nuoc
  bi nghet"): at least three words and almost none of them carries a mark. Vietnamese written
  properly marks most syllables, so a text of several words with (nearly) none is typed bare.
- `first_person`: the resident speaking of themself ("tôi", "nhà tôi", "gia đình tôi", "chúng
  tôi", "chúng em", also typed bare: "toi", "nha toi"), or "em"/"cháu" as the pronoun that
  opens a sentence ("Em xin hỏi…", "Cháu đề nghị…"); "cháu bé", "em học sinh" and the evening
  ("buổi tối" typed "buoi toi") are not the speaker.

`warnings(text)` returns the problems in that order, each at most once; a proper third-person
sentence with its diacritics returns none.

`printed(text)` is a resident's text as an official document quotes it: personal data masked,
and its lines run into one paragraph (a quotation is one paragraph in the printed notice), the
words as typed (`one_paragraph`)."""

from __future__ import annotations

import re
import unicodedata

from shared.personal_data import has_personal_data, mask_personal_data

NO_DIACRITICS = "no_diacritics"
FIRST_PERSON = "first_person"
PERSONAL_DATA = "personal_data"
WARNINGS_VI = {
    NO_DIACRITICS: "chưa có dấu tiếng Việt",
    FIRST_PERSON: "viết ở ngôi thứ nhất (tôi, nhà tôi, chúng tôi…)",
    PERSONAL_DATA: "có thông tin cá nhân (số điện thoại, địa chỉ, họ tên…), sẽ in đã che",
}

_MIN_WORDS = 3
_MARKED_SHARE = 0.15  # below this share of marked words, the text is typed without diacritics
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_SENTENCE = re.compile(r"[.!?;:\n]+")
_SPEAKER = frozenset({"tôi", "tui", "tớ"})
_SPEAKER_BARE = frozenset({"toi"})
_NOT_SPEAKER_BEFORE_TOI = frozenset({"buoi", "ban", "chieu", "dem", "toi", "sang"})  # "buổi tối", "tối tối"
_OPENING_PRONOUNS = frozenset({"em", "cháu", "chau"})  # "con" opens "Con đường", "Con kênh"
_NOT_PRONOUN_AFTER = frozenset(
    {"bé", "be", "nhỏ", "nho", "học", "hoc", "trai", "gái", "gai", "nội", "noi", "ngoại", "ngoai", "đường"}
)
_PLURAL = frozenset({"chúng", "chung", "bọn", "bon"})


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(unicodedata.normalize("NFC", text))]


def _marked(word: str) -> bool:
    return any(ord(c) > 127 for c in word)


def lacks_diacritics(text: str) -> bool:
    words = _words(text)
    if len(words) < _MIN_WORDS:
        return False
    return sum(1 for w in words if _marked(w)) / len(words) < _MARKED_SHARE


def first_person(text: str) -> bool:
    for sentence in _SENTENCE.split(unicodedata.normalize("NFC", text)):
        words = _words(sentence)
        for index, word in enumerate(words):
            before = words[index - 1] if index else ""
            if word in _SPEAKER:
                return True
            if word in _SPEAKER_BARE and before not in _NOT_SPEAKER_BEFORE_TOI:
                return True
            if word in ("em", "chau") and before in _PLURAL:  # "chúng em", "bọn cháu"
                return True
            if word == "cháu" and before in _PLURAL:
                return True
        if words and words[0] in _OPENING_PRONOUNS:
            after = words[1] if len(words) > 1 else ""
            if after and after not in _NOT_PRONOUN_AFTER:
                return True
    return False


# A list item's own mark at the start of a line: "- ", "+ ", "• ", "1. ", "2) ", "a) ".
_ITEM_MARK = re.compile(r"^(?:[-+*•–—]+|\d{1,2}[.)]|[a-zđ]\))\s+", re.IGNORECASE)
_ENDS_CLAUSE = (".", "!", "?", "…", ":", ";", ",")


def one_paragraph(text: str) -> str:
    """`text`'s lines joined into one paragraph, its words as typed: runs of spaces made one, list
    marks and blank lines dropped. A line break alone becomes a space (a sentence wrapped, or a
    name such as "Nghị quyết" that a capital does not make a new sentence); punctuation is added
    only where the typed layout itself separated: ";" before a list item whose mark was dropped
    and "." before a paragraph after a blank line, when the text before ends without its own."""
    out = ""
    gap = False  # a blank line since the last text
    for raw in text.splitlines():
        line = " ".join(raw.split())
        item = _ITEM_MARK.sub("", line)
        if not item:
            gap = gap or bool(out)
            continue
        if out:
            if not out.endswith(_ENDS_CLAUSE):
                out += ";" if item != line else "." if gap else ""
            out += " "
        out += item
        gap = False
    return out


def printed(text: str | None) -> str:
    """A resident's text (or its reviewed summary) as a document prints it: masked, one paragraph."""
    return one_paragraph(mask_personal_data(text))


def warnings(text: str | None) -> list[str]:
    """The problems of `text` printed as typed: `no_diacritics`, `first_person`, `personal_data`
    (in that order; personal data is masked when printed, but a person should word it)."""
    if not text or not text.strip():
        return []
    found = []
    if lacks_diacritics(text):
        found.append(NO_DIACRITICS)
    if first_person(text):
        found.append(FIRST_PERSON)
    if has_personal_data(text):
        found.append(PERSONAL_DATA)
    return found


__all__ = [
    "FIRST_PERSON",
    "NO_DIACRITICS",
    "PERSONAL_DATA",
    "WARNINGS_VI",
    "first_person",
    "lacks_diacritics",
    "one_paragraph",
    "printed",
    "warnings",
]
