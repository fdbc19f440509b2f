from services.demo.seed import demo_commune
from services.routing.offices import assign_office
from shared.text import normalize_for_matching


def assign(topic: int, text: str):
    return assign_office(demo_commune(), topic, normalize_for_matching(text))


def test_topic_default_office():
    assert assign(4, "Rác thải đổ bừa bãi").office_id == "phong-kinh-te"
    assert assign(5, "Trộm cắp xe máy ban đêm").office_id == "cong-an-xa"


def test_sub_area_rule_changes_the_lead_and_adds_coordination():
    result = assign(5, "Đề nghị lắp gờ giảm tốc trước cổng trường")
    assert (result.office_id, result.coordinating_office_ids) == ("phong-kinh-te", ("cong-an-xa",))


def test_rule_without_office_only_adds_a_coordinating_office():
    result = assign(5, "Đèn đường hư, trộm cắp nhiều")
    assert (result.office_id, result.coordinating_office_ids) == ("cong-an-xa", ("phong-kinh-te",))


def test_rules_match_text_typed_without_diacritics():
    assert assign(6, "lam thu tuc tam tru cho con rat lau").office_id == "cong-an-xa"
    assert assign(0, "the bhyt het han chua cap lai").office_id == "phong-van-hoa-xa-hoi"
