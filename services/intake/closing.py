"""When a dialogue takes submissions and registrations from residents: from the moment it opens
(`collecting`) until the meeting is held. Once held, concluded or closed (or cancelled) the
residents' forms give way to a notice saying so and pointing to the conclusions page, and a POST
is refused (409) with the same words, never silently accepted. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from shared.contracts.vocabulary import PlanStatus
from shared.directory import Commune, Dialogue
from shared.templates import vn_date

TAKES_ENTRIES = frozenset({PlanStatus.COLLECTING, PlanStatus.CLASSIFIED, PlanStatus.INVITED})
# After the meeting, or never to be held: no more submissions or registrations.
ENDED = frozenset({PlanStatus.HELD, PlanStatus.CONCLUDED, PlanStatus.CLOSED, PlanStatus.CANCELLED})
CLOSED_EN = (
    "This dialogue no longer takes submissions or registrations: the meeting has been held, or the plan "
    "closed or cancelled."
)


def takes_entries(dialogue: Dialogue | None) -> bool:
    return dialogue is not None and dialogue.status in TAKES_ENTRIES


def ended(dialogue: Dialogue | None) -> bool:
    """True once the dialogue takes no more entries (a draft is not open yet, not ended)."""
    return dialogue is not None and dialogue.status in ENDED


def closed_heading_vi(dialogue: Dialogue) -> str:
    if dialogue.status == PlanStatus.CANCELLED:
        return f"Buổi đối thoại năm {dialogue.year} đã hủy"
    return f"Đối thoại năm {dialogue.year} đã kết thúc nhận ý kiến"


def closed_vi(commune: Commune, dialogue: Dialogue, via: str = " qua trang này") -> str:
    """Why the forms are gone, in Vietnamese (the notice and the refusal of a POST alike);
    `via`: the channel that no longer takes them ("" for an integration's API)."""
    name = commune.display_name  # mid-sentence: "xã Tân Phước"
    if dialogue.status == PlanStatus.CANCELLED:
        return (
            f"Buổi đối thoại năm {dialogue.year} của {name} đã hủy nên không nhận ý kiến và đăng ký tham dự"
            f"{via} nữa."
        )
    held_on = vn_date(dialogue.meeting_date)
    return (
        f"Buổi đối thoại năm {dialogue.year} của {name} đã tổ chức ngày {held_on}, nên không nhận "
        f"thêm ý kiến, kiến nghị và đăng ký tham dự{via} nữa."
    )


def closed_en(dialogue: Dialogue) -> str:
    """`closed_vi` for integrations, in English."""
    if dialogue.status == PlanStatus.CANCELLED:
        return f"The {dialogue.year} dialogue was cancelled; it takes no more submissions or registrations."
    return (
        f"The {dialogue.year} dialogue's meeting was held on {dialogue.meeting_date:%d/%m/%Y}; it takes no "
        "more submissions or registrations."
    )


def elsewhere_vi(commune: Commune) -> str:
    """Where to go instead."""
    return (
        "Xem kết luận và tình hình giải quyết ở trang “Kết luận”. Ý kiến mới xin gửi trực tiếp đến "
        f"Văn phòng Đảng ủy {commune.display_name} hoặc qua chi bộ ấp; ý kiến đã gửi vẫn tra cứu được "
        "bằng mã theo dõi."
    )


def not_taking(commune: Commune, dialogues: Sequence[Dialogue]) -> tuple[str, str] | None:
    """Why an integration's submission finds no dialogue open, in Vietnamese and English, once the
    commune's newest dialogue past its draft ended (held, closed or cancelled); None when none
    ended. A draft of the next year is not announced: it is the commune's until it opens."""
    newest = next((d for d in dialogues if d.status != PlanStatus.DRAFT), None)
    if newest is None or not ended(newest):
        return None
    return closed_vi(commune, newest, via=""), closed_en(newest)
