"""The Secretary's own text (a conclusion, the reason no action is needed, an answer given at the
meeting) typed on several lines is printed as one paragraph in every format, its line breaks
joined with their words as typed (`printed_text.one_paragraph`, as a resident's text is). Before, the DOCX
kept each break (docxtpl turns "\\n" into a line break inside the numbered conclusion; a blank
line read as an empty paragraph) while the HTML and PDF ran the lines together."""

from __future__ import annotations

import io
import re
from dataclasses import replace

from docx import Document

from services.demo.documents import demo_dataset
from services.reporting.documents import build_data, render
from tests.unit.test_notice_spacing import concluded

NOTICE = "thong-bao-ket-luan"
MINUTES = "bien-ban"
TYPED = "Nạo vét cống trước chợ\n\nLàm lại nắp cống\nbáo cáo kết quả"
PRINTED = "Nạo vét cống trước chợ. Làm lại nắp cống báo cáo kết quả"


def _docx_paragraphs(blob: bytes) -> list[str]:
    document = Document(io.BytesIO(blob))
    cells = [c for t in document.tables for row in t.rows for c in row.cells]
    return [p.text for p in [*document.paragraphs, *(p for c in cells for p in c.paragraphs)]]


def _html_paragraphs(markup: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", p) for p in re.findall(r"<p[^>]*>(.*?)</p>", markup, re.S)]


def _one_paragraph_everywhere(kind: str, data, needle: str) -> None:
    """`needle` is inside one paragraph of the HTML and of the DOCX, and no DOCX paragraph breaks
    a line (python-docx reads a w:br as "\\n")."""
    html = [p for p in _html_paragraphs(render(kind, "html", data).decode()) if needle in p]
    docx = _docx_paragraphs(render(kind, "docx", data))
    assert len(html) == 1, html
    assert [p for p in docx if needle in p], docx
    assert not [p for p in docx if "\n" in p]


def test_an_assigned_conclusion_typed_on_several_lines() -> None:
    key, data = concluded({"kind": "assigned", "text": TYPED, "office_id": "phong-kinh-te"})
    [issue] = [c for c in data.notice.conclusions if c.key == key]
    assert issue.conclusion == PRINTED
    _one_paragraph_everywhere(NOTICE, data, PRINTED)


def test_a_reason_and_an_answer_typed_on_several_lines() -> None:
    key, data = concluded({"kind": "no_action", "reason": "Đã có kế hoạch\nđang thi công", "text": TYPED})
    [issue] = [c for c in data.notice.closed if c.key == key]
    assert (issue.reason, issue.conclusion) == ("Đã có kế hoạch đang thi công", PRINTED)
    _one_paragraph_everywhere(NOTICE, data, "Đã có kế hoạch đang thi công.")


def test_the_minutes_print_each_question_answer_and_conclusion_as_one_paragraph() -> None:
    key, notice = concluded({"kind": "answered", "text": TYPED})
    record = {
        "conclusions": {key: {"kind": "answered", "text": TYPED}},
        "interventions": [
            {
                "order": 1,
                "speaker": "Ông Tư",
                "hamlet": "ấp Chợ",
                "question": "Cống trước chợ bị nghẹt\nkhi nào sửa?",
                "answers": [{"by": "Phòng Kinh tế", "text": "Trong quý II\nsẽ nạo vét"}],
            }
        ],
    }
    commune, dialogue, items, _ = demo_dataset()
    data = build_data(MINUTES, commune, dialogue, items, number=1, issued_on=notice.issued_on, meeting=record)
    assert data.minutes is not None
    [speech] = data.minutes.speeches
    question, answer = "Cống trước chợ bị nghẹt khi nào sửa?", "Trong quý II sẽ nạo vét"
    assert (speech.issue, speech.answers[0].text) == (question, answer)
    assert any(PRINTED in line for line in data.minutes.conclusion)
    for needle in (question, answer, PRINTED):
        _one_paragraph_everywhere(MINUTES, data, needle)


def test_the_docx_prints_any_other_line_break_as_the_html_does() -> None:
    """The net in the DOCX renderer: a field no document joins (here the subject) with a line
    break or a tab is printed on one line, each a space, as the HTML shows it."""
    _, data = concluded({"kind": "assigned", "text": "Nạo vét cống", "office_id": "phong-kinh-te"})
    data = replace(data, subject="Kết luận của Ban Thường vụ\nvề hội nghị\tđối thoại\n năm 2017")
    docx = _docx_paragraphs(render(NOTICE, "docx", data))
    assert "Kết luận của Ban Thường vụ về hội nghị đối thoại năm 2017" in docx
    assert not [p for p in docx if "\n" in p or "\t" in p]
