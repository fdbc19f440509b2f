"""The staff item page says how many times the item's issue was raised as the documents print it
("[Nêu 2 lần]"), on the first item of the issue too, and keeps this year's petitions apart from
earlier years. Seen from outside: the documents said "Nêu 3 lần" where the item page said 2, and
nothing on the issue's first item (its own count on arrival, 1). Real app: intake and routing on
the broker and store."""

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


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_both_items_of_an_issue_raised_twice_say_two(make_settings):
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
        first = await db[SUBMISSIONS].find_one({"_id": ids[0]})
        assert first["times_raised"] == 1  # its count on arrival: the documents count the issue
        async with logged_in(app, "demo.vanphong") as client:
            for submission_id in ids:
                page = await client.get(f"/staff/items/{submission_id}")
                assert page.status_code == 200, page.text
                assert 'data-times-raised="2"' in page.text
                assert "Số lần nêu 2 lần (năm 2017: 2 ý kiến)" in text_of(page.text)
