"""Section III of the minutes numbers the Secretary's conclusions 1..k in topic order, without a
gap where an issue has no conclusion. Seen from outside: it jumped from 5 to 7, issue 6 (raised
on the floor, not concluded) left out without renumbering."""

from __future__ import annotations

import re
from datetime import date

from services.demo.documents import demo_dataset, demo_document
from services.reporting.documents import build_data


def test_the_conclusions_are_numbered_without_gaps() -> None:
    commune, dialogue, items, _ = demo_dataset()
    notice = demo_document("thong-bao-ket-luan", number=5).notice
    assert notice is not None
    keys = [c.key for c in notice.conclusions]
    assert len(keys) >= 4
    concluded = {
        k: {"kind": "answered", "text": f"Đã trả lời về vấn đề {n}."} for n, k in enumerate(keys) if n != 1
    }
    data = build_data(
        "bien-ban",
        commune,
        dialogue,
        items,
        number=1,
        issued_on=date(2017, 4, 5),
        meeting={"conclusions": concluded},
    )
    assert data.minutes is not None
    numbers = [int(re.match(r"(\d+)\. ", line).group(1)) for line in data.minutes.conclusion]
    assert numbers == list(range(1, len(concluded) + 1))
