"""A draft plan is the commune's own work until it opens, through the real apps: an anonymous
caller does not see it listed, read or announced on the radio (404), and an integration hears
no date of it when it asks after the meeting; the commune's staff and `read` keys see it.
Reporting's public page and open data know no draft (404, as an unknown plan). An
outside probe found a 2018 draft listed, readable and its radio text saying the plan "đã ban
hành" to anyone."""

from __future__ import annotations

import pytest

from shared.auth.principal import Scope
from tests.auth import key_headers, staff_headers
from tests.integration.helpers import demo_system

pytestmark = pytest.mark.integration

C = "/api/v1/communes/demo/dialogues"
FORMATS = ("json", "csv", "xlsx")
DRAFT = {
    "year": 2018,
    "meeting_date": "2018-03-24",
    "title": "Kế hoạch tổ chức đối thoại năm 2018 (dự thảo)",
    "theme": "Chủ đề dự thảo",
    "venue": "Nhà văn hóa xã",
    "hamlets": [{"hamlet": "ap-cho", "min_attendance": 70}],
}


async def test_a_draft_plan_is_seen_by_the_communes_staff_only(make_settings):
    async with demo_system(make_settings) as (_, client):
        created = await client.post(C, json=DRAFT, headers=staff_headers())
        assert created.status_code == 201, created.text
        draft = created.json()["id"]

        async def listed(headers: dict[str, str]) -> set[str]:
            return {d["id"] for d in (await client.get(C, headers=headers)).json()["dialogues"]}

        assert draft not in await listed({}) and "demo-2017" in await listed({})
        assert (await client.get(f"{C}/{draft}")).status_code == 404
        assert (await client.get(f"{C}/{draft}/radio-announcement")).status_code == 404
        assert (await client.get(f"{C}/demo-2017/radio-announcement")).status_code == 200
        for reader in (staff_headers(), key_headers("demo", Scope.READ)):
            assert draft in await listed(reader)
            assert (await client.get(f"{C}/{draft}", headers=reader)).status_code == 200
            assert (await client.get(f"{C}/{draft}/radio-announcement", headers=reader)).status_code == 200
        # reporting's public page and open data of the draft: not there for anyone (a later outside
        # probe read its year, date and venue there, and told drafts from unknown ids)
        for path in (f"/public/demo/dialogues/{draft}", *(f"{C}/{draft}/open-data.{f}" for f in FORMATS)):
            for reader in ({}, staff_headers()):
                assert (await client.get(path, headers=reader)).status_code == 404, path
        assert (await client.get("/public/demo/dialogues/demo-2017")).status_code == 200
