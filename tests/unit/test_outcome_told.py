"""How a resident is told an issue's outcome (`ConclusionKind.told`, used by the settled task's
result on the tracking page and by Open311's status_notes): the kind's label, then what the
Secretary said, unless what was said opens with the label's own verb. Seen from outside: the
tracking page and Open311 read "Đã trả lời, kết thúc tại hội nghị: Đã trả lời: UBND xã…"."""

from __future__ import annotations

import pytest

from services.intake.open311 import outcome_note
from shared.contracts import ConclusionKind

A, N = ConclusionKind.ANSWERED, ConclusionKind.NO_ACTION


@pytest.mark.parametrize(
    ("kind", "said", "told"),
    [
        (A, "Đã trả lời: UBND xã sẽ sửa trong quý II", "Đã trả lời: UBND xã sẽ sửa trong quý II"),
        (A, "da tra loi tai hoi nghi", "da tra loi tai hoi nghi"),
        (A, "UBND xã sẽ sửa trong quý II", "Đã trả lời, kết thúc tại hội nghị: UBND xã sẽ sửa trong quý II"),
        (A, "Đã trả lời rồi", "Đã trả lời rồi"),
        (A, "", "Đã trả lời, kết thúc tại hội nghị"),
        (N, "Tuyến đường do tỉnh quản lý", "Giải thích, không cần giải quyết: Tuyến đường do tỉnh quản lý"),
    ],
)
def test_the_outcome_says_its_verb_once(kind: ConclusionKind, said: str, told: str) -> None:
    assert kind.told(said) == told


def test_open311_notes_say_the_verb_once() -> None:
    assert (
        outcome_note({"kind": "answered", "note": "Đã trả lời: UBND xã sẽ sửa"})
        == "Đã trả lời: UBND xã sẽ sửa"
    )
    assert outcome_note({"kind": "unknown", "note": "x"}) == "x"
    assert outcome_note(None) is None
