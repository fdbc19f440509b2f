"""The meeting-day page's form parsing (services/intake/web/staff/meeting.py), without a store or a
service: forms are Starlette `FormData` built in memory (what the guard hands the route), the
issues and speakers plain dicts shaped like reporting's record and intake's speaking order."""

from __future__ import annotations

from datetime import date, time

from starlette.datastructures import FormData

from services.demo.seed import demo_commune, demo_dialogue
from services.intake.web.staff.meeting import (
    conclusion_body,
    facts_body,
    intervention_body,
    local_parts,
    parse_time,
    parse_vn_date,
    resolve_links,
)

ISSUES = [
    {"key": "c-1", "number": 1, "summary": "Cống thoát nước chợ bị nghẹt", "topic_name": "Hạ tầng",
     "tracking_codes": ["DT-AB12CD34", "DT-ZZ99YY88"]},
    {"key": "s-2", "number": 2, "summary": "Thủ tục đất đai còn chậm", "topic_name": "Hành chính",
     "tracking_codes": ["DT-QQ11WW22"]},
]  # fmt: skip
SPEAKERS = [{"order": 1, "name": "Nguyễn Thị Bảy", "hamlet": "ấp Chợ", "topic": 3}]
HAMLETS = ["ấp Chợ", "ấp Căn Cứ"]


def test_dates_and_times_are_read_the_vietnamese_way():
    assert parse_vn_date("30/06/2017") == date(2017, 6, 30) and parse_vn_date("3 / 6 / 2017") == date(
        2017, 6, 3
    )
    assert parse_vn_date("31/02/2017") is None and parse_vn_date("2017-06-30") is None
    assert (
        parse_time("7h30") == time(7, 30)
        and parse_time("14:05") == time(14, 5)
        and parse_time("7g") == time(7)
    )
    assert parse_time("25h") is None and parse_time("bảy giờ") is None
    assert local_parts("2017-03-25T00:30:00+00:00") == ("25/03/2017", "07:30")  # Vietnam time


def test_links_resolve_by_tracking_code_number_or_words_and_say_why_not():
    keys, codes, errors = resolve_links(["dt-zz99yy88 · #1 Cống", "#2", "DT-NEW00001", "thu tuc dat"], ISSUES)
    assert keys == ["c-1", "s-2"] and codes == ["DT-NEW00001"] and not errors
    _, _, errors = resolve_links(["không khớp gì", "", "#1"], ISSUES)
    assert list(errors) == ["link_0"] and "Không tìm thấy" in errors["link_0"]
    _, _, errors = resolve_links(
        ["chợ"], [*ISSUES, {**ISSUES[0], "key": "x", "summary": "Lòng đường ấp Chợ hẹp"}]
    )
    assert "Có 2 ý kiến khớp" in errors["link_0"]


def test_an_intervention_from_the_order_or_the_floor():
    form = FormData(
        [("speaker", "nguyen thi bay"), ("question", "Bao giờ nạo vét cống?"), ("link_0", "DT-AB12CD34"),
         ("answer_by_0", "Chủ tịch UBND xã"), ("answer_text_0", "Quý II."), ("answer_by_1", "Đang gõ")]
    )  # fmt: skip
    body, errors, _ = intervention_body(form, ISSUES, SPEAKERS, HAMLETS, new=True, autosave=True)
    assert not errors
    assert body["registered"] is True and body["hamlet"] == "ấp Chợ" and body["issue_keys"] == ["c-1"]
    assert body["answers"] == [{"by": "Chủ tịch UBND xã", "text": "Quý II."}] and "new_issues" not in body
    _, errors, _ = intervention_body(form, ISSUES, SPEAKERS, HAMLETS, new=True, autosave=False)
    assert list(errors) == ["answer_text_1"]  # a plain save names the half-typed answer

    floor = FormData(
        [("speaker", "Lê Văn Tư"), ("hamlet", "ấp Căn Cứ"), ("question", "Đèn đường hư."), ("moi", "1")]
    )
    body, errors, _ = intervention_body(floor, ISSUES, SPEAKERS, HAMLETS, new=True, autosave=False)
    assert not errors and body["registered"] is False
    assert body["new_issues"] == [{"text": "Đèn đường hư.", "hamlet": "ấp Căn Cứ"}]
    _, errors, values = intervention_body(
        FormData([("hamlet", "ấp Không Có"), ("answer_text_0", "x")]), ISSUES, SPEAKERS, HAMLETS,
        new=True, autosave=False,
    )  # fmt: skip
    assert (
        set(errors) == {"speaker", "question", "hamlet", "answer_by_0"} and values["hamlet"] == "ấp Không Có"
    )


def test_a_conclusion_carries_only_what_its_kind_needs():
    commune = demo_commune()
    assigned = FormData(
        [("kind", "assigned"), ("text", "Giao nạo vét."), ("office_id", "phong-kinh-te"),
         ("coordinating", "van-phong-hdnd-ubnd"), ("coordinating", "phong-kinh-te"),
         ("deadline_date", "30/06/2017"), ("reason", "left from another kind")]
    )  # fmt: skip
    body, errors, _ = conclusion_body(assigned, commune)
    assert not errors and body == {
        "kind": "assigned",
        "text": "Giao nạo vét.",
        "office_id": "phong-kinh-te",
        "coordinating_office_ids": ["van-phong-hdnd-ubnd"],
        "deadline_date": "2017-06-30",
    }
    _, errors, _ = conclusion_body(FormData([("kind", "assigned"), ("text", "Giao."), ("deadline_days", "30"),
                                             ("deadline_date", "30/06/2017")]), commune)  # fmt: skip
    assert set(errors) == {"office_id", "deadline_days"}
    _, errors, _ = conclusion_body(FormData([("kind", "recommended"), ("text", "Kiến nghị tỉnh.")]), commune)
    assert set(errors) == {"higher_body"}
    _, errors, _ = conclusion_body(FormData([("kind", "no_action"), ("text", "Đã giải thích.")]), commune)
    assert set(errors) == {"reason"}
    _, errors, _ = conclusion_body(FormData([]), commune)
    assert set(errors) == {"kind", "text"}


def test_the_facts_are_times_of_the_meeting_day_in_vietnam_time():
    dialogue = demo_dialogue()
    form = FormData(
        [("started_time", "7h30"), ("ended_time", "11:00"), ("delegate", "Trưởng Khối vận"),
         ("delegates_other", "Đại diện Phòng Kinh tế\n\nTrưởng Khối vận")]
    )  # fmt: skip
    body, errors, _ = facts_body(form, dialogue, 4)
    assert not errors and body["revision"] == 4
    assert body["started_at"] == f"{dialogue.meeting_date.isoformat()}T07:30:00+07:00"
    assert body["delegates_present"] == ["Trưởng Khối vận", "Đại diện Phòng Kinh tế"]
    wrong_day = FormData([("started_time", "11:00"), ("ended_time", "7:00"), ("day", "32/1/2017")])
    _, errors, _ = facts_body(wrong_day, dialogue, 0)
    assert set(errors) == {"day"}
    _, errors, _ = facts_body(FormData([("started_time", "11:00"), ("ended_time", "7:00")]), dialogue, 0)
    assert set(errors) == {"ended_time"}
