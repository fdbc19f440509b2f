"""A walk-in count sent twice under its key (a double click, a retried POST) is counted once,
through the real app: the attendance API answers the repeat 200 with the counts unchanged, and
the meeting page's walk-in form carries a key of its own per form shown."""

from __future__ import annotations

import re

import pytest

from tests.auth import staff_headers
from tests.integration.helpers import seeded_intake
from tests.integration.test_meeting_page import PAGE, meeting  # noqa: F401  (the fixture)
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
D = "/api/v1/communes/demo/dialogues/demo-2017"
KEY = re.compile(r'name="walk_in_key" value="([A-Za-z0-9_-]+)"')
TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')


@pytest.fixture
async def api(make_settings):
    async with seeded_intake(make_settings) as (_, client):
        yield client


def walk_ins_of(body: dict, hamlet_id: str) -> int:
    return next(r["walk_ins"] for r in body["by_hamlet"] if r["hamlet_id"] == hamlet_id)


async def test_a_walk_in_count_sent_again_with_its_key_is_counted_once(api):
    staff = staff_headers()
    count = {"walk_in": {"hamlet": "ấp Chợ", "count": 4, "key": "door-1-0001"}}
    first = await api.post(f"{D}/check-ins", json=count, headers=staff)
    assert first.status_code == 201, first.text
    again = await api.post(f"{D}/check-ins", json=count, headers=staff)
    assert again.status_code == 200 and again.json() == first.json()
    assert walk_ins_of(again.json(), "ap-cho") == 4

    other = {"walk_in": {"hamlet": "ấp Chợ", "count": 2, "key": "door-1-0002"}}
    assert (await api.post(f"{D}/check-ins", json=other, headers=staff)).status_code == 201
    unkeyed = {"walk_in": {"hamlet": "ấp Chợ", "count": 1}}  # no key: each POST is a new count
    assert (await api.post(f"{D}/check-ins", json=unkeyed, headers=staff)).status_code == 201
    now = (await api.get(f"{D}/attendance", headers=staff)).json()
    assert walk_ins_of(now, "ap-cho") == 7

    bad = {"walk_in": {"hamlet": "ấp Chợ", "count": 1, "key": "có dấu"}}
    refused = await api.post(f"{D}/check-ins", json=bad, headers=staff)
    assert refused.status_code == 422


async def test_the_meeting_pages_walk_in_form_counts_a_double_submit_once(meeting):  # noqa: F811
    app, _, _ = meeting
    async with logged_in(app, "demo.vanphong") as client:
        page = (await client.get(PAGE)).text
        key, token = KEY.search(page).group(1), TOKEN.search(page).group(1)
        form = {"csrf_token": token, "hamlet": "ấp Căn Cứ", "count": "3", "walk_in_key": key}
        for _ in range(2):  # the button clicked twice before the page changes
            assert (await client.post(f"{PAGE}/diem-danh", data=form)).status_code == 303
        page = (await client.get(PAGE)).text
        assert 'data-hamlet="ấp Căn Cứ" data-checked-in="3"' in page
        next_key = KEY.search(page).group(1)
        assert next_key != key  # the next group from the floor is a new count
        again = {**form, "walk_in_key": next_key, "count": "2"}
        assert (await client.post(f"{PAGE}/diem-danh", data=again)).status_code == 303
        assert 'data-hamlet="ấp Căn Cứ" data-checked-in="5"' in (await client.get(PAGE)).text
