"""Why routing decided what it did, in Vietnamese for the people who check it (pure).

The classifier matches folded text ("cong thoat nuoc"); a person reads the words the resident
wrote ("Cống thoát nước"), so every term that fired is shown in its original spelling, found back
in the submitted text. The English `explanation` stays as it is for the CLI and the evaluation.

The lines are stored with the decision (`SubmissionRoutedV1.explanation_vi`); a staff change
replaces the machine's lines by what the person decided, so the page never shows a stale reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from shared.contracts import AuthorityLevel, RoutingChange
from shared.text import normalize_for_matching

_WORD = re.compile(r"\S+")
_EDGE_PUNCT = "\"'“”‘’()[]{}.,;:!?…-–—«»"
_CLOSERS = "\"'”’»)]}"
REPEAT_PREFIX = "Đã nêu trước đây"
STAFF_PREFIX = "Cán bộ đã"


_Words = tuple[tuple[int, int, str], ...]  # (start, end, word as written)
_Folded = tuple[tuple[str, int], ...]  # (folded token, index of the word it came from)


@lru_cache(maxsize=64)
def _folded_words(text: str) -> tuple[_Words, _Folded, tuple[str, ...]]:
    """`text`'s words, their folded tokens and the tokens alone, computed once per text: an
    explanation looks up every term that fired in the same text (a pure function, so a bounded
    memo)."""
    words = tuple((m.start(), m.end(), m.group(0)) for m in _WORD.finditer(text))
    folded = tuple((token, index) for index, (_, _, word) in enumerate(words) for token in _word_key(word))
    return words, folded, tuple(t for t, _ in folded)


@lru_cache(maxsize=8192)
def _word_key(word: str) -> tuple[str, ...]:
    """One written word's folded tokens. Petitions share most of their words, so a bounded memo
    turns the fifty-odd foldings of an explanation into look-ups (a pure function)."""
    return tuple(normalize_for_matching(word).split())


def _fits(got: str, want: str) -> bool:
    """A folded token of the text against one of a term's: the same, or anything the classifier
    takes for the "#" wildcard of a rule phrase ("3", "nhieu", "vai", "ba": `_is_number`), so the
    quote shows the resident's “nhiều lần rồi”, never the phrase's “# lan roi”."""
    if got == want:
        return True
    if want != "#":
        return False
    from services.routing.classifier import _is_number  # here: the classifier imports this module

    return _is_number(got)


def original_spelling(text: str, term: str) -> str:
    """The words of `text` whose matching key is the folded `term` ("cong thoat nuoc" ->
    "Cống thoát nước"), as written; the term itself when it cannot be found back."""
    words, folded, tokens = _folded_words(text)
    wanted = term.split()
    if not wanted or not words:
        return term
    first_wanted, rest = wanted[0], wanted[1:]
    crossing: tuple[int, int] | None = None
    for start in range(len(tokens) - len(wanted) + 1):
        if not _fits(tokens[start], first_wanted):  # most windows end at their first token
            continue
        if all(_fits(got, want) for got, want in zip(tokens[start + 1 : start + len(wanted)], rest)):
            first, last = folded[start][1], folded[start + len(wanted) - 1][1]
            if not _cuts(words, first, last):
                return _trim(text[words[first][0] : words[last][1]])
            crossing = crossing or (first, last)
    if crossing:  # found only across a sentence end or a parenthesis' edge
        return _one_piece(text, words, *crossing)
    # Rewrites across words ("lộ bê tông" -> "duong be tong"): try short runs of whole words.
    for first in range(len(words)):
        for last in range(first, min(first + len(wanted) + 2, len(words))):
            span = text[words[first][0] : words[last][1]]
            tokens_of_span = normalize_for_matching(span).split()
            if len(tokens_of_span) == len(wanted) and all(map(_fits, tokens_of_span, wanted)):
                return _one_piece(text, words, first, last)
    return term


def _trim(span: str) -> str:
    """The span without punctuation at its edges, but with a bracket whose partner it holds
    (“Mương (ấp Chợ)”)."""
    trimmed = span.strip(_EDGE_PUNCT)
    if not trimmed:
        return span
    start = span.index(trimmed)
    before, after = span[:start], span[start + len(trimmed) :]
    if trimmed.count("(") > trimmed.count(")") and ")" in after:
        trimmed += ")"
    if trimmed.count(")") > trimmed.count("(") and "(" in before:
        trimmed = "(" + trimmed
    return trimmed


def _ends_sentence(word: str) -> bool:
    """``nhiều.``, ``vậy?”``; not an abbreviation's dot (``TP.``, ``ĐT.``)."""
    bare = word.rstrip(_CLOSERS)
    if bare.endswith(("!", "?", "…")):
        return True
    head = bare[:-1].rsplit(".", 1)[-1]
    return bare.endswith(".") and not (head.isupper() and len(head) <= 3)


def _cuts(words: _Words, first: int, last: int) -> list[int]:
    """Where the quote of words `first`..`last` may not run on: after each word that ends a
    sentence, before a "(" and after a ")" whose partner lies outside the quote. A cut `i` falls
    between words `i - 1` and `i`."""
    cuts = {i + 1 for i in range(first, last) if _ends_sentence(words[i][2])}
    opened: list[int] = []
    for i in range(first, last + 1):
        for char in words[i][2]:
            if char == "(":
                opened.append(i)
            elif char == ")":
                if opened:
                    opened.pop()
                elif i < last:
                    cuts.add(i + 1)
    cuts.update(i for i in opened if i > first)
    return sorted(cuts)


def _one_piece(text: str, words: _Words, first: int, last: int) -> str:
    """The quote of words `first`..`last` cut at its sentence ends and parentheses' edges: the
    piece with the most of the matched words (the first of equal ones), so the quote still shows
    what matched and never reads like “nhiều. (lần”."""
    bounds = [first, *_cuts(words, first, last), last + 1]
    start, stop = max(zip(bounds, bounds[1:]), key=lambda piece: piece[1] - piece[0])
    return _trim(text[words[start][0] : words[stop - 1][1]])


def quoted(text: str, terms: Iterable[str]) -> str:
    """“Cống thoát nước”, “ngập”: each distinct spelling once."""
    spelled = dict.fromkeys(original_spelling(text, t) for t in terms)
    return ", ".join(f"“{s}”" for s in spelled)


def topic_line(
    text: str,
    topic: int,
    topic_name: Callable[[int], str],
    terms_by_topic: Mapping[int, tuple[str, ...]],
) -> list[str]:
    name = topic_name(topic)
    if not terms_by_topic:
        return [f"Không khớp từ ngữ nào của các nội dung trong kế hoạch, nên xếp vào “{name}”."]
    if topic not in terms_by_topic:
        weak = quoted(text, (t for terms in terms_by_topic.values() for t in terms))
        return [f"Chỉ khớp từ ngữ chung ({weak}), chưa đủ để xếp vào nội dung nào: xếp vào “{name}”."]
    label = f"nội dung {topic} “{name}”" if topic else f"“{name}”"
    lines = [f"Xếp vào {label} vì ý kiến nêu {quoted(text, terms_by_topic[topic])}."]
    others = [
        f"nội dung {t} “{topic_name(t)}” ({quoted(text, terms)})"
        for t, terms in sorted(terms_by_topic.items())
        if t != topic and t != 0
    ]
    if others:
        lines.append("Cũng có từ ngữ của " + "; ".join(others) + ".")
    return lines


def office_line(office_name: str, topic: int, sub_area_term: str | None, text: str) -> str:
    if sub_area_term:
        return (
            f"Giao {office_name}: theo quy tắc lĩnh vực riêng của xã, vì ý kiến nêu "
            f"{quoted(text, [sub_area_term])}."
        )
    which = f"nội dung {topic}" if topic else "các ý kiến ngoài kế hoạch"
    return f"Giao {office_name}: cơ quan mặc định của {which}."


def authority_line(
    level: AuthorityLevel, body: str | None, trigger: str | None, text: str, reason: str | None = None
) -> str:
    """`reason`: the authority map's Vietnamese reason ("Ngoài thẩm quyền xã: …"), when known."""
    if level == AuthorityLevel.COMMUNE or not trigger:
        return "Thẩm quyền: cấp xã (không có dấu hiệu vượt thẩm quyền của xã)."
    head = f"Thẩm quyền: {level.label_vi.lower()}" + (f" ({body})" if body else "")
    if reason:
        return f"{head}. {reason}; Đảng ủy xã tổng hợp, kiến nghị cấp trên."
    return f"{head}, vì ý kiến nêu {quoted(text, [trigger])}; Đảng ủy xã tổng hợp, kiến nghị cấp trên."


def recurring_line(phrases: Iterable[str], text: str) -> str | None:
    phrases = list(phrases)
    if not phrases:
        return None
    return f"Người gửi cho biết đã kiến nghị trước đây ({quoted(text, phrases)})."


def repeat_line(times_raised: int, years: Iterable[int]) -> str:
    """How often the issue was raised before this item, and the years it was raised in (this
    item's year among them: the years are the issue's, not only the earlier items')."""
    earlier = times_raised - 1
    shown = sorted(set(years))
    when = f" (vấn đề được nêu trong các năm {', '.join(str(y) for y in shown)})" if len(shown) > 1 else ""
    return f"{REPEAT_PREFIX}: {earlier} lần{when}; các ý kiến trùng được gộp để trả lời một lần."


def with_repeat(lines: Iterable[str], times_raised: int, years: Iterable[int]) -> tuple[str, ...]:
    """The lines with the repeat count replaced (or dropped when the item repeats nothing)."""
    kept = [line for line in lines if not line.startswith(REPEAT_PREFIX)]
    if times_raised > 1:
        kept.append(repeat_line(times_raised, years))
    return tuple(kept)


def staff_lines(
    change: RoutingChange,
    by: str | None,
    topic: int,
    topic_name: str,
    office_name: str,
    machine_lines: tuple[str, ...],
) -> tuple[str, ...]:
    """After a person's change: what they decided, not the machine's reason any more (a
    confirmation keeps the machine's reasons, now confirmed)."""
    who = f" ({by})" if by else ""
    label = f"nội dung {topic} “{topic_name}”" if topic else f"“{topic_name}”"
    if change is RoutingChange.CONFIRMED:
        return (f"{STAFF_PREFIX} xác nhận phân loại{who}.", *_without_staff(machine_lines))
    if change in (RoutingChange.RECLASSIFIED, RoutingChange.REASSIGNED):
        repeats = tuple(line for line in machine_lines if line.startswith(REPEAT_PREFIX))
        return (
            f"{STAFF_PREFIX} {change.label_vi.lower()}{who}: {label}, giao {office_name}. "
            "Lý do ghi trong các lần điều chỉnh bên dưới.",
            *repeats,
        )
    return (f"{STAFF_PREFIX} {change.label_vi.lower()}{who}.", *_without_staff(machine_lines))


def _without_staff(lines: Iterable[str]) -> tuple[str, ...]:
    return tuple(line for line in lines if not line.startswith(STAFF_PREFIX))
