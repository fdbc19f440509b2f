"""The commune radio announcement of the dialogue plan (thông báo trên hệ thống truyền thanh,
seed IV.3 and IV.6) (pure rendering).

The text is read aloud, so times and dates are written the way they are spoken
("07 giờ 30 phút, thứ Bảy, ngày 25 tháng 3 năm 2017") and topics are introduced by spoken
ordinals ("Thứ nhất", "Thứ hai", ...).
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

from jinja2 import Environment

from shared.directory import Commune, Dialogue
from shared.templates import make_environment, vn_weekday

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "thong_bao_truyen_thanh.txt"

_NUMBER_WORDS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười")
_ORDINALS = {1: "nhất", 4: "tư"}  # "thứ nhất", "thứ tư"; the rest use the number word


def environment() -> Environment:
    return make_environment([TEMPLATES])


def spoken_date(value: date) -> str:
    """`ngày 25 tháng 3 năm 2017`."""
    return f"ngày {value.day} tháng {value.month} năm {value.year}"


def spoken_time(value: time) -> str:
    """`07 giờ 30 phút`, or `08 giờ` on the hour."""
    return f"{value.hour:02d} giờ" + (f" {value.minute:02d} phút" if value.minute else "")


def spoken_when(dialogue: Dialogue) -> str:
    """`07 giờ 30 phút, thứ Bảy, ngày 25 tháng 3 năm 2017`."""
    d = dialogue.meeting_date
    return f"{spoken_time(dialogue.meeting_time)}, {vn_weekday(d)}, {spoken_date(d)}"


def number_words(n: int) -> str:
    return _NUMBER_WORDS[n] if 0 <= n < len(_NUMBER_WORDS) else str(n)


def ordinal(n: int) -> str:
    """`Thứ nhất`, `Thứ hai`, ..., `Thứ mười`; beyond ten, `Thứ 11`."""
    return "Thứ " + _ORDINALS.get(n, number_words(n))


def _join_vi(items: list[str], sep: str = ", ") -> str:
    if len(items) <= 1:
        return "".join(items)
    return sep.join(items[:-1]) + " và " + items[-1]


def radio_announcement(
    env: Environment,
    commune: Commune,
    dialogue: Dialogue,
    *,
    registration_hint: str | None = None,
    opinions_due: date | None = None,
) -> str:
    """The announcement the commune radio reads aloud.

    `env` is `environment()` (or any environment that finds `thong_bao_truyen_thanh.txt`).
    `registration_hint` is an extra sentence on how to register (a phone number, a form...);
    `opinions_due` the day opinions must reach the hamlet by, printed as "trước ngày D" the way
    the plan writes its deadlines."""
    hamlet_names = [h.name for hid in dialogue.hamlet_ids for h in commune.hamlets if h.id == hid]
    topics = sorted(dialogue.topics, key=lambda t: t.number)
    context = {
        "commune": commune,
        "dialogue": dialogue,
        "title": f"Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year}",
        "legal_bases": _join_vi(list(dialogue.legal_bases), "; "),
        "topics": [(ordinal(i), t) for i, t in enumerate(topics, start=1)],
        "topic_count_words": number_words(len(topics)),
        "when": spoken_when(dialogue),
        "participants": [p.rstrip(".") for p in dialogue.participants],
        "hamlets": _join_vi(hamlet_names) if hamlet_names else "các ấp",
        "opinions_due": spoken_date(opinions_due) if opinions_due else None,
        "registration_hint": registration_hint.strip()
        if registration_hint and registration_hint.strip()
        else None,
    }
    return env.get_template(TEMPLATE).render(context)
