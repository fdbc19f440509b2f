"""An assigned conclusion names who carries it out once, and that is the structured assignment's
office in the plan year's title (`documents.assignee`). Seen before: the demo 2017 notice printed
"Giao Công chức Địa chính - … chủ trì: Phòng Kinh tế chủ trì, phối hợp Công an xã kiểm tra…"
(two assignees, one of them today's title) and "Giao <office> chủ trì: Công an xã lập lại trật
tự" (a contradiction) when the Secretary's text named the office itself.

No fakes: the demo data set (the 2017 seed plan) through `build_data` and `render`, a meeting
record as the store holds it; the PDF is read back with pypdf."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import date

from docx import Document
from pypdf import PdfReader

from services.demo.documents import demo_dataset
from services.reporting import handlers
from services.reporting.documents import build_data, render
from services.reporting.documents.assignee import era_renames, era_text
from tests.unit.test_notice_spacing import concluded
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE, world  # noqa: F401

NOTICE = "thong-bao-ket-luan"
ISSUED = date(2017, 4, 5)

LEGACY_KT = "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"
ASSIGNED = {
    "kind": "assigned",
    "text": "Giao Phòng Kinh tế chủ trì, phối hợp Công an xã kiểm tra, sửa chữa cống đầu chợ",
    "office_id": "phong-kinh-te",
    "coordinating_office_ids": ["cong-an-xa"],
    "deadline_working_days": 15,
}


def _paragraph(lines: list[str], words: str) -> str:
    [line] = [" ".join(p.split()) for p in lines if words in " ".join(p.split())]
    return line


def _html_lines(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", p) for p in re.findall(r'<p class="conclusion"[^>]*>(.*?)</p>', html, re.S)
    ]


def test_a_text_naming_the_assigned_office_prints_it_once_in_the_era_title() -> None:
    _, data = concluded(ASSIGNED)
    html = render("thong-bao-ket-luan", "html", data).decode()
    line = _paragraph(_html_lines(html), "sửa chữa cống đầu chợ")
    assert f"Giao {LEGACY_KT} chủ trì, phối hợp Công an xã: kiểm tra, sửa chữa cống đầu chợ." in line, line
    assert "Phòng Kinh tế" not in line and line.count("Giao") == 1 and line.count("phối hợp") == 1, line
    docx = Document(io.BytesIO(render("thong-bao-ket-luan", "docx", data)))
    line = _paragraph([p.text for p in docx.paragraphs], "sửa chữa cống đầu chợ")
    assert f"Giao {LEGACY_KT} chủ trì, phối hợp Công an xã: kiểm tra, sửa chữa cống đầu chợ." in line, line


def test_a_text_naming_another_body_follows_the_assignment() -> None:
    key, data = concluded({**ASSIGNED, "text": "Giao Công an xã lập lại trật tự trước chợ"})
    assert data.notice is not None
    [issue] = [c for c in data.notice.conclusions if c.key == key]
    assert issue.task_named == "Công an xã"  # reported, not printed
    html = render("thong-bao-ket-luan", "html", data).decode()
    line = _paragraph(_html_lines(html), "trật tự trước chợ")
    assert f"Giao {LEGACY_KT} chủ trì, phối hợp Công an xã: lập lại trật tự trước chợ." in line, line
    assert line.count("Công an xã") == 1, line


def test_the_minutes_say_the_assignee_once() -> None:
    _, data = concluded(ASSIGNED, "bien-ban")
    assert data.minutes is not None
    line = _paragraph(list(data.minutes.conclusion), "sửa chữa cống đầu chợ")
    assert f"giao {LEGACY_KT} chủ trì, phối hợp Công an xã: kiểm tra, sửa chữa cống đầu chợ; thời hạn" in line
    assert "Phòng Kinh tế" not in line, line


def test_the_printed_pdf_reads_one_assignee() -> None:
    _, data = concluded(ASSIGNED)
    text = " ".join(
        " ".join((page.extract_text() or "").split())
        for page in PdfReader(io.BytesIO(render("thong-bao-ket-luan", "pdf", data))).pages
    )
    assert "Phòng Kinh tế" not in text
    assert "chủ trì, phối hợp Công an xã: kiểm tra, sửa chữa cống đầu chợ." in text


def test_other_conclusions_name_offices_in_the_era_title_too() -> None:
    commune, dialogue, items, _ = demo_dataset()
    _, data = concluded(ASSIGNED)
    assert data.notice is not None
    key = data.notice.conclusions[1].key
    meeting = {
        "conclusions": {
            key: {"kind": "answered", "text": "Đã trả lời: Phòng Văn hóa - Xã hội đã hướng dẫn bà con"}
        }
    }
    notice = build_data(
        "thong-bao-ket-luan", commune, dialogue, items, number=5, issued_on=date(2017, 4, 5), meeting=meeting
    ).notice
    assert notice is not None
    [closed] = notice.closed
    assert closed.answered_line == "Đã trả lời: Công chức Văn hóa - Xã hội đã hướng dẫn bà con."


def test_era_text_renames_both_ways_and_keeps_a_title_that_holds_another() -> None:
    commune, *_ = demo_dataset()
    before, after = era_renames(commune, True), era_renames(commune, False)
    assert era_text("phòng kinh tế khảo sát", before) == f"{LEGACY_KT} khảo sát"
    assert era_text(f"{LEGACY_KT} khảo sát", after) == "Phòng Kinh tế khảo sát"
    held = "Chỉ huy trưởng Ban Chỉ huy Quân sự xã"
    assert era_text(f"{held}; Ban Chỉ huy Quân sự xã", before) == f"{held}; {held}"
    assert era_text("Phòng Kinh tế", {}) == "Phòng Kinh tế"


class _Meetings:
    """The meeting store's read, holding one record."""

    def __init__(self, record: dict) -> None:
        self.record = record

    async def get(self, commune_id: str, dialogue_id: str) -> dict:
        return self.record


async def test_readiness_warns_of_a_text_assigning_another_body(world):  # noqa: F811
    docs, _ = world
    ok = {"kind": "assigned", "text": "Giao Phòng Kinh tế nạo vét cống", "office_id": "phong-kinh-te"}
    other = {**ok, "text": "Giao UBND xã nạo vét cống"}
    for conclusion, warned in ((ok, False), (other, True)):
        meeting = _Meetings({"revision": 1, "conclusions": {"s1": conclusion}})
        body = await handlers.issuing_readiness(
            replace(docs, meetings=meeting), COMMUNE.id, DIALOGUE.id, NOTICE
        )
        found = [p for p in body["problems"] if p["code"] == "other_assignee"]
        assert bool(found) is warned, body["problems"]
    [problem] = found
    assert problem["issue_keys"] == ["s1"] and not problem["blocking"]
    assert (
        "“UBND xã” (phân công: Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường)"
        in problem["message_vi"]
    )


def test_answers_and_prepared_answers_name_offices_in_the_era_title() -> None:
    commune, dialogue, items, _ = demo_dataset()
    first = items[0]
    prepared = [{**first, "answer": "Phòng Kinh tế đã lập dự toán"}, *items[1:]]
    meeting = {
        "revision": 1,
        "interventions": [
            {
                "order": 1,
                "speaker": "Ông Lê Văn Tám",
                "question": "Phòng Kinh tế là gì?",  # the resident's words: as typed
                "answers": [{"by": "Phòng Kinh tế", "text": "Phòng Kinh tế sẽ khảo sát trong tháng 4"}],
            }
        ],
    }
    minutes = build_data("bien-ban", commune, dialogue, prepared, number=1, issued_on=ISSUED, meeting=meeting)
    assert minutes.minutes is not None
    [speech] = minutes.minutes.speeches
    assert speech.issue == "Phòng Kinh tế là gì?"
    assert (
        speech.answers[0].by == LEGACY_KT
        and speech.answers[0].text == f"{LEGACY_KT} sẽ khảo sát trong tháng 4"
    )
    report = build_data(
        "bao-cao-tong-hop", commune, dialogue, prepared, number=1, issued_on=ISSUED, options={"charts": False}
    )
    assert report.report is not None
    answers = [i.prepared_answer for g in report.report.groups for i in g.issues if i.prepared_answer]
    assert answers == [f"{LEGACY_KT} đã lập dự toán"]
