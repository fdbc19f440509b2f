"""The office e-mail and the date line, rendered from their real templates (the documents have
their own tests in test_documents.py)."""

from __future__ import annotations

from datetime import date

from services.demo.seed import demo_commune
from shared.contracts import Kind
from shared.templates import date_line, make_environment
from tests.unit.test_notification_mail_format import office_email


def test_date_line_pads_day_and_month():
    assert date_line("Tân Phước", date(2026, 2, 5)) == "Tân Phước, ngày 05 tháng 02 năm 2026"


def test_office_email_is_vietnamese_and_addressed_to_the_office():
    office = demo_commune().office("phong-kinh-te")
    message = office_email(
        "Cống bị nghẹt & ngập", notification_id="e1.email", sender="vp@x.example", item_url=""
    )
    body = message.get_content()
    assert message["To"] == office.email and "DT-ABCDEFGH" in str(message["Subject"])
    # the demo plan meets in 2017: the office by its title of that time, as the notice prints it
    assert (
        "Kính gửi: Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường," in body
        and "Cống bị nghẹt & ngập" in body
    )  # plain text: no HTML escaping
    assert "Phòng Kinh tế" not in body
    assert "Cơ quan phối hợp: Công an xã" in body and "25/03/2017" in body
    again = office_email(
        "Cống bị nghẹt & ngập", notification_id="e1.email", sender="vp@x.example", item_url=""
    )
    assert message["Message-ID"] == again["Message-ID"] == "<giao-viec.e1-email@demo.doithoai>"


def test_office_email_shows_a_repeat_with_its_earlier_answers():
    body = office_email(
        "Lộ đal ấp Rạch Tràm vẫn hư",
        notification_id="e2.email",
        sender="vp@x.example",
        item_url="",
        submission_id="s2",
        tracking_code="DT-B",
        hamlet="ấp Rạch Tràm",
        coordinating_office_ids=(),
        cluster_id="s1",
        duplicate_of="s1",
        times_raised=3,
        years_raised=(2015, 2016, 2017),
        earlier=(
            {
                "year": 2015,
                "submission_id": "s0",
                "text": "Lộ đal hư",
                "answer": "Xã đưa vào kế hoạch năm 2016",
            },
            {"year": 2016, "submission_id": "s1", "text": "Lộ đal vẫn hư", "answer": None},
        ),
    ).get_content()
    assert "đã được nêu 3 lần (các năm 2015, 2016, 2017)" in body
    assert "Trả lời đã có: Xã đưa vào kế hoạch năm 2016" in body and "(chưa có trả lời)" in body


def test_prebuilt_header_classes_serialise_exactly_as_the_standard_policy(monkeypatch):
    from email.message import EmailMessage

    from services.notification import messages

    def build() -> bytes:
        return office_email(
            "Đường ấp Chợ ngập sâu, xe không qua được",
            notification_id="e3.email",
            sender="Văn phòng Đảng ủy <vp@x.example>",
            item_url="",
            kind=Kind.COMPLAINT,
            coordinating_office_ids=(),
        ).as_bytes()

    ours = build()
    monkeypatch.setattr(messages, "new_message", EmailMessage)  # the standard registry
    assert ours == build()


def test_a_template_is_loaded_once_not_checked_against_its_file_at_every_render(tmp_path):
    page = tmp_path / "page.html"
    page.write_text("một")
    env = make_environment([tmp_path])
    assert env.get_template("page.html").render() == "một"
    page.write_text("hai")  # a file changed under a running service is not re-read
    assert env.get_template("page.html").render() == "một"
