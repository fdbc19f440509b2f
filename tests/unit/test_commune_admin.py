"""`parse_commune`: what `doithoai communes put` stores or refuses (pure, no store)."""

import copy
import json
import unicodedata
from pathlib import Path

import pytest

from services.demo.seed import demo_commune
from services.intake.commune_admin import CommuneRefused, normalised, parse_commune

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "commune.example.json"


@pytest.fixture
def definition() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def refused(data: dict) -> list[str]:
    with pytest.raises(CommuneRefused) as caught:
        parse_commune(normalised(data))
    return caught.value.problems


def test_the_example_file_and_the_demo_commune_are_valid(definition):
    commune = parse_commune(normalised(definition))
    assert (commune.id, [h.id for h in commune.hamlets]) == (
        "phu-an",
        ["ap-phu-hoa", "ap-an-thanh", "ap-rach-goc"],
    )
    assert commune.topic_offices["5"] == "cong-an-xa" and commune.current_dialogue_id is None
    demo = demo_commune()
    assert parse_commune(demo.model_dump(mode="json")) == demo
    assert commune.id != demo.id and commune.name != demo.name


def test_an_unknown_field_is_refused_with_its_place_and_the_likely_name(definition):
    definition["hamlet"] = definition.pop("hamlets")
    definition["offices"][1]["emial"] = definition["offices"][1].pop("email")
    definition["office_holders"]["secretery"] = "Trần Văn Bình"
    problems = refused(definition)
    assert (
        "hamlet: trường không hợp lệ, có phải 'hamlets'? / unknown field, did you mean 'hamlets'?" in problems
    )
    assert any(p.startswith("offices[1].emial: trường không hợp lệ") and "'email'" in p for p in problems)
    assert any(p.startswith("office_holders.secretery: trường không hợp lệ") for p in problems)
    # the model's own complaint comes too, its reason in Vietnamese before pydantic's English
    assert "hamlets: thiếu thông tin bắt buộc / Field required" in problems


def test_a_topic_office_or_rule_office_not_among_offices_is_refused(definition):
    definition["topic_offices"]["3"] = "phong-kinh-tee"
    definition["office_rules"][0]["coordinating_office_ids"] = ["cong-an"]
    problems = refused(definition)
    assert [p.split(":")[0] for p in problems] == [
        "topic_offices.3",
        "office_rules[0].coordinating_office_ids[0]",
    ]
    assert problems[0].startswith(
        "topic_offices.3: cơ quan 'phong-kinh-tee' không có trong danh sách offices / "
        "office 'phong-kinh-tee' is not among offices (offices: "
    )


def test_the_party_office_must_exist_when_a_topic_can_fall_to_it(definition):
    without_other = copy.deepcopy(definition)
    del without_other["topic_offices"]["0"]
    without_other["party_office_id"] = "van-phong"
    assert [p.split(":")[0] for p in refused(without_other)] == ["party_office_id"]
    definition["party_office_id"] = "van-phong"  # "0" catches every topic: never a routing lead
    assert parse_commune(normalised(definition)).party_office_id == "van-phong"


def test_duplicate_ids_bad_topic_keys_and_empty_rules_are_refused(definition):
    definition["hamlets"].append({"id": "ap-phu-hoa", "name": "ấp Phú Hòa 2"})
    definition["offices"].append(dict(definition["offices"][0]))
    definition["topic_offices"]["other"] = "phong-kinh-te"
    definition["office_rules"].append({"terms": [" "], "office_id": "phong-kinh-te"})
    problems = refused(definition)
    assert problems == [
        "hamlets: mã ấp 'ap-phu-hoa' bị trùng / duplicate id 'ap-phu-hoa'",
        "offices: mã cơ quan 'van-phong-dang-uy' bị trùng / duplicate id 'van-phong-dang-uy'",
        "topic_offices.other: không phải số nội dung ('0' = ngoài kế hoạch) / "
        "not a topic number ('0' = other)",
        "office_rules[4].terms: cần ít nhất một từ khóa / at least one term",
    ]


def test_the_models_own_checks_still_apply(definition):
    definition["id"] = "Phu An"
    definition["hamlets"][0]["min_attendance"] = "many"
    problems = refused(definition)
    assert [p.split(":")[0] for p in problems] == ["id", "hamlets[0].min_attendance"]
    assert problems[0].startswith("id: định dạng không hợp lệ / String should match pattern")
    assert problems[1].startswith(
        "hamlets[0].min_attendance: phải là số nguyên / Input should be a valid integer"
    )
    assert refused([]) == ["định nghĩa phải là một đối tượng JSON / the definition must be a JSON object"]  # type: ignore[arg-type]


def test_decomposed_text_is_stored_nfc(definition):
    decomposed = json.loads(unicodedata.normalize("NFD", json.dumps(definition, ensure_ascii=False)))
    assert decomposed["name"] != "Phú An"
    commune = parse_commune(normalised(decomposed))
    assert commune.name == "Phú An" and commune.hamlets[1].name == "ấp An Thạnh"
    assert "Các đồng chí Đảng ủy viên" in commune.recipient_emails  # keys too
    assert commune == parse_commune(normalised(definition))
