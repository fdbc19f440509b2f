"""Who carries out an assigned conclusion, said once (pure).

The notice and the minutes print an assigned conclusion as ``Giao <office> chủ trì[, phối hợp
<offices>]: <task>``. The office and the coordinating offices are the meeting record's structured
assignment, which is authoritative (follow-up opens the task for that office). The Secretary's
text is the task; clerks often type the assignment into it as well ("Giao Phòng Kinh tế chủ
trì, phối hợp Công an xã kiểm tra…", "Giao UBND xã kiểm tra…"). Rule:

- an assigning head of the text ("Giao [cho] <body> [chủ trì][, phối hợp <body>, …]") is dropped
  when <body> is a body the commune knows (an office by any of its titles, or the usual bodies:
  UBND xã, Công an xã, MTTQ…), whichever body it names: the office is printed once, from the
  assignment. A head naming a body other than the assigned office is reported (`Task.named`) so
  the Party office can correct the text before issuing;
- a text that opens with the assigned office itself, without "Giao", loses that name for the same
  reason ("Phòng Kinh tế khảo sát…" → "khảo sát…");
- "Giao" that is not the assigning verb ("Giao thông…", "Giao đất…") and an unknown name after it
  are left as typed (after "Giao" alone is dropped before a capitalised word, as before).

`era_text` renames the commune's offices inside staff-typed text to the titles of the dialogue's
era, so a 2017 notice never prints today's "Phòng Kinh tế" beside "Công chức Địa chính…"."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from shared.directory import Commune
from shared.text import fold, nfc

# Bodies a conclusion assigns to besides the commune's offices, as clerks type them.
USUAL_BODIES: tuple[str, ...] = (
    "Ủy ban nhân dân xã",
    "Ủy ban nhân dân phường",
    "UBND xã",
    "UBND phường",
    "UBND",
    "Ủy ban MTTQ Việt Nam xã",
    "Ủy ban MTTQ xã",
    "MTTQ xã",
    "Mặt trận Tổ quốc xã",
    "Công an xã",
    "Công an phường",
    "Ban Chỉ huy Quân sự xã",
    "Văn phòng Đảng ủy",
    "Văn phòng UBND xã",
    "Trưởng ấp",
    "Chi bộ ấp",
    "Chi ủy chi bộ ấp",
)
DEFAULT_TASK = "kiểm tra, giải quyết và trả lời cho nhân dân"

_WORD = re.compile(r"\w+", re.UNICODE)
_GLUE = re.compile(r"[\s,;:.\-–—]*")  # what may separate the head's parts
_AND = ("va",)  # "… Công an xã và Văn phòng …"


@dataclass(frozen=True)
class Task:
    """The conclusion as printed after ``Giao <office> chủ trì…:`` and the body its own head
    named, when that is not the assigned office ("" otherwise)."""

    text: str
    named: str = ""


def _words(text: str) -> list[tuple[str, int]]:
    """Each word folded, with the index just after it in `text`."""
    return [(fold(m.group()), m.end()) for m in _WORD.finditer(text)]


def _folded(name: str) -> tuple[str, ...]:
    return tuple(fold(name).split())


def _match(words: Sequence[tuple[str, int]], at: int, names: Iterable[str]) -> tuple[str, int] | None:
    """The longest of `names` whose words open `words[at:]`: (name, index of the next word)."""
    best: tuple[str, int] | None = None
    for name in names:
        folded = _folded(name)
        end = at + len(folded)
        if folded and tuple(w for w, _ in words[at:end]) == folded and (best is None or end > best[1]):
            best = (name, end)
    return best


def _rest(text: str, words: Sequence[tuple[str, int]], index: int) -> str:
    """`text` after the word before `index`, without the separators that opened the rest."""
    start = words[index - 1][1] if index else 0
    rest = text[start:]
    return rest[_GLUE.match(rest).end() :]  # type: ignore[union-attr]  # matches always (*)


def bodies(commune: Commune) -> tuple[str, ...]:
    """Every name a conclusion may give a body: each office's title, then the usual bodies."""
    names = [n for o in commune.offices for n in (o.name, o.legacy_name) if n]
    return tuple(dict.fromkeys([*names, *USUAL_BODIES]))


def assigned_task(text: str, office: str = "", known: Sequence[str] = USUAL_BODIES) -> Task:
    """The Secretary's text of a conclusion assigned to `office` (its printed title), said after
    the documents' own ``Giao <office> chủ trì…:`` (see the module's rule); `known`: the bodies
    a head may name (`bodies`). NFC, trimmed; an empty task reads `DEFAULT_TASK`."""
    text = nfc(text).strip()
    words = _words(text)
    names = (office, *known) if office else tuple(known)
    at, named = 0, ""
    if words and words[0][0] == "giao":
        at = 2 if len(words) > 1 and words[1][0] == "cho" else 1
        head = _match(words, at, names)
        if head is None:
            # "Giao" followed by a name the commune does not know: the verb alone is dropped
            # before a capitalised word; "Giao thông…", "giao ban…" stay as typed.
            after = _rest(text, words, at)
            return Task(after if at == 2 or after[:1].isupper() else text)
        named, at = head
    else:
        head = _match(words, 0, [office] if office else [])
        if head is None:
            return Task(text)
        named, at = head
    if at < len(words) and words[at][0] == "chu" and at + 1 < len(words) and words[at + 1][0] == "tri":
        at += 2
    if at + 1 < len(words) and (words[at][0], words[at + 1][0]) == ("phoi", "hop"):
        cursor = at + 2
        while (found := _match(words, cursor, names)) is not None:
            cursor = found[1]
            if cursor < len(words) and words[cursor][0] in _AND:
                cursor += 1
        if cursor > at + 2:
            at = cursor
    rest = _rest(text, words, at) if at < len(words) else ""
    rest = rest[:1].lower() + rest[1:] if rest[1:2].islower() else rest
    same = bool(office) and _folded(named) == _folded(office)
    return Task(rest or DEFAULT_TASK, "" if same else named)


def era_renames(commune: Commune, legacy: bool) -> dict[str, str]:
    """Each office's title of the other era -> its title in this one (pre-reform titles for a
    dialogue before 1 July 2025, today's names after it); offices without a legacy title are
    named the same in both."""
    renames: dict[str, str] = {}
    for office in commune.offices:
        if office.legacy_name and office.legacy_name != office.name:
            old, new = (office.name, office.legacy_name) if legacy else (office.legacy_name, office.name)
            renames[old] = new
    return renames


def era_text(text: str, renames: Mapping[str, str]) -> str:
    """`text` with every office title of the other era (`era_renames`) replaced by this era's,
    as whole words, whatever its case; the longest title first."""
    if not text or not renames:
        return text
    text = nfc(text)
    # A title already of this era is kept whole, also where it contains the other era's title
    # ("Chỉ huy trưởng Ban Chỉ huy Quân sự xã" holds "Ban Chỉ huy Quân sự xã"): held aside first.
    kept: list[str] = []

    def hold(match: re.Match[str]) -> str:
        kept.append(match.group())
        return f"\x00{len(kept) - 1}\x00"

    for name in sorted(set(renames.values()), key=len, reverse=True):
        text = re.sub(rf"(?<!\w){re.escape(nfc(name))}(?!\w)", hold, text, flags=re.IGNORECASE)
    olds = {nfc(old).casefold(): new for old, new in renames.items()}
    alternatives = "|".join(re.escape(o) for o in sorted(olds, key=len, reverse=True))
    # one pass: a title just written in is never read again as another title
    text = re.sub(rf"(?<!\w)(?:{alternatives})(?!\w)", lambda m: olds[m.group().casefold()], text, flags=re.I)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], text)


__all__ = ["DEFAULT_TASK", "USUAL_BODIES", "Task", "assigned_task", "bodies", "era_renames", "era_text"]
