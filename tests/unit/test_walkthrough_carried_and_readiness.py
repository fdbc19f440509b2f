"""An outside walkthrough of a 2017 dialogue and its 2018 round (2017's unresolved issues carried
over) found, and these tests hold:

1. A carried-over issue keeps the earlier conclusion's kind and authority: recommended to a
   higher body it prints in the notice's section II (and the report's "vượt thẩm quyền", the
   letter), not as a commune office's task in section I, until this year's meeting concludes
   otherwise; and it prints the summary staff reviewed for it in the earlier record.
2. The notice's and the report's counts agree: the opinions received this year and the issues
   they are about, then the carried-over issues apart.
3. Readiness warns of a minutes chair who is neither the Secretary nor a deputy, of a speaker
   with no answer, and of a conclusion's deadline date not after the notice's issue day.
4. A "no action" conclusion prints the Secretary's words before the reason; the minutes' total
   attendance is the sum of the lists under it, each saying what it counts.

In-memory fakes of test_carried_over_at_meeting (the demo 2017 plan and a 2016 dialogue)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from services.reporting import handlers
from services.reporting.documents.build import build_data
from services.reporting.documents.checks import (
    chair_not_office_holder,
    deadlines_passed,
    minutes_blank,
    speeches_unanswered,
)
from services.reporting.documents.model import Issue
from services.reporting.documents.record import conclusion_sentence, minutes_part
from services.reporting.documents.render import render
from services.reporting.handlers import meeting as m
from services.reporting.rendering import carried_authority
from tests.unit.test_carried_over_at_meeting import EARLIER, LIGHTS, conclude, deps, earlier_task
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE, NOW

__all__ = ["deps"]  # the fixture

LAND_OFFICE = "Văn phòng Đăng ký đất đai tỉnh Tiền Giang"
SUMMARY = "Đề nghị cấp giấy chứng nhận quyền sử dụng đất cho các hộ ấp Chợ"
TODAY = NOW.date()


def an_issue(**fields) -> Issue:
    base = dict(
        key="k",
        number=1,
        topic=3,
        topic_name="",
        text="",
        hamlet="",
        submitters="",
        office="",
        coordinating=(),
        authority_level="commune",
        authority="",
        authority_body=None,
        count=1,
        times_raised=1,
        years_raised=(),
        long_running=False,
        earlier=(),
        needs_review=False,
    )
    return Issue(**{**base, **fields})


def recommended_task() -> dict:
    return {
        **earlier_task(),
        "text": "Kiến nghị Văn phòng Đăng ký đất đai tỉnh Tiền Giang cấp giấy cho các hộ",
        "issue_text": "so do nha toi 5 nam chua cap, goi 0901234567",
        "conclusion_kind": "recommended",
        "office_id": "van-phong-dang-uy",
        "office_name": "Văn phòng Đảng ủy",
        "authority_level": "commune",
        "authority_body": LAND_OFFICE,
        "status": "awaiting_higher_level",
    }


def with_land_issue(docs) -> None:
    docs.tasks.rows[LIGHTS] = recommended_task()
    docs.meetings.records[f"{COMMUNE.id}:{EARLIER.id}"] = {
        "_id": f"{COMMUNE.id}:{EARLIER.id}",
        "revision": 4,
        "summaries": {"x1": SUMMARY},
    }


async def notice_of(docs, record=None):
    items, carried = await handlers.documents.material(docs, COMMUNE, DIALOGUE)
    data = build_data(
        "thong-bao-ket-luan",
        COMMUNE,
        DIALOGUE,
        [*carried, *items],
        number=None,
        issued_on=TODAY,
        meeting=record,
    )
    return data, [*carried, *items]


# --- 1 ---------------------------------------------------------------------------------------


def test_the_authority_a_carried_task_keeps():
    assert carried_authority(recommended_task()) == ("province", LAND_OFFICE)
    assert carried_authority({**recommended_task(), "authority_level": "central"}) == ("central", LAND_OFFICE)
    assigned = {**recommended_task(), "conclusion_kind": "assigned", "authority_level": "province"}
    assert carried_authority(assigned) == ("commune", None)  # the Secretary gave it to an office
    default = {k: v for k, v in recommended_task().items() if k != "conclusion_kind"}
    assert carried_authority(default) == ("commune", LAND_OFFICE)  # as routing put it


async def test_a_recommendation_carried_over_stays_a_recommendation_with_its_summary(deps):
    _, docs = deps
    with_land_issue(docs)
    data, printed = await notice_of(docs)
    notice = data.notice
    assert notice is not None
    assert "x1" not in {i.key for i in notice.conclusions}  # not "Giao Văn phòng Đảng ủy chủ trì…"
    [land] = [i for i in notice.escalations if i.key == "x1"]
    assert land.authority == f"Cấp tỉnh ({LAND_OFFICE})" and land.text == SUMMARY
    html = render("thong-bao-ket-luan", "html", data).decode()
    section_two = html.split("II. KIẾN NGHỊ CẤP TRÊN")[1].split("TỔ CHỨC THỰC HIỆN")[0]
    assert SUMMARY in section_two and LAND_OFFICE in section_two and "Không có." not in section_two
    assert "0901234567" not in html and "so do nha toi" not in html  # the reviewed summary, not raw text
    report = build_data(
        "bao-cao-tong-hop", COMMUNE, DIALOGUE, printed, number=None, issued_on=TODAY, meeting=None
    ).report
    assert report is not None and [i.key for i in report.above] == ["x1"]
    letter = build_data(
        "kien-nghi-cap-tren", COMMUNE, DIALOGUE, printed, number=None, issued_on=TODAY, meeting=None
    ).escalation
    assert letter is not None and [g.body for g in letter.groups] == [LAND_OFFICE]


async def test_this_years_conclusion_decides_over_the_earlier_one(deps):
    meeting, docs = deps
    with_land_issue(docs)
    record = await m.meeting_record(meeting, COMMUNE.id, DIALOGUE.id)
    assert {i["key"]: i for i in record["issues"]}["x1"]["summary"] == SUMMARY  # the page reads it too
    await m.set_conclusion(
        meeting,
        conclude(
            "x1", kind="assigned", text="Lập hồ sơ cấp giấy", office_id="cong-an-xa", deadline_working_days=20
        ),
    )
    data, _ = await notice_of(docs, await meeting.meetings.get(COMMUNE.id, DIALOGUE.id))
    assert data.notice is not None
    assert "x1" in {i.key for i in data.notice.conclusions}
    assert "x1" not in {i.key for i in data.notice.escalations}


# --- 2 ---------------------------------------------------------------------------------------


async def test_the_counts_agree_in_the_notice_and_the_report(deps):
    _, docs = deps
    with_land_issue(docs)
    data, printed = await notice_of(docs)
    intro = " ".join(data.intro)
    assert (
        "nhân dân đã nêu 2 ý kiến, kiến nghị, phản ánh về 2 vấn đề; ngoài ra 1 vấn đề kéo dài từ các năm "
        "trước chưa được giải quyết dứt điểm được xem xét lại." in intro
    )
    report = build_data("bao-cao-tong-hop", COMMUNE, DIALOGUE, printed, number=None, issued_on=TODAY).report
    assert report is not None
    assert (report.total_items, report.new_issues, report.carried_issues, report.total_issues) == (2, 2, 1, 3)
    html = render(
        "bao-cao-tong-hop",
        "html",
        build_data(
            "bao-cao-tong-hop",
            COMMUNE,
            DIALOGUE,
            printed,
            number=None,
            issued_on=TODAY,
            options={"charts": False},
        ),
    ).decode()
    assert "còn <strong>2</strong> vấn đề; ngoài ra <strong>1</strong> vấn đề kéo dài" in html
    alone = build_data("thong-bao-ket-luan", COMMUNE, DIALOGUE, printed[1:], number=None, issued_on=TODAY)
    assert "về 2 vấn đề. " in " ".join(alone.intro) and "ngoài ra" not in " ".join(alone.intro)


# --- 3 ---------------------------------------------------------------------------------------


def test_a_chair_who_is_neither_the_secretary_nor_a_deputy_is_warned():
    assert COMMUNE.secretary_name  # the demo's office holders
    [warning] = chair_not_office_holder(COMMUNE, {"chair": "Nguyễn Văn Hùng"})
    assert warning["code"] == "chair_not_office_holder" and not warning["blocking"]
    assert COMMUNE.secretary_name in warning["message_vi"]
    secretary = COMMUNE.secretary_name
    assert chair_not_office_holder(COMMUNE, {"chair": f"Đồng chí {secretary.upper()}, Bí thư Đảng ủy"}) == []
    for deputy in COMMUNE.office_holders.deputy_secretaries:
        assert chair_not_office_holder(COMMUNE, {"chair": f"Phó Bí thư {deputy}"}) == []
    assert chair_not_office_holder(COMMUNE, {"chair": ""}) == []  # signer_missing says it


def test_a_speaker_without_an_answer_is_warned():
    record = {
        "interventions": [
            {
                "id": "a",
                "order": 2,
                "speaker": "Bà Năm",
                "answers": [{"by": "Phòng Kinh tế", "text": "Đã sửa"}],
            },
            {"id": "b", "order": 1, "speaker": "Ông Tám", "answers": []},
            {"id": "c", "order": 3, "speaker": "Ông Sáu", "answers": [{"by": "", "text": "  "}]},
        ]
    }
    [warning] = speeches_unanswered(record)
    assert warning["count"] == 2 and warning["intervention_ids"] == ["b", "c"]
    # one pair of brackets: "(lượt 1: Ông Tám; lượt 3: Ông Sáu)", not "(1) Ông Tám; 3) Ông Sáu)"
    assert "(lượt 1: Ông Tám; lượt 3: Ông Sáu)" in warning["message_vi"]
    assert "Trả lời: ……" in warning["message_vi"]
    assert speeches_unanswered({"interventions": record["interventions"][:1]}) == []


async def test_readiness_of_the_minutes_and_the_notice_through_the_use_case(deps):
    meeting, docs = deps
    key = f"{COMMUNE.id}:{DIALOGUE.id}"
    docs.meetings.records[key] = {
        "_id": key,
        "revision": 3,
        "chair": "Nguyễn Văn Hùng",
        "minute_taker": "Võ Thị Hạnh",
        "interventions": [{"id": "i1", "order": 1, "speaker": "Ông Tám", "question": "Cống", "answers": []}],
        "conclusions": {
            "s1": {
                "kind": "assigned",
                "text": "Sửa cống",
                "office_id": "phong-kinh-te",
                "deadline_date": "2017-04-05",
            }
        },
    }
    minutes = await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, "bien-ban")
    codes = {p["code"] for p in minutes["problems"]}
    assert {"chair_not_office_holder", "speech_unanswered"} <= codes and minutes["ready"] is False
    assert not minutes["blocked"]
    notice = await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan")
    [late] = [p for p in notice["problems"] if p["code"] == "deadline_passed"]
    assert late["issue_keys"] == ["s1"] and "hạn 05/04/2017" in late["message_vi"] and not late["blocking"]
    docs.meetings.records[key]["conclusions"]["s1"]["deadline_date"] = "2017-04-06"
    notice = await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan")
    assert "deadline_passed" not in {p["code"] for p in notice["problems"]}
    # issuing is not refused: a historical replay is legitimate
    issued = await handlers.issue_document(
        docs, handlers.IssueDocument(COMMUNE.id, DIALOGUE.id, "bien-ban", "vp", issued_on=date(2017, 4, 5))
    )
    assert issued["number"]


def test_deadlines_counted_in_working_days_are_never_passed():
    issue = an_issue(
        conclusion_kind="assigned",
        deadline=TODAY,
        deadline_working_days=0,
    )
    data = build_data("thong-bao-ket-luan", COMMUNE, DIALOGUE, [], number=None, issued_on=TODAY)
    assert data.notice is not None
    late = replace(data, notice=replace(data.notice, escalations=(issue,)))
    assert deadlines_passed(late, TODAY)[0]["issue_keys"] == ["k"]
    counted = replace(
        data, notice=replace(data.notice, escalations=(replace(issue, deadline_working_days=30),))
    )
    assert deadlines_passed(counted, TODAY) == []


# --- 4 ---------------------------------------------------------------------------------------


def test_no_action_prints_the_secretarys_words_before_the_reason():
    issue = an_issue(
        number=4,
        text="Xe tải chạy qua ấp",
        conclusion_kind="no_action",
        conclusion="đề nghị bà con đi lại cẩn thận",
        reason="tuyến đường đã có dự án nâng cấp",
    )
    assert issue.explained_line == (
        "Đề nghị bà con đi lại cẩn thận. Không đặt ra việc giải quyết: tuyến đường đã có dự án nâng cấp."
    )
    assert conclusion_sentence(issue) == (
        "4. Về ý kiến “Xe tải chạy qua ấp”: đề nghị bà con đi lại cẩn thận. "
        "Không đặt ra việc giải quyết: tuyến đường đã có dự án nâng cấp."
    )
    alone = replace(issue, conclusion="")
    assert alone.explained_line == "Không đặt ra việc giải quyết: tuyến đường đã có dự án nâng cấp."
    assert conclusion_sentence(alone).endswith(
        "”: không đặt ra việc giải quyết: tuyến đường đã có dự án nâng cấp."
    )


def test_the_minutes_total_is_the_sum_of_the_lists_under_it():
    record = {
        "attendance": {"total": 122, "by_hamlet": {"ấp Chợ": 70, "ấp Căn Cứ": 52}},
        "delegates_present": ["Đồng chí A, Bí thư", "Đồng chí B, Chủ tịch UBND", "Đồng chí C"],
    }
    part = minutes_part(COMMUNE, DIALOGUE, record, [], "Đảng ủy tổ chức hội nghị.")
    assert (
        part.attendance == "Tổng số đại biểu, nhân dân tham dự: 125 người, gồm 3 đại biểu và 122 người dân."
    )
    assert part.delegates_heading == "Đại biểu tham dự (3 người):" and len(part.delegates) == 3
    assert part.residents_heading == "Người dân tham dự theo ấp (122 người):"
    listed = sum(int(line.split(": ")[1].split(" ")[0]) for line in part.attendance_lines)
    assert listed == 122
    plan_only = minutes_part(COMMUNE, DIALOGUE, {"attendance": {"total": 122}}, [], "…")
    assert "122 người" in plan_only.attendance and "đại biểu" in plan_only.attendance
    assert plan_only.delegates_heading in ("Đại biểu được mời theo kế hoạch:", "")


async def test_the_minutes_html_lists_delegates_and_residents_apart(deps):
    _, docs = deps
    key = f"{COMMUNE.id}:{DIALOGUE.id}"
    docs.meetings.records[key] = {
        "_id": key,
        "revision": 2,
        "chair": COMMUNE.secretary_name,
        "minute_taker": "Võ Thị Hạnh",
        "attendance": {"total": 122, "by_hamlet": {"ấp Chợ": 122}},
        "delegates_present": ["Đồng chí A, Bí thư"],
    }
    items, carried = await handlers.documents.material(docs, COMMUNE, DIALOGUE)
    data = build_data(
        "bien-ban",
        COMMUNE,
        DIALOGUE,
        [*carried, *items],
        number=None,
        issued_on=TODAY,
        meeting=docs.meetings.records[key],
    )
    html = render("bien-ban", "html", data).decode()
    assert (
        html.index("Đại biểu tham dự (1 người):") < html.index("Đồng chí A") < html.index("Người dân tham dự")
    )
    assert "123 người, gồm 1 đại biểu và 122 người dân" in html
    docx = render("bien-ban", "docx", data)
    assert docx[:2] == b"PK"


# --- the staff pages -------------------------------------------------------------------------


def test_the_meeting_page_fills_chair_and_minute_taker_from_the_office_holders():
    from services.intake.web.staff.meeting import _facts_values, office_holder_names

    holders = COMMUNE.office_holders
    names = office_holder_names(COMMUNE)
    assert names["chairs"][0] == f"{COMMUNE.secretary_name}, Bí thư Đảng ủy"
    assert [f"{d}, Phó Bí thư Đảng ủy" for d in holders.deputy_secretaries] == names["chairs"][1:]
    empty = _facts_values({}, DIALOGUE, COMMUNE)
    assert empty["chair"] == names["chairs"][0] and empty["prefilled"] == ["chair", "minute_taker"]
    assert empty["minute_taker"] == f"{holders.chief_of_office}, Chánh Văn phòng Đảng ủy"
    # the prefilled chair is an office holder: the readiness check has nothing to say of it
    assert chair_not_office_holder(COMMUNE, {"chair": empty["chair"]}) == []
    recorded = _facts_values({"chair": "Lê Văn Hai, Phó Bí thư", "minute_taker": "Trần B"}, DIALOGUE, COMMUNE)
    assert (recorded["chair"], recorded["minute_taker"], recorded["prefilled"]) == (
        "Lê Văn Hai, Phó Bí thư",
        "Trần B",
        [],
    )
    none = {"secretary": "", "deputy_secretaries": (), "chief_of_office": ""}
    nobody = COMMUNE.model_copy(
        update={
            "office_holders": holders.model_copy(update=none),
            "signature": COMMUNE.signature.model_copy(update={"name": ""}),
        }
    )
    assert _facts_values({}, DIALOGUE, nobody)["prefilled"] == []


def test_the_confirmation_page_links_each_new_warning_to_where_it_is_fixed():
    from services.intake.web.staff.documents import _fix_link

    chair = _fix_link({"code": "chair_not_office_holder"}, "demo-2017")
    assert chair == ("/staff/hoi-nghi?dot=demo-2017#thong-tin", "Sửa người chủ trì ở trang Hội nghị")
    unanswered = _fix_link({"code": "speech_unanswered"}, "demo-2017")
    assert unanswered is not None and unanswered[0].endswith("#da-ghi")
    late = _fix_link({"code": "deadline_passed", "issue_keys": ["s 1"]}, "demo-2017")
    assert late == ("/staff/hoi-nghi?dot=demo-2017&kl=s%201#ket-luan", "Sửa thời hạn ở trang Hội nghị")


def test_minutes_with_parts_not_recorded_are_warned():
    """Seen by an outside walkthrough: minutes issued with no check-in, intervention or conclusion
    recorded printed "………… người" and dotted lines under III, with no warning before issuing."""
    [nothing] = minutes_blank(None)
    assert nothing["parts"] == ["attendance", "interventions", "conclusions"] and not nothing["blocking"]
    assert "………… người" in nothing["message_vi"] and "mục III" in nothing["message_vi"]
    held = {"attendance": {"total": 120}, "interventions": [{"id": "a"}], "conclusions": {}}
    [partly] = minutes_blank(held)
    assert partly["parts"] == ["conclusions"]
    assert minutes_blank({**held, "conclusions": {"s1": {"kind": "answered"}}}) == []
