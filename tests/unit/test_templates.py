"""The draft conclusion notice and the office e-mail, rendered from their real templates."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

from services.intake.demo import demo_commune, demo_dialogue
from services.notification.messages import environment as mail_environment
from services.notification.messages import office_assignment_email
from services.reporting.app import TEMPLATES
from services.reporting.notice import build_notice
from shared.calendar import WorkingCalendar
from shared.contracts import Kind, SubmissionRoutedV1
from shared.templates import date_line, make_environment


def item(n: int, topic: int, authority: str = "commune", **extra) -> dict:
    return {
        "_id": f"s{n}", "text": f"Ý kiến số {n} <b>đậm</b>", "hamlet": "ấp Chợ", "topic": topic, "topic_name": "x",
        "office_name": "Phòng Kinh tế", "authority_level": authority, "received_at": f"2017-03-0{n}T00:00:00.000000Z", **extra,
    }


def render_notice(items: list[dict]) -> str:
    notice = build_notice(demo_commune(), demo_dialogue(), items, WorkingCalendar(), date(2017, 4, 3))
    return make_environment([TEMPLATES]).get_template("thong_bao_ket_luan_du_thao.html").render(notice=notice)


def visible_text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "\n", html))


def test_date_line_pads_day_and_month():
    assert date_line("Tân Phước", date(2026, 2, 5)) == "Tân Phước, ngày 05 tháng 02 năm 2026"


def test_notice_elements_appear_in_party_document_order():
    text = visible_text(render_notice([item(1, 3), item(2, 5, coordinating_office_ids=["cong-an-xa"])]))
    markers = [
        "ĐẢNG BỘ TỈNH ĐỒNG THÁP", "ĐẢNG ỦY XÃ TÂN PHƯỚC", "-TB/ĐU", "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Tân Phước, ngày 03 tháng 04 năm 2017", "THÔNG BÁO", "Kết luận của Ban Thường vụ Đảng ủy",
        "I. Các vấn đề thuộc thẩm quyền cấp xã", "II. Kiến nghị cấp trên", "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nơi nhận:", "- Lưu Văn phòng Đảng ủy.",
    ]
    positions = [text.index(m) for m in markers]
    assert positions == sorted(positions)
    recipients = text[text.index("Nơi nhận:"):].split("\n")
    assert [line for line in recipients if line.strip().startswith("-")][-1].strip() == "- Lưu Văn phòng Đảng ủy."


def test_conclusions_are_numbered_across_topics_in_plan_order_with_office_and_deadline():
    text = visible_text(render_notice([item(1, 5), item(2, 3), item(3, 0)]))
    topics = [text.index(t.name) for t in demo_dialogue().topics if t.name in text]
    assert topics == sorted(topics)
    assert text.index("1) Ý kiến") < text.index("2) Ý kiến") < text.index("3) Ý kiến")
    assert "Giao \nPhòng Kinh tế\n chủ trì" in text
    assert "thời hạn hoàn thành trước ngày 10/05/2017" in text  # 30 working days after 25/03/2017
    assert "10/04/2017" in text  # the notice itself is due 10 working days after the meeting


def test_items_above_commune_authority_go_to_the_escalation_section():
    text = visible_text(render_notice([item(1, 3, "province", authority_body="Sở Xây dựng"), item(2, 4)]))
    escalations = text[text.index("II. Kiến nghị cấp trên"):]
    assert "Ý kiến số 1" in escalations and "Sở Xây dựng" in escalations
    assert "Ý kiến số 2" not in escalations


def test_resident_text_is_escaped():
    html = render_notice([item(1, 3)])
    assert "<b>đậm</b>" not in html and "&lt;b&gt;đậm&lt;/b&gt;" in html


def test_office_email_is_vietnamese_and_addressed_to_the_office():
    commune, dialogue = demo_commune(), demo_dialogue()
    office = commune.office("phong-kinh-te")
    routed = SubmissionRoutedV1(
        submission_id="s1", dialogue_id="demo-2017", tracking_code="DT-ABCDEFGH", kind=Kind.PETITION, text="Cống bị nghẹt & ngập",
        hamlet="ấp Chợ", topic=3, topic_name=dialogue.topic_name(3), office_id=office.id, office_name=office.name,
        coordinating_office_ids=("cong-an-xa",), confidence=0.9,
    )
    message = office_assignment_email(mail_environment(), notification_id="e1.email", routed=routed, commune=commune, dialogue=dialogue, office=office, sender="vp@x.example")
    body = message.get_content()
    assert message["To"] == office.email and "DT-ABCDEFGH" in str(message["Subject"])
    assert "Kính gửi: Phòng Kinh tế" in body and "Cống bị nghẹt & ngập" in body  # plain text: no HTML escaping
    assert "Cơ quan phối hợp: Công an xã" in body and "25/03/2017" in body
    again = office_assignment_email(mail_environment(), notification_id="e1.email", routed=routed, commune=commune, dialogue=dialogue, office=office, sender="vp@x.example")
    assert message["Message-ID"] == again["Message-ID"] == "<giao-viec.e1-email@demo.doithoai>"


def test_office_email_shows_a_repeat_with_its_earlier_answers():
    commune, dialogue = demo_commune(), demo_dialogue()
    office = commune.office("phong-kinh-te")
    routed = SubmissionRoutedV1(
        submission_id="s2", dialogue_id="demo-2017", tracking_code="DT-B", kind=Kind.PETITION, text="Lộ đal ấp Rạch Tràm vẫn hư",
        hamlet="ấp Rạch Tràm", topic=3, topic_name=dialogue.topic_name(3), office_id=office.id, office_name=office.name, confidence=0.9,
        cluster_id="s1", duplicate_of="s1", times_raised=3, years_raised=(2015, 2016, 2017),
        earlier=({"year": 2015, "submission_id": "s0", "text": "Lộ đal hư", "answer": "Xã đưa vào kế hoạch năm 2016"}, {"year": 2016, "submission_id": "s1", "text": "Lộ đal vẫn hư", "answer": None}),
    )
    body = office_assignment_email(mail_environment(), notification_id="e2.email", routed=routed, commune=commune, dialogue=dialogue, office=office, sender="vp@x.example").get_content()
    assert "đã được nêu 3 lần (các năm 2015, 2016, 2017)" in body
    assert "Trả lời đã có: Xã đưa vào kế hoạch năm 2016" in body and "(chưa có trả lời)" in body
