"""Resident-facing views name offices as the dialogue's documents print them and list every
hamlet of an issue (pure: `EraNames`, `open_rows`, `published_outcomes`, the open-data hamlet
filter, intake's `era_named` and the tracking view; plain dicts and the demo commune).

Seen from outside: a 2017 dialogue's notice printed "Công chức Địa chính - Nông nghiệp - Xây dựng
và Môi trường", the public pages and the tracking page "Phòng Kinh tế" (a post-2025 office); the
tracking page named the Văn phòng Đảng ủy for an issue recommended to a provincial office the
public page named; an issue three hamlets raised was listed under its first hamlet only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from services.intake.reporting_api import PublishedSummaries
from services.intake.tracking import era_named
from services.intake.web.pages import _tracking_view
from services.reporting.handlers.open_data import EraNames, open_rows, published_outcomes, row_hamlets
from services.reporting.open_data import of_hamlet, to_csv, to_json
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE

LEGACY = "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"
TODAY = "Phòng Kinh tế"
BODY = "Văn phòng Đăng ký đất đai tỉnh Tiền Giang"
AFTER = DIALOGUE.model_copy(update={"id": "demo-2026", "year": 2026, "meeting_date": date(2026, 3, 21)})


def _item(n: int, hamlet: str | None, **fields) -> dict:
    return {
        "_id": f"s{n}",
        "cluster_id": "s1",
        "topic": 3,
        "topic_name": "Giao thông, thoát nước",
        "hamlet": hamlet,
        "text": f"Cống nghẹt {n}",
        "office_id": "phong-kinh-te",
        "office_name": TODAY,
        "authority_level": "commune",
        **fields,
    }


DRAIN = [_item(1, "ấp Chợ"), _item(2, "ấp Căn Cứ"), _item(3, "ấp Bến Đò"), _item(4, "ấp Chợ")]
LAND = {**_item(9, "ấp Mới"), "cluster_id": None, "topic": 2, "office_name": TODAY}
SUMMARIES = {"s1": "Cống nghẹt ở ba ấp", "s9": "Chậm cấp giấy chứng nhận"}
CONCLUSIONS: dict[str, dict[str, object]] = {
    "s1": {"kind": "answered", "text": "Phòng Kinh tế trả lời: đã có kế hoạch nạo vét quý II"},
    "s9": {"kind": "recommended", "text": "Kiến nghị cấp giấy", "higher_body": BODY},
}
RECORD = {"locked": True, "summaries": SUMMARIES, "conclusions": CONCLUSIONS}


def test_a_2017_dialogue_names_offices_by_their_titles_of_then_and_2026_by_todays() -> None:
    then = EraNames.of(COMMUNE, DIALOGUE)
    assert then.office(TODAY) == LEGACY and then.office("Công an xã") == "Công an xã"
    assert then.text("Phòng Kinh tế trả lời: …") == f"{LEGACY} trả lời: …"
    assert then.by_name()[TODAY] == LEGACY
    now = EraNames.of(COMMUNE, AFTER)
    assert now.office(TODAY) == TODAY and now.office(LEGACY) == TODAY  # a title of then, renamed
    assert TODAY not in now.by_name()


def test_open_rows_name_the_era_office_and_list_every_hamlet_of_the_issue() -> None:
    names = EraNames.of(COMMUNE, DIALOGUE)
    before = {r["issue"]: r for r in open_rows([], [*DRAIN, LAND], SUMMARIES, names=names)}
    drain = before["Cống nghẹt ở ba ấp"]
    assert drain["hamlet"] == "ấp Chợ; ấp Căn Cứ; ấp Bến Đò" and drain["office"] == LEGACY
    assert row_hamlets(drain) == ["ấp Chợ", "ấp Căn Cứ", "ấp Bến Đò"]
    rows = open_rows([], [*DRAIN, LAND], SUMMARIES, conclusions=CONCLUSIONS, names=names)
    (drain,) = [r for r in rows if r["issue"] == "Cống nghẹt ở ba ấp"]
    assert drain["office"] == LEGACY and drain["conclusion"].startswith(f"{LEGACY} trả lời")
    whole = open_rows([], [_item(1, None)], whole="Toàn phường")
    assert whole[0]["hamlet"] == "Toàn phường"


def test_the_published_agencies_are_the_notices_body_and_the_eras_office() -> None:
    names = EraNames.of(COMMUNE, DIALOGUE)
    found = published_outcomes(RECORD, [*DRAIN, LAND], names)
    assert found["agencies"] == {"s1": LEGACY, "s2": LEGACY, "s3": LEGACY, "s4": LEGACY, "s9": BODY}
    assert found["outcomes"]["s2"]["note"].startswith(f"{LEGACY} trả lời")


def test_the_hamlet_filter_finds_an_issue_under_each_of_its_hamlets() -> None:
    rows = open_rows([], [*DRAIN, LAND], SUMMARIES)
    for hamlet in ("ấp Chợ", "ấp căn cứ", "Ấp Bến Đò"):
        assert [r["issue"] for r in of_hamlet(rows, hamlet)] == ["Cống nghẹt ở ba ấp"], hamlet
    assert of_hamlet(rows, "ấp Đình") == [] and of_hamlet(rows, None) == rows
    page = to_json(rows, "demo", DIALOGUE.id, 2017, 0, 10, "ấp Mới")
    assert page["total"] == 1 and [r["issue"] for r in page["rows"]] == ["Chậm cấp giấy chứng nhận"]
    assert to_json(rows, "demo", DIALOGUE.id, 2017)["total"] == 2
    header, *lines = to_csv(rows).decode("utf-8-sig").splitlines()
    assert header.split(",")[2] == "Ấp"  # one column still: the hamlets in it, "; " between them
    assert any(",ấp Chợ; ấp Căn Cứ; ấp Bến Đò," in line for line in lines)


def test_era_named_replaces_whole_office_names_longest_first_in_one_pass() -> None:
    offices = {TODAY: LEGACY, "Ban Chỉ huy Quân sự xã": "Chỉ huy trưởng Ban Chỉ huy Quân sự xã"}
    text = "giao Phòng Kinh tế chuẩn bị; Ban Chỉ huy Quân sự xã phối hợp; Phòng Kinh tếX giữ nguyên"
    assert era_named(text, offices) == (
        f"giao {LEGACY} chuẩn bị; Chỉ huy trưởng Ban Chỉ huy Quân sự xã phối hợp; Phòng Kinh tếX giữ nguyên"
    )
    assert era_named(None, offices) == "" and era_named("Phòng Kinh tế", {}) == "Phòng Kinh tế"


class _Repo:
    async def history(self, doc: dict) -> list[dict]:
        return [
            {
                "at": datetime(2017, 3, 2, tzinfo=UTC),
                "status": "office_notified",
                "note_vi": f"Phân loại: Đất đai; giao {TODAY} chuẩn bị nội dung trả lời.",
            },
            {
                "at": datetime(2017, 4, 5, tzinfo=UTC),
                "status": "followup_awaiting_higher_level",
                "note_vi": "Thực hiện kết luận: chờ cấp trên giải quyết (Văn phòng Đảng ủy). "
                "Văn phòng Đảng ủy đã gửi văn bản kiến nghị",
            },
        ]


REPO: Any = _Repo()  # the repository's history read only


def _doc(**facts) -> dict:
    return {
        "_id": "s9",
        "commune_id": "demo",
        "dialogue_id": DIALOGUE.id,
        "tracking_code": "DT-ABCDEFGH",
        "status": "office_notified",
        "kind": "petition",
        "text": "Chậm cấp giấy",
        "received_at": datetime(2017, 3, 1, tzinfo=UTC),
        "topic": 2,
        "topic_name": "Đất đai",
        "office_name": TODAY,
        "authority_level": "province",
        **facts,
    }


async def test_tracking_names_the_notices_body_and_the_eras_office() -> None:
    known = PublishedSummaries({}, frozenset(), agencies={"s9": BODY}, offices={TODAY: LEGACY})
    recommended = _doc(
        followup_status="awaiting_higher_level", followup_revision=0, followup_office="Văn phòng Đảng ủy"
    )
    view = await _tracking_view(REPO, recommended, known)
    assert (view["office"], view["followup_office"], view["authority"]) == (LEGACY, BODY, None)
    assert view["history"][1]["note"] == f"Phân loại: Đất đai; giao {LEGACY} chuẩn bị nội dung trả lời."
    # the follow-up's head names who acts as the notice does; the note after it is kept as written
    assert view["history"][2]["note"] == (
        f"Thực hiện kết luận: chờ cấp trên giải quyết ({BODY}). Văn phòng Đảng ủy đã gửi văn bản kiến nghị"
    )
    assigned = _doc(followup_status="assigned", followup_revision=0, followup_office=TODAY)
    same = await _tracking_view(REPO, assigned, PublishedSummaries({}, frozenset(), offices={TODAY: LEGACY}))
    assert (same["office"], same["followup_office"]) == (LEGACY, None)  # the same office: said once
    assert "(Văn phòng Đảng ủy)" in same["history"][2]["note"]  # no published body: as stored
    unknown = await _tracking_view(REPO, assigned)  # reporting did not answer
    assert unknown["office"] == TODAY
