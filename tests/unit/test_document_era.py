"""Documents name the offices as they were on the dialogue's meeting day (`documents.common.of_era`):
a dialogue held before the two-level reform (1 July 2025) prints each office's pre-reform title
(`Office.legacy_name`), a later one today's names; a district-level issue prints "Cấp huyện".

No fakes: `build_data` is pure, fed the demo commune, its 2017 plan (and the same plan moved to
2026) and hand-written read-model items; the meeting record is a dict as the store holds it."""

from __future__ import annotations

from datetime import date
from typing import Any

from services.demo.documents import demo_dataset
from services.demo.seed import demo_commune, demo_dialogue
from services.reporting.documents import KINDS, build_data
from services.reporting.documents.common import REFORM_DAY, before_reform, of_era
from services.reporting.meeting import check_conclusion
from shared.contracts import AuthorityLevel

COMMUNE = demo_commune()
D2017 = demo_dialogue()
D2026 = D2017.model_copy(update={"id": "demo-2026", "year": 2026, "meeting_date": date(2026, 3, 28)})

TODAY = (
    "Phòng Kinh tế",
    "Văn phòng HĐND và UBND",
    "Trung tâm Phục vụ hành chính công",
    "Phòng Văn hóa - Xã hội",
)
LEGACY_2017 = (
    "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường",
    "Công chức Văn phòng - Thống kê, Tư pháp - Hộ tịch",
    "Bộ phận Tiếp nhận và Trả kết quả",
    "Công chức Văn hóa - Xã hội",
)


def item(n: int, dialogue_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "_id": f"s{n}",
        "dialogue_id": dialogue_id,
        "text": f"Ý kiến {n}",
        "hamlet": "ấp Chợ",
        "topic": 3,
        "office_id": "phong-kinh-te",
        "office_name": "Phòng Kinh tế",  # as routing names it today
        "coordinating_office_ids": ["van-phong-hdnd-ubnd"],
        "authority_level": "commune",
        **fields,
    }


def items(dialogue_id: str) -> list[dict[str, Any]]:
    return [
        item(1, dialogue_id),
        item(
            2,
            dialogue_id,
            topic=6,
            office_id="trung-tam-phvhcc",
            office_name="Trung tâm Phục vụ hành chính công",
        ),
        item(3, dialogue_id, topic=0, office_id="phong-van-hoa-xa-hoi", office_name="Phòng Văn hóa - Xã hội"),
        item(4, dialogue_id, authority_level="district", authority_body="UBND huyện Tân Hòa"),
    ]


def record() -> dict[str, Any]:
    conclusion = {
        "kind": "assigned",
        "text": "Nạo vét cống",
        "office_id": "phong-kinh-te",
        "coordinating_office_ids": ["van-phong-hdnd-ubnd"],
        "deadline_working_days": 20,
    }
    return {
        "revision": 1,
        "interventions": [
            {
                "order": 1,
                "speaker": "Ông Tư",
                "hamlet": "ấp Chợ",
                "question": "Cống?",
                "answers": [{"by": "Phòng Kinh tế", "text": "Quý II"}],
            }
        ],
        "conclusions": {"s1": {**check_conclusion(COMMUNE, conclusion), "office_name": "Phòng Kinh tế"}},
    }


def offices_printed(dialogue_items: list[dict[str, Any]], dialogue: Any) -> tuple[set[str], set[str]]:
    notice = build_data(
        "thong-bao-ket-luan", COMMUNE, dialogue, dialogue_items, number=None, issued_on=date(2017, 4, 5)
    ).notice
    assert notice is not None
    leads = {i.office for i in notice.conclusions}
    coordinating = {o for i in notice.conclusions for o in i.coordinating}
    return leads, coordinating


def test_the_reform_day_divides_the_eras():
    assert REFORM_DAY == date(2025, 7, 1)
    assert before_reform(D2017) and not before_reform(D2026)
    assert before_reform(D2017.model_copy(update={"meeting_date": date(2025, 6, 30)}))
    assert not before_reform(D2017.model_copy(update={"meeting_date": date(2025, 7, 1)}))


def test_a_2026_dialogue_prints_todays_names():
    leads, coordinating = offices_printed(items(D2026.id), D2026)
    assert leads == {"Phòng Kinh tế", "Trung tâm Phục vụ hành chính công", "Phòng Văn hóa - Xã hội"}
    assert coordinating == {"Văn phòng HĐND và UBND"}
    assert not any(name in leads | coordinating for name in LEGACY_2017)


def test_a_2017_dialogue_prints_the_legacy_titles():
    leads, coordinating = offices_printed(items(D2017.id), D2017)
    assert leads == {
        "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường",
        "Bộ phận Tiếp nhận và Trả kết quả",
        "Công chức Văn hóa - Xã hội",
    }
    assert coordinating == {"Công chức Văn phòng - Thống kê, Tư pháp - Hộ tịch"}
    assert not any(name in leads | coordinating for name in TODAY)


def test_the_meeting_record_and_the_minutes_print_the_title_of_the_meeting_day():
    for dialogue, lead in ((D2017, LEGACY_2017[0]), (D2026, "Phòng Kinh tế")):
        notice = build_data(
            "thong-bao-ket-luan",
            COMMUNE,
            dialogue,
            items(dialogue.id),
            number=None,
            issued_on=date(2017, 4, 5),
            meeting=record(),
        ).notice
        assert notice is not None
        [assigned] = [i for i in notice.conclusions if i.conclusion]
        assert assigned.office == lead
        minutes = build_data(
            "bien-ban",
            COMMUNE,
            dialogue,
            items(dialogue.id),
            number=None,
            issued_on=date(2017, 4, 5),
            meeting=record(),
        ).minutes
        assert minutes is not None and minutes.speeches[0].answers[0].by == lead
        assert any(f"giao {lead} chủ trì" in line for line in minutes.conclusion)


def test_of_era_leaves_a_later_dialogue_as_it_is_and_renames_recipients_before():
    commune = COMMUNE.model_copy(
        update={"recipients": ("Phòng Kinh tế", "Chi bộ các ấp"), "recipients_before_reform": ()}
    )
    same = of_era(commune, D2026, items(D2026.id), None)
    assert same[0] is commune and same[1] == items(D2026.id)
    legacy, renamed, _, _ = of_era(commune, D2017, items(D2017.id), None)
    assert legacy.recipients == (LEGACY_2017[0], "Chi bộ các ấp")
    assert {o.id: o.name for o in legacy.offices}["cong-an-xa"] == "Công an xã"  # no legacy title: kept
    assert renamed[0]["office_name"] == LEGACY_2017[0]
    assert COMMUNE.offices[2].name == "Phòng Kinh tế"  # the commune itself is untouched


def test_a_district_issue_prints_cap_huyen():
    assert AuthorityLevel.label_of("district") == "Cấp huyện"
    report = build_data(
        "bao-cao-tong-hop",
        COMMUNE,
        D2017,
        items(D2017.id),
        number=None,
        issued_on=date(2017, 3, 17),
        options={"charts": False},
    ).report
    assert report is not None
    assert [i.authority for i in report.above] == ["Cấp huyện (UBND huyện Tân Hòa)"]


def test_the_2017_demo_documents_name_no_2025_body():
    commune, dialogue, demo_items, minutes = demo_dataset()
    banned = (*TODAY, "Sở Nông nghiệp và Môi trường", "Sở Xây dựng", "Khu Quản lý đường bộ", "Tỉnh ủy (b/c)")
    for kind in KINDS:
        data = build_data(
            kind,
            commune,
            dialogue,
            demo_items,
            number=None,
            issued_on=date(2017, 4, 5),
            minutes=minutes,
            options={"charts": False},
        )
        text = repr(data)
        assert not [name for name in banned if name in text], kind
    levels = {i["authority_level"] for i in demo_items}
    assert levels == {"commune", "district", "province", "central"}


def test_a_pre_reform_document_is_headed_by_the_district_and_recommends_to_it():
    from services.reporting.documents.common import province_line
    from services.reporting.documents.kinds.recommendation import higher_level

    assert COMMUNE.district
    assert province_line(COMMUNE, D2017) == f"ĐẢNG BỘ HUYỆN {COMMUNE.district.upper()}"
    assert higher_level(COMMUNE, D2017) == (
        f"Ban Thường vụ Huyện ủy {COMMUNE.district}",
        f"Ủy ban nhân dân huyện {COMMUNE.district}",
    )
    assert province_line(COMMUNE, D2026) == "ĐẢNG BỘ TỈNH ĐỒNG THÁP"
    assert higher_level(COMMUNE, D2026) == (
        "Ban Thường vụ Tỉnh ủy Đồng Tháp",
        "Ủy ban nhân dân tỉnh Đồng Tháp",
    )
    # a commune whose district is not known keeps the province's header in any year
    unknown = COMMUNE.model_copy(update={"district": None})
    assert province_line(unknown, D2017) == "ĐẢNG BỘ TỈNH ĐỒNG THÁP"


def test_a_notice_goes_to_the_superior_party_committee_of_its_era():
    """ "Nơi nhận": the district's Party committee for a dialogue before the reform, the
    province's after it (a 2026 notice listing a district body abolished on 1 July 2025 could not
    be signed as printed, an outside walkthrough found)."""

    def recipients(dialogue) -> str:
        data = build_data(
            "thong-bao-ket-luan",
            COMMUNE,
            dialogue,
            items(dialogue.id),
            number=None,
            issued_on=date(2026, 4, 2),
        )
        return " ".join(data.recipients)

    assert "Huyện ủy" in recipients(D2017) and "Tỉnh ủy" not in recipients(D2017)
    assert "Tỉnh ủy Đồng Tháp" in recipients(D2026) and "Huyện ủy" not in recipients(D2026)
    assert COMMUNE.recipients_on(D2026.meeting_date) == COMMUNE.recipients
