"""The answer an office prepared (routing's decision, carried to reporting's read model) is
printed with its issue in the summary report the Văn phòng sends before the meeting, in the HTML
and the DOCX.

No fakes: `build_data` and the renderers are pure, fed the demo commune and plan and
hand-written read-model items."""

from __future__ import annotations

import io
from datetime import date

from docx import Document

from services.demo.seed import demo_commune, demo_dialogue
from services.reporting.documents import build_data, render

ANSWER = "UBND xã đã khảo sát, sẽ nạo vét cống trong quý II năm 2017."


def items() -> list[dict]:
    base = {
        "dialogue_id": "demo-2017",
        "source": "citizen",
        "kind": "petition",
        "hamlet": "ấp Chợ",
        "topic": 3,
        "office_id": "kinh-te",
        "authority_level": "commune",
    }
    return [
        {
            **base,
            "_id": "s1",
            "text": "Cống thoát nước đường vào chợ bị nghẹt, mưa là ngập.",
            "answer": ANSWER,
        },
        {**base, "_id": "s2", "text": "Đèn đường ấp Chợ hư đã lâu.", "topic": 4},
    ]


def test_the_summary_report_prints_the_prepared_answer_with_its_issue_only():
    data = build_data(
        "bao-cao-tong-hop", demo_commune(), demo_dialogue(), items(), number=None, issued_on=date(2017, 3, 17)
    )
    answered = [i for g in data.report.groups for i in g.issues if i.prepared_answer]
    assert [i.text for i in answered] == ["Cống thoát nước đường vào chợ bị nghẹt, mưa là ngập."]

    html = render("bao-cao-tong-hop", "html", data).decode("utf-8")
    assert f"Nội dung trả lời đã chuẩn bị: “{ANSWER}”" in html
    assert html.count("Nội dung trả lời đã chuẩn bị") == 1

    docx = Document(io.BytesIO(render("bao-cao-tong-hop", "docx", data)))
    cells = " ".join(c.text for t in docx.tables for r in t.rows for c in r.cells)
    assert f"Nội dung trả lời đã chuẩn bị: “{ANSWER}”" in cells
