"""The resident's tracking page says the topic is tentative while it is only routing's own
decision ("tạm xếp, chờ cán bộ xem xét"), and no longer once staff have acted on the item (a
routing change by staff is revision 1 or later); an item not routed yet shows no such hint."""

from __future__ import annotations

import pytest

from services.intake.repository import SUBMISSIONS
from tests.integration.helpers import seeded_intake

pytestmark = pytest.mark.integration

HINT = "(tạm xếp, chờ cán bộ xem xét)"
ROUTED = {
    "status": "office_notified",
    "topic": 4,
    "topic_name": "Vệ sinh môi trường, nhất là xử lý rác thải, nước thải sinh hoạt",
    "office_id": "phong-kinh-te",
    "office_name": "Phòng Kinh tế",
}


async def test_the_hint_shows_for_routings_own_topic_only(make_settings):
    async with seeded_intake(make_settings) as (app, client):
        db = app.state.runtime.db
        sent = await client.post(
            "/api/v1/communes/demo/submissions",
            json={
                "source": "citizen",
                "kind": "complaint",
                "hamlet": "ấp Chợ",
                "text": "Rác đổ bừa ven kênh.",
            },
        )
        assert sent.status_code == 202, sent.text
        page = f"/xa/demo/theo-doi?ma={sent.json()['tracking_code']}"

        waiting = (await client.get(page)).text
        assert "Đang phân loại" in waiting and HINT not in waiting

        await db[SUBMISSIONS].update_one(
            {"_id": sent.json()["id"]}, {"$set": {**ROUTED, "routing_revision": 0}}
        )
        tentative = (await client.get(page)).text
        assert f'4. {ROUTED["topic_name"]} <span class="opt" data-topic-tentative>{HINT}</span>' in tentative

        await db[SUBMISSIONS].update_one({"_id": sent.json()["id"]}, {"$set": {"routing_revision": 1}})
        reviewed = (await client.get(page)).text
        assert f"4. {ROUTED['topic_name']}</dd>" in reviewed and HINT not in reviewed
