"""The commune radio announcement of the dialogue plan, rendered from its real template."""

from __future__ import annotations

import unicodedata
from datetime import date, time

from services.demo.seed import demo_commune, demo_dialogue
from services.reporting.radio import environment, ordinal, radio_announcement, spoken_when
from shared.directory import Topic


def render(**kwargs) -> str:
    return radio_announcement(
        environment(), demo_commune(), kwargs.pop("dialogue", demo_dialogue()), **kwargs
    )


def positions(text: str, *needles: str) -> list[int]:
    found = [text.find(n) for n in needles]
    assert all(p >= 0 for p in found), [n for n, p in zip(needles, found) if p < 0]
    return found


def test_sections_in_reading_order() -> None:
    text = render()
    dialogue = demo_dialogue()
    order = positions(
        text,
        "Kính thưa bà con nhân dân xã Tân Phước",
        "Mục đích",
        f"Chủ đề đối thoại là: {dialogue.theme}.",
        "sáu vấn đề trọng tâm",
        "Thời gian: 07 giờ 30 phút, thứ Bảy, ngày 25 tháng 3 năm 2017.",
        "Địa điểm: Nhà văn hóa xã, xã Tân Phước.",
        "Thành phần tham dự",
        "đăng ký với Chi ủy chi bộ ấp hoặc Ban công tác Mặt trận ấp",
        "Trân trọng cảm ơn bà con đã lắng nghe",
    )
    assert order == sorted(order)


def test_six_topics_in_order_with_spoken_ordinals() -> None:
    text = render()
    lines = [f"{ordinal(t.number)}: {t.name}." for t in demo_dialogue().topics]
    assert lines[0].startswith("Thứ nhất: Xây dựng và thực hiện quy hoạch")
    assert lines[3].startswith("Thứ tư: Vệ sinh môi trường")
    found = positions(text, *lines)
    assert found == sorted(found)
    theme_at, time_at = positions(text, "Chủ đề đối thoại", "Thời gian:")
    assert theme_at < found[0] and found[-1] < time_at


def test_topics_follow_their_numbers_not_storage_order() -> None:
    dialogue = demo_dialogue()
    shuffled = dialogue.model_copy(update={"topics": tuple(reversed(dialogue.topics))})
    text = render(dialogue=shuffled)
    found = positions(text, *(t.name for t in dialogue.topics))
    assert found == sorted(found)


def test_who_may_attend_and_how_to_register() -> None:
    text = render()
    assert "Bà con nhân dân ấp Chợ và ấp Căn Cứ có nguyện vọng tham dự" in text
    for line in demo_dialogue().participants:
        assert line in text
    assert "Quyết định 218-QĐ/TW" in text and "Quyết định 2242-QĐ/TU" in text
    assert "Hình thức: Hội nghị đối thoại, tọa đàm trực tiếp." in text
    assert "trước ngày" not in text  # no deadline given, none printed


def test_deadline_and_registration_hint() -> None:
    hint = "Bà con cũng có thể đăng ký qua số điện thoại 0277 3 123 456 của Văn phòng Đảng ủy."
    text = render(registration_hint=hint, opinions_due=date(2017, 3, 15))
    assert "Ban công tác Mặt trận ấp trước ngày 15 tháng 3 năm 2017 để tổng hợp" in text
    assert hint in text
    hint_at, closing_at = positions(text, hint, "Trân trọng cảm ơn")
    assert hint_at < closing_at


def test_diacritics_intact_and_no_template_left() -> None:
    text = render(registration_hint="Liên hệ Văn phòng Đảng ủy.")
    assert unicodedata.is_normalized("NFC", text)
    for phrase in (
        "Kính thưa bà con nhân dân",
        "Đài truyền thanh xã Tân Phước",
        "Bí thư Đảng ủy",
        "ấp Căn Cứ",
        "nước thải sinh hoạt",
    ):
        assert phrase in text
    assert "{{" not in text and "{%" not in text and "}}" not in text
    assert "None" not in text
    assert "\n\n\n" not in text


def test_spoken_time_forms() -> None:
    on_the_hour = demo_dialogue().model_copy(
        update={"meeting_date": date(2017, 4, 2), "meeting_time": time(8, 0)}
    )
    assert spoken_when(on_the_hour) == "08 giờ, Chủ nhật, ngày 2 tháng 4 năm 2017"
    assert spoken_when(demo_dialogue()) == "07 giờ 30 phút, thứ Bảy, ngày 25 tháng 3 năm 2017"


def test_other_commune_topics_and_hamlets() -> None:
    dialogue = demo_dialogue().model_copy(
        update={
            "topics": (Topic(number=1, name="Chuyển đổi số"), Topic(number=2, name="Nước sạch nông thôn")),
            "hamlet_ids": (),
            "legal_bases": (),
        }
    )
    text = render(dialogue=dialogue)
    assert "hai vấn đề trọng tâm" in text
    assert "Thứ nhất: Chuyển đổi số." in text and "Thứ hai: Nước sạch nông thôn." in text
    assert "Thứ ba" not in text
    assert "Bà con nhân dân các ấp có nguyện vọng tham dự" in text
    assert "Thực hiện" not in text
