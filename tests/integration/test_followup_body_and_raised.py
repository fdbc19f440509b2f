"""A 2017 (pre-reform) dialogue over the real broker and store, intake, routing and reporting in one
process, with an issue three hamlets raised (merged into one) and one recommended to a higher body:
the resident's tracking page and API, the staff follow-up board, the public conclusions page, open
data and the issued notice all name the same body and the same "raised N times".

Seen from outside: the three merged items' tracking pages said nothing / "nêu 2 lần" / "nêu 3 lần"
(routing's count as each arrived) where the public page and the notice said 3; the board named the
2017 task's office "Phòng Kinh tế" where the notice printed "Công chức Địa chính - …"; and the
follow-up's history named the Văn phòng Đảng ủy (the task's holder while the letter goes up) for an
issue the notice recommended to the province's land-registration office, fixed on the page only."""

from __future__ import annotations

import csv
import io
import re

import pytest

from services.intake.app import build_service as intake
from services.intake.repository import SUBMISSIONS
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.conftest import eventually
from tests.integration.helpers import posted_and_routed
from tests.integration.test_public_era_and_hamlets import (
    BASE,
    DRAIN,
    DRAIN_SUMMARY,
    LAND,
    LAND_BODY,
    LAND_SUMMARY,
    LEGACY,
    TODAY,
    D,
    _conclude,
)
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
PARTY_OFFICE = "Văn phòng Đảng ủy"


@pytest.fixture
async def concluded(make_settings):
    """Three petitions of one drain issue (ấp Chợ, ấp Căn Cứ, ấp Bến Đò) merged, a land issue
    recommended to the province; concluded and the notice issued on 05/04/2017."""
    petitions = [*DRAIN.items(), ("ấp Mới", LAND)]
    started = posted_and_routed(make_settings, [intake, routing, reporting], petitions)
    async with started as (app, client, sent):
        await _conclude(client, sent)
        notice = (await client.get(f"{D}/documents/thong-bao-ket-luan/preview.html")).text
        issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
        assert issued.status_code == 201, issued.text
        yield app, client, sent, notice


async def _tracked(client, code: str, wanted: str) -> str:
    async def page() -> str | None:
        text = (await client.get("/xa/demo/theo-doi", params={"ma": code})).text
        return text if wanted in text else None

    return await eventually(page, timeout=30)


def _cards(html: str) -> list[str]:
    return re.findall(r'<li class="card" id="viec-.*?</li>\s*(?=<li class="card"|</ol>)', html, re.S)


async def test_tracking_board_public_page_and_notice_agree_on_body_and_count(concluded):
    app, client, sent, notice = concluded
    # the notice: the era's office, the body recommended to, the merged issue raised 3 times
    assert f"Giao<strong> {LEGACY}</strong> chủ trì" in notice and LAND_BODY in notice
    assert "Nêu 3 lần" in notice and TODAY not in notice

    # public: open data and the conclusions page
    rows = {
        r["Ý kiến, kiến nghị"]: r
        for r in csv.DictReader(
            io.StringIO((await client.get(f"{D}/open-data.csv")).content.decode("utf-8-sig"))
        )
    }
    assert (rows[DRAIN_SUMMARY]["Cơ quan chủ trì"], rows[DRAIN_SUMMARY]["Số lần nêu"]) == (LEGACY, "3")
    assert rows[LAND_SUMMARY]["Cơ quan chủ trì"] == LAND_BODY
    public = (await client.get("/xa/demo/ket-luan", params={"dot": "demo-2017"})).text
    (drain_card,) = [c for c in public.split('<li class="card">') if DRAIN_SUMMARY in c]
    assert LEGACY in drain_card and re.search(r"<dt>Số lần nêu</dt><dd>3</dd>", drain_card)

    # tracking: each of the three merged items says 3, on the page and in the API, and names the
    # notice's office; the land item names the body, in the facts stored from the event too
    for text in DRAIN.values():
        code = sent[text]["tracking_code"]
        page = await _tracked(client, code, "Thực hiện kết luận")
        assert "nhân dân nêu 3 lần" in page, code
        assert f"({LEGACY})" in page and TODAY not in page
        api = (await client.get(f"{BASE}/tracking/{code}")).json()
        assert api["times_raised"] == 3, code
        # the JSON API names offices as the page does (an outside smoke read "Phòng Kinh tế" there)
        assert api["office"]["name"] == LEGACY and TODAY not in str(api), code
    land_code = sent[LAND]["tracking_code"]
    land_page = await _tracked(client, land_code, "Thực hiện kết luận")
    (body,) = re.findall(r"<dd data-followup-office>([^<]*)</dd>", land_page)
    assert body == LAND_BODY and f"({LAND_BODY})" in land_page and f"({PARTY_OFFICE})" not in land_page
    submissions = app.state.runtime.db[SUBMISSIONS]
    stored = await submissions.find_one({"_id": sent[LAND]["id"]})
    assert (stored["followup_office"], stored["followup_holder"]) == (LAND_BODY, PARTY_OFFICE)

    # the board's data and the staff board: the era's office, the body, the count
    board = (await client.get(f"{D}/follow-up")).json()
    tasks = {t["cluster_id"]: t for t in board["tasks"]}
    (drain_task,) = [t for t in tasks.values() if sent[DRAIN["ấp Chợ"]]["id"] in t["submission_ids"]]
    (land_task,) = [t for t in tasks.values() if sent[LAND]["id"] in t["submission_ids"]]
    assert (drain_task["office_title"], drain_task["responsible_body"]) == (LEGACY, LEGACY)
    assert drain_task["times_raised"] == 3
    assert land_task["responsible_body"] == LAND_BODY
    async with logged_in(app, "demo.vanphong") as staff:
        page = (await staff.get("/staff/theo-doi?dot=demo-2017")).text
    (drain_card,) = [c for c in _cards(page) if f'data-task="{drain_task["id"]}"' in c]
    assert f"<span data-office>{LEGACY}</span>" in drain_card and TODAY not in drain_card
    assert "nêu 3 lần" in drain_card
    (land_card,) = [c for c in _cards(page) if f'data-task="{land_task["id"]}"' in c]
    assert f"cơ quan thực hiện: {LAND_BODY}" in land_card

    # the staff dashboard's list and each item's page: the count on every item
    async with logged_in(app, "demo.vanphong") as staff:
        listed = (await staff.get("/staff/")).text
        for text in DRAIN.values():
            code = sent[text]["tracking_code"]
            (row,) = [r for r in listed.split("<tr") if code in r]
            assert "nêu 3 lần" in row, code
            item = (await staff.get(f"/staff/items/{sent[text]['id']}")).text
            assert 'data-times-raised="3"' in item, code

    # a later change: its event names the body, and the history entry says it as stored
    changed = await client.post(
        f"{BASE}/follow-up/{drain_task['id']}/status", json={"status": "in_progress", "note": "Đang nạo vét"}
    )
    assert changed.status_code == 200, changed.text
    first = sent[DRAIN["ấp Chợ"]]["tracking_code"]
    page = await _tracked(client, first, "Đang nạo vét")
    assert f"Thực hiện kết luận: đang giải quyết ({LEGACY}). Đang nạo vét" in page
