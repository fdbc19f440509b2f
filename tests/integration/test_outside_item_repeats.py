"""The staff item page lists a repeat's items of the same dialogue under "Cùng nội dung trong
đợt này" and those of earlier dialogues under "Đã nêu ở các đợt trước", through the real app
(intake and routing on the broker and store)."""

from __future__ import annotations

import re

import pytest

from services.intake.app import build_service as intake
from services.intake.repository import SUBMISSIONS
from services.routing.app import build_service as routing
from tests.conftest import eventually
from tests.integration.helpers import seeded_in_process
from tests.integration.test_web_staff import client_for, logged_in

pytestmark = pytest.mark.integration

FIRST = "Lộ đal ấp Chợ làm từ năm 2010 nay bể nát, nhiều đoạn sụp xuống mương, đề nghị xã sửa chữa."
AGAIN = "lo dal ap Cho van be nat, nhieu doan sup xuong muong, nam nao cung kien nghi ma chua sua"
THIS_ROUND = "Cùng nội dung trong đợt này"
EARLIER_ROUNDS = "Đã nêu ở các đợt trước"


@pytest.fixture
async def repeat(make_settings):
    async with seeded_in_process(make_settings, [intake, routing]) as app:
        db = app.state.runtime.db
        ids = []
        async with client_for(app) as api:
            for text in (FIRST, AGAIN):
                sent = await api.post(
                    "/api/v1/communes/demo/submissions",
                    json={"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": text},
                )
                assert sent.status_code == 202, sent.text
                ids.append(sent.json()["id"])
                await eventually(
                    lambda: db[SUBMISSIONS].find_one({"_id": ids[-1], "routing_revision": {"$gte": 0}}),
                    timeout=15,
                )
        first, again = ids
        assert (await db[SUBMISSIONS].find_one({"_id": again}))["duplicate_of"] == first
        yield app, db, first, again


def section(page: str, heading: str) -> str:
    found = re.search(rf"<h3>{heading}</h3>\s*<ul[^>]*>(.*?)</ul>", page, re.S)
    return found.group(1) if found else ""


async def test_a_repeat_of_this_rounds_item_is_listed_as_this_round_not_earlier(repeat):
    app, db, first, again = repeat
    async with logged_in(app, "demo.vanphong") as client:
        page = (await client.get(f"/staff/items/{again}")).text
        assert FIRST[:40] in section(page, THIS_ROUND) and f"/staff/items/{first}" in page
        assert EARLIER_ROUNDS not in page

        # the same item stored in an earlier dialogue: listed with its year under earlier rounds
        await db[SUBMISSIONS].update_one({"_id": first}, {"$set": {"dialogue_id": "demo-2016"}})
        page = (await client.get(f"/staff/items/{again}")).text
        assert FIRST[:40] in section(page, EARLIER_ROUNDS) and THIS_ROUND not in page
