"""The authority model (services/routing/authority.py and the `authority` map of the rules JSON):
who owns what an item is about after the 2025 two-level reform, with the Vietnamese reason, for
text typed with and without diacritics; the map is data a commune can override."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.demo.seed import demo_commune, demo_dialogue
from services.routing.authority import OUTSIDE_PREFIX, AuthorityRule, decide_authority
from services.routing.classifier import RuleSet, classify
from services.routing.logic import decide
from services.routing.rules_store import default_rules_dict
from shared.contracts import AuthorityLevel, Kind, Source, SubmissionReceivedV1

RULES = RuleSet.load_default()
LOCAL, PROVINCE, CENTRAL = AuthorityLevel.COMMUNE, AuthorityLevel.PROVINCE, AuthorityLevel.CENTRAL


def both_spellings(text: str) -> list[str]:
    """The text as written and as typed on a phone without diacritics."""
    from shared.text import fold

    return [text, fold(text)]


@pytest.mark.parametrize(
    ("text", "level", "body_part"),
    [
        # national highways: central (Cục Đường bộ), by name or by number
        ("Quốc lộ 1A đoạn qua ấp Phước Hòa ổ gà liên tục, đề nghị sửa chữa.", CENTRAL, "Cục Đường bộ"),
        ("QL1A qua ấp Phước Hòa ổ gà lủng lỗ chỗ, xin sửa đường.", CENTRAL, "Cục Đường bộ"),
        # provincial roads: Sở Xây dựng, written ĐT741, tỉnh lộ or "đường ĐT"
        ("Đường ĐT741 đoạn qua ấp Mới xuống cấp nặng, mặt đường bể nát.", PROVINCE, "Sở Xây dựng"),
        ("Tỉnh lộ 8 qua ấp Căn Cứ xuống cấp, ổ gà nhiều, đề nghị nâng cấp đường.", PROVINCE, "Sở Xây dựng"),
        # commune and hamlet roads, and the former district roads, stay with the commune
        ("Đường liên ấp Bình Hưng xuống cấp, ổ gà, mưa là sình lầy.", LOCAL, None),
        ("Hương lộ 5 qua ấp Cây Da ổ voi nhiều, đề nghị xã sửa đường.", LOCAL, None),
        # land recovery and compensation of a project: the province (NĐ 49/2026)
        ("Dự án mở rộng đường qua ấp Mới bồi thường chậm, giá đền bù thấp.", PROVINCE, "thu hồi đất"),
        # a dispute between households and a detached-house permit: the commune
        (
            "Nhà bên cạnh lấn ranh đất nhà tôi ở ấp Chợ, đề nghị xã hòa giải tranh chấp đất.",
            LOCAL,
            None,
        ),
        ("Xin phép xây nhà ở ấp Mới thì nộp giấy phép xây dựng ở đâu?", LOCAL, None),
        # the land-registration office (transfers, exchange of certificates): province
        (
            "Hồ sơ sang tên sổ đỏ nộp ở văn phòng đăng ký đất đai 3 tháng chưa xong.",
            PROVINCE,
            "đăng ký đất đai",
        ),
        # a plant in an industrial park is the province's; a small rice mill the commune's
        ("Nhà máy trong khu công nghiệp sát ấp Mới xả nước thải hôi thối ra kênh.", PROVINCE, "Môi trường"),
        (
            "Nhà máy xay xát lúa giữa xóm ấp Bình Hưng bụi trấu bay, nước thải đổ xuống sông.",
            LOCAL,
            None,
        ),
        # social insurance is a vertical agency; inside a commune procedure it is not the point
        (
            "Thẻ bảo hiểm y tế của mẹ tôi hết hạn chưa được cấp lại, đi khám phải trả tiền.",
            PROVINCE,
            "Bảo hiểm",
        ),
        # a licensed mine outside its area is the province's licence; night-time illegal pumping the commune's
        ("Mỏ cát có giấy phép khai thác vượt ranh mỏ, gây sạt lở bờ sông.", PROVINCE, "khai thác"),
        ("Hút cát trái phép ban đêm ở sông ấp Bến Đò, đề nghị công an xã bắt.", LOCAL, None),
        # a company's pig farm needs the province's environmental permit; a household's pigsty does not
        ("Công ty chăn nuôi heo quy mô lớn xả thải ra kênh gây ô nhiễm nặng.", PROVINCE, "Môi trường"),
        ("Hộ gia đình nuôi heo trong khu dân cư gây mùi hôi, đề nghị xã nhắc nhở.", LOCAL, None),
        # railway crossings: central
        ("Chỗ đường vô ấp Căn Cứ băng qua đường sắt không có rào chắn, rất nguy hiểm.", CENTRAL, "Đường sắt"),
        # residents who ask the province themselves
        (
            "Đường từ trung tâm xã qua xã bên hư nặng, ngân sách xã không đủ, đề nghị tỉnh đầu tư.",
            PROVINCE,
            "tỉnh",
        ),
    ],
)
def test_the_level_that_owns_what_the_item_is_about(text, level, body_part):
    for written in both_spellings(text):
        result = classify(written, RULES)
        assert result.authority_level == level, written
        if level == LOCAL:
            assert result.authority_body is None and result.authority_reason is None
        else:
            assert body_part in (result.authority_body or ""), (written, result.authority_body)
            assert (result.authority_reason or "").startswith(f"{OUTSIDE_PREFIX}: "), written


def test_the_reason_names_the_road_as_the_resident_wrote_it():
    result = classify("QL1A qua ấp Phước Hòa nhiều ổ gà, đề nghị sửa đường.", RULES)
    assert result.authority_rule == "national_road_works"
    assert result.authority_trigger == "quoc lo 1a"
    assert result.authority_reason is not None
    assert "“QL1A”" in result.authority_reason and "Cục Đường bộ Việt Nam" in result.authority_reason
    compensation = classify("Bồi thường chậm cho dự án mở rộng đường tỉnh qua ấp Mới.", RULES)
    assert compensation.authority_rule == "land_acquisition"
    assert "NĐ 49/2026" in (compensation.authority_reason or "")


def test_the_result_keeps_topic_scores_and_the_rule_for_blending():
    result = classify("Đường ĐT741 qua ấp Mới ổ gà, xuống cấp.", RULES)
    assert result.topic == 3 and result.topic_scores[3] >= max(result.topic_scores.values())
    assert result.authority_rule == "provincial_road_works"
    assert result.authority_level == PROVINCE and result.authority_trigger == "duong tinh 741"


def test_the_staff_explanation_prints_the_authority_reason():
    commune, dialogue = demo_commune(), demo_dialogue()
    received = SubmissionReceivedV1(
        submission_id="s1",
        dialogue_id=dialogue.id,
        tracking_code="DT-AB12CD34",
        source=Source.CITIZEN,
        kind=Kind.PETITION,
        text="Quoc lo 1A doan qua ap Phuoc Hoa o ga lien tuc, de nghi sua duong.",
        received_at=datetime(2026, 12, 2, tzinfo=timezone.utc),
    )
    why = " ".join(decide(received, commune, dialogue, RULES, review_threshold=0.5).explanation_vi)
    assert "Thẩm quyền: trung ương (Bộ Xây dựng / Cục Đường bộ Việt Nam (quốc lộ))." in why
    assert "Ngoài thẩm quyền xã: “Quoc lo 1A” do Bộ Xây dựng / Cục Đường bộ Việt Nam quản lý" in why


def test_a_commune_overrides_its_authority_map():
    text = "Quốc lộ 62 qua ấp Kênh Xáng ổ gà nhiều, xin sửa đường."
    delegated = "Sở Xây dựng (quốc lộ được ủy thác)"
    assert classify(text, RULES).authority_level == CENTRAL
    data = default_rules_dict()
    for rule in data["authority"]:
        if rule["name"] == "national_road_works":  # this province manages the highway by delegation
            rule.update(level="province", body=delegated, reason="{trigger}: Sở Xây dựng")
    local = RuleSet.from_dict(data)
    result = classify(text, local)
    assert result.authority_level == PROVINCE and result.authority_body == delegated
    assert result.authority_reason == f"{OUTSIDE_PREFIX}: Quốc lộ 62: Sở Xây dựng"
    assert classify(text, RULES).authority_level == CENTRAL  # the built-in map is untouched


def test_requires_unless_and_topics_decide_when_a_rule_applies():
    rule = AuthorityRule(
        name="polluter",
        phrases=("nha may",),
        level=PROVINCE,
        body="Sở Nông nghiệp và Môi trường",
        topics=frozenset({4}),
        requires_any=("o nhiem",),
        unless_any=("xay xat",),
    )
    assert rule.applies({"nha may", "o nhiem"}, frozenset({4})) == "nha may"
    assert rule.applies({"nha may"}, frozenset({4})) is None  # nothing about pollution
    assert rule.applies({"nha may", "o nhiem", "xay xat"}, frozenset({4})) is None  # a small mill
    assert rule.applies({"nha may", "o nhiem"}, frozenset({3})) is None  # not what the item is about
    decision = decide_authority((rule,), {"nha may", "o nhiem"}, frozenset({2, 4}), ["nha", "may"])
    assert decision.beyond_commune and decision.rule == "polluter"
    assert decision.reason_vi == f"{OUTSIDE_PREFIX}: “nha may”: Sở Nông nghiệp và Môi trường"
    assert not decide_authority((rule,), {"nha may"}, frozenset({4}), []).beyond_commune


def test_a_topic_close_to_the_winner_still_reaches_its_authority_rule():
    """Compensation of a road project reads as a road item, yet the compensation is the province's;
    a dump at a highway junction is the commune's sanitation, not the highway's."""
    result = classify("Dự án mở rộng đường qua ấp Căn Cứ, ổ gà, ngập, bồi thường chậm.", RULES)
    assert result.topic == 3
    assert result.authority_rule == "land_acquisition" and result.authority_level == PROVINCE
    for text in both_spellings("Bãi rác ở ngã ba quốc lộ trước nghĩa trang ấp Bình Hưng vẫn chưa dọn."):
        dump = classify(text, RULES)
        assert dump.topic == 4 and dump.authority_level == LOCAL, text


def test_what_the_resident_asks_for_weighs_more_than_the_context():
    data = {
        "topics": {
            "2": {"name": "Đất đai", "terms": {"bồi thường": 4}},
            "3": {"name": "Giao thông", "terms": {"ổ gà": 4}},
        },
        "asks": ["đề nghị", "xin"],
        "scoring": {"ask_bonus": 1.5},
    }
    rules = RuleSet.from_dict(data)
    assert classify("Đường nhiều ổ gà; đề nghị đẩy nhanh bồi thường.", rules).topic == 2
    assert classify("Bồi thường xong rồi mà đường nhiều ổ gà, xin sửa ổ gà.", rules).topic == 3
    assert classify("duong nhieu o ga, de nghi day nhanh boi thuong", rules).topic == 2  # typed without marks
    flat = RuleSet.from_dict({**data, "scoring": {"ask_bonus": 1.0}})
    assert classify("Đường nhiều ổ gà; đề nghị đẩy nhanh bồi thường.", flat).topic_scores == {2: 4.0, 3: 4.0}


@pytest.mark.parametrize(
    "text",
    [
        "Cho dù đã họp dân nhiều lần, mật độ dân cư đông mà vẫn chưa có kế hoạch gì.",
        "Lo cho con đi học xa, đồ ăn mang theo, tiền đâu ra mà đóng.",
        "Đường tối thui, phải đi xuống tận cuối xóm mới có đèn; nghiên cứu giùm.",
    ],
)
def test_words_that_fold_onto_other_words_do_not_score(text):
    """Folding merges words (chó dữ/cho dù, mật độ/mất đồ, lỗ chỗ/lo cho, đồ án/đồ ăn, đâu ra/đầu ra,
    xưởng/xuống, thúi/thui, nghiện/nghiên): such words only score inside unambiguous phrases."""
    for written in both_spellings(text):
        scores = classify(written, RULES).topic_scores
        assert 5 not in scores and 4 not in scores and 0 not in scores, (written, scores)


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("Đg vô ấp Mới hư nặng, ổ gà, xin sửa.", 3),
        ("Đất nhà tôi dính QH treo 10 năm, ko sửa nhà được.", 1),
        ("Xin hỏi chuyển MĐSDĐ lên thổ cư cần giấy gì?", 2),
        ("TNGT nhiều ở ngã ba ấp Chợ, đề nghị lắp đèn tín hiệu.", 5),
    ],
)
def test_residents_abbreviations_name_the_topic(text, topic):
    for written in both_spellings(text):
        assert classify(written, RULES).topic == topic, written
