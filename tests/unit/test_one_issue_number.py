"""One number per issue across the record: the meeting page's list (the meeting record's issues),
the minutes' section III, the conclusion notice and the summary report name an issue by the same
number, the notice's (`common.notice_sections`: section I by topic, then II, then III, repeated
issues first in each), also after the Secretary's conclusions move issues between sections.

Seen from outside (demo 2017): the meeting page, the minutes and the report numbered 1 land title,
2 drain; the notice, the follow-up board and the residents' page 1 drain, 3 land title (above
commune authority, the notice's section II); an intervention's "Ghi kết luận: vấn đề 3" matched
neither, and the report's "đã nêu nhiều lần: số 2" was the notice's "số 1".

The demo data set (repeated, carried-over and plain issues in several topics, some above commune
authority) through `build_data`, `render` (HTML text) and `meeting.issue_rows`."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from services.demo.documents import demo_dataset
from services.reporting.documents import build_data, render
from services.reporting.documents.common import (
    group_issues,
    notice_numbers,
    notice_sections,
    numbered_as_notice,
    with_conclusion_kinds,
)
from services.reporting.meeting import issue_rows

ISSUED_ON = date(2017, 4, 5)
TAG = re.compile(r"Mã kiểm tra (Q[A-Z]{2})")


def _tag(n: int) -> str:
    return "Q" + chr(65 + n // 26) + chr(65 + n % 26)


def _text(kind: str, data: Any) -> str:
    html = render(kind, "html", data).decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _numbers(text: str, pattern: str) -> dict[str, int]:
    """The tag of each issue printed -> the number printed before it."""
    return {m.group(2): int(m.group(1)) for m in re.finditer(pattern, text)}


def _record() -> tuple[Any, Any, list[dict[str, Any]], dict[str, Any]]:
    """The demo dialogue and a meeting record: every issue with a reviewed summary carrying its
    tag, and conclusions that move issues between the notice's sections (answered and no_action to
    III, a commune issue recommended upward to II, an issue above commune authority assigned to a
    commune office to I)."""
    commune, dialogue, items, _ = demo_dataset()
    rows = issue_rows(commune, dialogue, items, {})
    summaries = {str(r["key"]): f"Mã kiểm tra {_tag(n)} về việc số {n}" for n, r in enumerate(rows)}
    commune_level = [r for r in rows if r["authority_level"] == "commune"]
    above = [r for r in rows if r["authority_level"] != "commune"]
    repeated = [r for r in commune_level if r["repeat_mark"]]
    plain = [r for r in commune_level if not r["repeat_mark"]]
    assert len(repeated) >= 2 and len(plain) >= 3 and above
    assert len({r["topic"] for r in repeated}) >= 2  # repeated issues in several topics
    conclusions = {
        plain[0]["key"]: {"kind": "answered", "text": "Đã trả lời tại hội nghị."},
        repeated[0]["key"]: {"kind": "no_action", "text": "", "reason": "Đã giải thích rõ."},
        plain[1]["key"]: {"kind": "recommended", "text": "Kiến nghị tỉnh.", "higher_body": "Sở Xây dựng"},
        above[0]["key"]: {
            "kind": "assigned",
            "text": "Rà soát hồ sơ",
            "office_id": "phong-kinh-te",
            "deadline_working_days": 20,
        },
        repeated[1]["key"]: {
            "kind": "assigned",
            "text": "Xử lý dứt điểm",
            "office_id": "phong-kinh-te",
            "deadline_working_days": 30,
        },
    }
    return commune, dialogue, items, {"summaries": summaries, "conclusions": conclusions}


def test_the_meeting_page_minutes_notice_and_report_name_each_issue_by_one_number() -> None:
    commune, dialogue, items, meeting = _record()
    summaries, conclusions = meeting["summaries"], meeting["conclusions"]
    build = {
        kind: build_data(
            kind, commune, dialogue, items, number=3, issued_on=ISSUED_ON, meeting=meeting, options=options
        )
        for kind, options in (
            ("thong-bao-ket-luan", {}),
            ("bien-ban", {}),
            ("bao-cao-tong-hop", {"charts": False}),
        )
    }
    notice_text = _text("thong-bao-ket-luan", build["thong-bao-ket-luan"])
    notice = _numbers(notice_text, r"(\d+)\.(?: \[[^\]]*\])? Ý kiến của [^“]*“Mã kiểm tra (Q[A-Z]{2})")
    assert len(notice) == len(summaries)
    in_print = [notice[t] for t in TAG.findall(notice_text)]
    assert in_print == list(range(1, len(summaries) + 1))  # 1..n in print order

    rows = issue_rows(commune, dialogue, items, summaries, conclusions=conclusions)
    page = {str(r["summary"]).split()[3]: r["number"] for r in rows}  # "Mã kiểm tra QAB …"
    assert page == notice

    minutes_text = _text("bien-ban", build["bien-ban"])
    minutes = _numbers(minutes_text, r"(\d+)\. (?:\[[^\]]*\] )?Về ý kiến “Mã kiểm tra (Q[A-Z]{2})")
    assert len(minutes) == len(conclusions)
    assert minutes == {t: n for t, n in notice.items() if t in minutes}

    report_text = _text("bao-cao-tong-hop", build["bao-cao-tong-hop"])
    table = report_text.split("2. Tổng hợp ý kiến theo nội dung", 1)[1].split("3. Các vấn đề vượt", 1)[0]
    report = _numbers(table, r"(\d+) (?:\[[^\]]*\] )?Mã kiểm tra (Q[A-Z]{2})")
    assert report == notice

    # "nêu nhiều lần: số …" lists the same numbers in the report and the notice
    listed = re.compile(r"đã nêu nhiều lần[^:]*: số ([\d, ]+);")
    in_report, in_notice = listed.search(table), listed.search(notice_text)
    assert in_report and in_notice and in_report.group(1) == in_notice.group(1)


def test_notice_numbers_follow_the_sections_and_put_repeated_issues_first() -> None:
    commune, dialogue, items, meeting = _record()
    issues, _ = group_issues(commune, dialogue, items)
    kinds = with_conclusion_kinds(issues, meeting)
    groups, escalations, closed = notice_sections(dialogue, kinds)
    numbers = notice_numbers(dialogue, kinds)
    in_order = [*(i for g in groups for i in g.issues), *escalations, *closed]
    assert [numbers[i.key] for i in in_order] == list(range(1, len(issues) + 1))
    assert {i.key for i in closed} == {
        k for k, c in meeting["conclusions"].items() if c["kind"] in ("answered", "no_action")
    }
    for group in groups:  # within a topic the repeated ones lead
        marks = [bool(i.repeated) for i in group.issues]
        assert marks == sorted(marks, reverse=True)
    # the issues keep their order, each with its notice number
    assert [i.key for i in numbered_as_notice(dialogue, issues, meeting)] == [i.key for i in issues]
    assert {i.key: i.number for i in numbered_as_notice(dialogue, issues, meeting)} == numbers


def test_without_a_record_the_numbers_go_by_authority_alone() -> None:
    commune, dialogue, items, _ = demo_dataset()
    issues, _ = group_issues(commune, dialogue, items)
    notice = build_data("thong-bao-ket-luan", commune, dialogue, items, number=1, issued_on=ISSUED_ON).notice
    report = build_data(
        "bao-cao-tong-hop", commune, dialogue, items, number=1, issued_on=ISSUED_ON, options={"charts": False}
    ).report
    assert notice is not None and report is not None
    printed = {i.key: i.number for i in (*notice.conclusions, *notice.escalations)}
    assert printed == notice_numbers(dialogue, issues)
    assert {i.key: i.number for g in report.groups for i in g.issues} == printed
    assert {str(r["key"]): r["number"] for r in issue_rows(commune, dialogue, items, {})} == printed
