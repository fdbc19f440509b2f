"""Section III of the minutes prints each of the Secretary's conclusions under the issue's number
in the conclusion notice, in that order: "vấn đề 2" in the minutes is "2." in the notice and the
follow-up task's `notice_number`. An outside walkthrough read the minutes numbering 1..k in topic
order (land title 1, drain 2) where the notice printed the drain as 1. An issue not concluded
keeps its number elsewhere and is not said to be concluded here, so its number is skipped (the
earlier rule, 1..k without gaps, gave the minutes numbers of their own)."""

from __future__ import annotations

from datetime import date

from services.demo.documents import demo_dataset, demo_document
from services.reporting.documents import build_data


def test_the_conclusions_carry_the_notices_numbers() -> None:
    commune, dialogue, items, _ = demo_dataset()
    notice = demo_document("thong-bao-ket-luan", number=5).notice
    assert notice is not None
    keys = [c.key for c in notice.conclusions]
    assert len(keys) >= 4
    concluded = {
        k: {"kind": "answered", "text": f"Đã trả lời về vấn đề {n}."} for n, k in enumerate(keys) if n != 1
    }
    meeting = {"conclusions": concluded}
    data = build_data(
        "bien-ban", commune, dialogue, items, number=1, issued_on=date(2017, 4, 5), meeting=meeting
    )
    issued = build_data(
        "thong-bao-ket-luan", commune, dialogue, items, number=5, issued_on=date(2017, 4, 5), meeting=meeting
    )
    assert data.minutes is not None and issued.notice is not None
    numbers = [int(line.split(".", 1)[0]) for line in data.minutes.conclusion]
    in_notice = {i.key: i.number for i in issued.notice.closed}
    assert numbers == sorted(in_notice[k] for k in concluded)
    texts = {int(line.split(".", 1)[0]): line for line in data.minutes.conclusion}
    for issue in issued.notice.closed:  # each number names the same issue in both
        assert issue.text.rstrip(".")[:40] in texts[issue.number]
