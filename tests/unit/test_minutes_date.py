"""The minutes (biên bản) are written and adopted at the meeting, so their place-and-date line is
the meeting's day, whatever day staff issue the file: seen from outside, 01-BB/ĐU issued on
07/12/2026 printed "Tân Phước, ngày 07 tháng 12 năm 2026" above "Hội nghị kết thúc vào lúc 11 giờ
15 cùng ngày. Biên bản đã được thông qua tại hội nghị" for a meeting held on 25/03/2017. The number
stays the register's, and the other documents keep the day of issue."""

from __future__ import annotations

import io
from datetime import date

import pytest
from docx import Document

from services.demo.documents import demo_dataset
from services.reporting.documents import build_data, render

ISSUED = date(2026, 12, 7)  # the day staff issue the file, long after the meeting
MEETING_LINE = "Tân Phước, ngày 25 tháng 03 năm 2017"
ISSUED_LINE = "Tân Phước, ngày 07 tháng 12 năm 2026"
RECORD = {  # the meeting as recorded, started 07:30 and ended 11:15 in Asia/Ho_Chi_Minh
    "chair": "Nguyễn Văn Minh, Bí thư Đảng ủy xã",
    "minute_taker": "Trần Thị Thu, cán bộ Văn phòng Đảng ủy",
    "started_at": "2017-03-25T00:30:00Z",
    "ended_at": "2017-03-25T04:15:00Z",
}


def _docx_lines(blob: bytes) -> list[str]:
    """Every paragraph's text, the header's and band's table cells included."""
    document = Document(io.BytesIO(blob))
    cells = [c for t in document.tables for row in t.rows for c in row.cells]
    return [p.text for p in [*document.paragraphs, *(p for c in cells for p in c.paragraphs)]]


@pytest.fixture(scope="module")
def dataset():
    return demo_dataset()


def test_minutes_from_the_record_are_dated_the_meeting_day(dataset) -> None:
    commune, dialogue, items, _ = dataset
    data = build_data("bien-ban", commune, dialogue, items, number=1, issued_on=ISSUED, meeting=RECORD)
    assert data.date_line == MEETING_LINE
    assert data.number_line == "Số 01-BB/ĐU" and data.issued_on == ISSUED
    assert data.minutes is not None and "11 giờ 15 cùng ngày" in data.minutes.closing
    html = render("bien-ban", "html", data).decode()
    assert MEETING_LINE in html and ISSUED_LINE not in html
    lines = _docx_lines(render("bien-ban", "docx", data))
    assert MEETING_LINE in lines
    assert not any("năm 2026" in line for line in lines)


def test_a_record_started_just_after_midnight_utc_is_dated_its_local_day(dataset) -> None:
    commune, dialogue, items, _ = dataset
    record = {**RECORD, "started_at": "2017-03-24T23:30:00Z", "ended_at": "2017-03-25T03:00:00Z"}
    data = build_data("bien-ban", commune, dialogue, items, number=1, issued_on=ISSUED, meeting=record)
    assert data.date_line == MEETING_LINE  # 06:30 on the 25th in the commune


def test_minutes_from_the_minute_takers_input_and_the_blank_form_are_dated_the_meeting_day(
    dataset,
) -> None:
    commune, dialogue, items, minutes = dataset
    typed = build_data("bien-ban", commune, dialogue, items, number=1, issued_on=ISSUED, minutes=minutes)
    blank = build_data("bien-ban", commune, dialogue, items, number=None, issued_on=ISSUED)
    assert typed.date_line == blank.date_line == MEETING_LINE
    assert blank.number_line == "Số    -BB/ĐU"


@pytest.mark.parametrize("kind", ["thong-bao-ket-luan", "kien-nghi-cap-tren", "bao-cao-tong-hop"])
def test_other_documents_keep_the_day_of_issue(dataset, kind: str) -> None:
    commune, dialogue, items, _ = dataset
    data = build_data(kind, commune, dialogue, items, number=1, issued_on=ISSUED, meeting=RECORD)
    assert data.date_line == ISSUED_LINE
