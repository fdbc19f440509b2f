"""Issues raised again and again stand out in the notice, the minutes and the summary report: a
bold mark first ("[Nêu 3 lần, kéo dài từ năm 2015]"), first within their topic and section, a
sentence listing their numbers; and each earlier round reads as that round's conclusion and how
its follow-up ended (done, overdue, still open), not the answer text typed then.

Seen before: the demo 2017 notice said "(3 lần) (kéo dài, đã nêu các năm 2015, 2016)" after the
hamlet, in the items' order (the 2016 Bến Đò project 29th, after nothing), and "Năm 2016 đã trả
lời: “Xã sẽ vận động…”" whatever happened to that round's follow-up.

No fakes: the demo data set through `build_data` and `render`; earlier rounds' follow-up tasks are
dicts as the follow-up store holds them."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from docx import Document

from services.demo.documents import demo_dataset
from services.reporting.documents import build_data, render
from services.reporting.documents.model import Earlier
from services.reporting.raised import CARRIED_OVER, with_earlier_followup
from services.reporting.rendering import carried_items

NOTICE = "thong-bao-ket-luan"
OVERDUE = "quá hạn (hạn 30/09/2016), chưa giải quyết xong"
ISSUED_ON = date(2017, 4, 5)
CONCLUDED_2016 = (
    "Giao Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường sửa chữa lộ đal tổ 5 trong quý III"
)


def _notice(items: list[dict[str, Any]] | None = None, meeting: dict | None = None):
    commune, dialogue, demo_items, _ = demo_dataset()
    return build_data(
        NOTICE, commune, dialogue, items or demo_items, number=5, issued_on=ISSUED_ON, meeting=meeting
    )


def _tasks_2016() -> list[dict[str, Any]]:
    """The 2016 dialogue's follow-up: the lộ đal task concluded and overdue, the Bến Đò project
    sent to the higher level, the market drain (2015 round has none) resolved in 2016."""
    return [
        {
            "_id": "demo-2016:2016-11",
            "dialogue_id": "demo-2016",
            "submission_ids": ["2016-11"],
            "text": CONCLUDED_2016,
            "issue_text": "Lộ đal tổ 5 ấp Căn Cứ bị lún nứt nhiều đoạn…",
            "conclusion_kind": "assigned",
            "office_name": "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường",
            "status": "in_progress",
            "due": "2016-09-30",
        },
        {
            "_id": "demo-2016:2016-15",
            "dialogue_id": "demo-2016",
            "submission_ids": ["2016-15"],
            "text": "Dự án khu dân cư Bến Đò quy hoạch từ năm 2010…",
            "office_name": "Văn phòng Đảng ủy",
            "status": "awaiting_higher_level",
            "due": "2016-06-10",
        },
        {
            "_id": "demo-2016:2016-04",
            "dialogue_id": "demo-2016",
            "submission_ids": ["2016-04"],
            "text": "Đã lập hồ sơ đề xuất xây lại cống, nạo vét định kỳ",
            "issue_text": "Bà con tiếp tục kiến nghị cống thoát nước…",
            "conclusion_kind": "assigned",
            "office_name": "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường",
            "status": "resolved",
            "due": "2016-06-10",
        },
    ]


def test_repeated_issues_come_first_in_their_topic_and_section() -> None:
    notice = _notice().notice
    assert notice is not None
    for group in notice.groups:
        flags = [i.repeated for i in group.issues]
        assert flags == sorted(flags, reverse=True), group.heading  # repeated ones, then the rest
    assert notice.escalations[0].repeated and notice.escalations[0].long_running
    numbers = [c.number for c in notice.conclusions] + [e.number for e in notice.escalations]
    assert numbers == list(range(1, len(numbers) + 1))  # still one number per issue, in order


def test_the_notice_marks_them_in_bold_and_lists_their_numbers_first() -> None:
    data = _notice()
    notice = data.notice
    assert notice is not None
    repeated = [i for i in (*notice.conclusions, *notice.escalations) if i.repeated]
    assert {i.repeat_mark for i in repeated} >= {"Nêu 3 lần, kéo dài từ năm 2015", "Nêu 2 lần"}
    numbers = ", ".join(str(i.number) for i in repeated)
    assert f"Trong đó có {len(repeated):02d} vấn đề nhân dân đã nêu nhiều lần" in data.intro[0]
    assert f": số {numbers}; các vấn đề này được đánh dấu" in data.intro[0]
    html = render(NOTICE, "html", data).decode()
    marks = re.findall(r'<strong class="repeat"> \[([^]]+)\]</strong> Ý kiến', html)
    assert marks == [i.repeat_mark for i in repeated]
    assert "(3 lần)" not in html and "(kéo dài" not in html  # said once, in the mark
    docx = Document(io.BytesIO(render(NOTICE, "docx", data)))
    bold = [r.text.strip() for p in docx.paragraphs for r in p.runs if r.bold and r.text.startswith(" [")]
    assert bold == [f"[{i.repeat_mark}]" for i in repeated]


def test_an_earlier_round_reads_its_conclusion_and_how_its_follow_up_ended() -> None:
    _, _, items, _ = demo_dataset()
    joined = with_earlier_followup(items, _tasks_2016())
    notice = _notice(joined).notice
    assert notice is not None
    by_text = {i.text[:20]: i for i in (*notice.conclusions, *notice.escalations)}
    road = by_text["Lộ đal tổ 5 ấp Căn C"]
    assert road.earlier_lines == (f"Đợt năm 2016: kết luận “{CONCLUDED_2016}”; kết quả: {OVERDUE}.",)
    drain = by_text["Cống thoát nước đầu "]
    assert drain.earlier_lines == (
        "Đợt năm 2015: đã trả lời “UBND xã đã cho nạo vét tạm thời; việc xây lại cống được đưa vào danh mục "
        "đề xuất đầu tư năm 2016”; chưa có kết quả theo dõi.",
        "Đợt năm 2016: kết luận “Đã lập hồ sơ đề xuất xây lại cống, nạo vét định kỳ”; "
        "kết quả: đã giải quyết xong.",
    )
    project = by_text["Dự án khu dân cư Bến"]
    assert project.earlier_lines == (
        "Đợt năm 2016: giao Văn phòng Đảng ủy giải quyết; kết quả: đang chờ cấp trên giải quyết.",
    )
    text = " ".join(re.sub(r"<[^>]+>", "", render(NOTICE, "html", _notice(joined)).decode()).split())
    assert "Năm 2016 đã trả lời" not in text and "Xã sẽ vận động nhân dân đóng góp" not in text
    assert "kết quả: quá hạn (hạn 30/09/2016), chưa giải quyết xong." in text


def test_a_round_carried_over_reads_its_own_task() -> None:
    task = {**_tasks_2016()[0], "cluster_id": "c-2016-11", "hamlet": "ấp Căn Cứ", "topic": 3}
    task |= {"office_id": "phong-kinh-te", "status": "assigned", "due": "2017-06-30"}
    [carried] = with_earlier_followup(carried_items([task], {"demo-2016": 2016}), [task])
    assert carried["source"] == CARRIED_OVER
    notice = _notice([carried]).notice
    assert notice is not None
    [issue] = notice.conclusions
    assert issue.earlier_lines == (
        f"Đợt năm 2016: kết luận “{CONCLUDED_2016}”; kết quả: đang giải quyết, hạn 30/06/2017.",
    )
    assert issue.repeat_mark == "Đã nêu, kéo dài từ năm 2016"


def test_outcomes_as_of_the_document_day() -> None:
    base = Earlier(2016, "t", None, conclusion="c", status="assigned", due=date(2017, 4, 5))
    assert (
        Earlier(**{**base.__dict__, "as_of": date(2017, 4, 5)}).outcome == "đang giải quyết, hạn 05/04/2017"
    )
    assert Earlier(**{**base.__dict__, "as_of": date(2017, 4, 6)}).outcome.startswith("quá hạn")
    assert Earlier(**{**base.__dict__, "status": "rejected"}).outcome == "không giải quyết"
    assert Earlier(2016, "t", None).line == ""  # nothing on record: nothing printed


def test_the_minutes_and_the_report_mark_them_too() -> None:
    commune, dialogue, items, _ = demo_dataset()
    notice = _notice().notice
    assert notice is not None
    drain = next(i for i in notice.conclusions if i.times_raised == 3)
    meeting = {
        "conclusions": {drain.key: {"kind": "assigned", "text": "Xây lại cống", "office_id": "phong-kinh-te"}}
    }
    minutes = build_data("bien-ban", commune, dialogue, items, number=2, issued_on=ISSUED_ON, meeting=meeting)
    assert minutes.minutes is not None
    assert minutes.minutes.conclusion[0].startswith(  # under its number in the notice
        f"{drain.number}. [Nêu 3 lần, kéo dài từ năm 2015] Về ý kiến “Cống thoát"
    )
    joined = with_earlier_followup(items, _tasks_2016())
    report = build_data(
        "bao-cao-tong-hop",
        commune,
        dialogue,
        joined,
        number=3,
        issued_on=date(2017, 3, 17),
        options={"charts": False},
    )
    assert report.report is not None and report.report.repeated_note.startswith("Trong đó có")
    html = " ".join(re.sub(r"<[^>]+>", "", render("bao-cao-tong-hop", "html", report).decode()).split())
    assert "[Nêu 3 lần, kéo dài từ năm 2015] Cống thoát nước" in html
    assert "(Nêu 2 lần" not in html and "nêu 2 lần, kéo dài từ năm 2016): Lộ đal tổ 5" in html
    assert "kết quả: quá hạn (hạn 30/09/2016), chưa giải quyết xong." in html


def test_a_speaker_raising_a_repeated_issue_is_marked_in_the_minutes() -> None:
    commune, dialogue, items, _ = demo_dataset()
    notice = _notice().notice
    assert notice is not None
    drain = next(i for i in notice.conclusions if i.times_raised == 3)
    once = next(i for i in notice.conclusions if not i.repeated)
    speak = [
        {
            "order": 1,
            "speaker": "Ông Tám",
            "hamlet": "ấp Chợ",
            "question": "Cống?",
            "issue_keys": [drain.key],
        },
        {"order": 2, "speaker": "Bà Hoa", "hamlet": "ấp Chợ", "question": "Đèn?", "issue_keys": [once.key]},
    ]
    data = build_data(
        "bien-ban",
        commune,
        dialogue,
        items,
        number=2,
        issued_on=ISSUED_ON,
        meeting={"revision": 1, "interventions": speak},
    )
    assert data.minutes is not None
    assert [s.repeat_mark for s in data.minutes.speeches] == ["Nêu 3 lần, kéo dài từ năm 2015", ""]
    html = render("bien-ban", "html", data).decode()
    assert (
        '1)<strong class="repeat"> [Nêu 3 lần, kéo dài từ năm 2015]</strong> Ông Tám (ấp Chợ): Cống?' in html
    )
    assert "2) Bà Hoa (ấp Chợ): Đèn?" in html
    docx = Document(io.BytesIO(render("bien-ban", "docx", data)))
    [line] = [p for p in docx.paragraphs if "Ông Tám" in p.text]
    assert line.text == "1) [Nêu 3 lần, kéo dài từ năm 2015] Ông Tám (ấp Chợ): Cống?"
    assert [r.text for r in line.runs if r.bold] == [" [Nêu 3 lần, kéo dài từ năm 2015]"]
