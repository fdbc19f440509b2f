"""The meeting page's issue card of an issue raised many times, over the real broker and store
(intake, routing and reporting in one app): it names the first three tracking codes and how many
more there are, and lists all of them in a closed `<details>`, so the card's line stays short on
a phone while every code can still be found.

Seen from outside: an issue raised many times listed every code in the card's one line."""

from __future__ import annotations

import re
from html import unescape

import pytest

from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.conftest import eventually
from tests.integration.helpers import posted_and_routed
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
M = "/api/v1/communes/demo/dialogues/demo-2017/meeting"
# one drain in one hamlet, raised four times in different words (the repeat finder merges them)
DRAIN = [
    ("ấp Chợ", "Cống thoát nước trước chợ bị nghẹt, mưa lớn là ngập cả đoạn đường"),
    ("ấp Chợ", "Cống thoát nước trước chợ nghẹt rác, mưa lớn là ngập đoạn đường trước chợ"),
    ("ấp Chợ", "cong thoat nuoc truoc cho bi nghet, mua lon la ngap ca doan duong"),
    ("ấp Chợ", "Đề nghị nạo vét cống thoát nước trước chợ bị nghẹt, mưa lớn ngập cả đoạn đường"),
]
CODE = re.compile(r'<span class="code small">(DT-[A-Z0-9]+)</span>')


async def test_an_issue_raised_four_times_names_three_codes_and_lists_all_on_demand(make_settings):
    async with posted_and_routed(make_settings, [intake, routing, reporting], DRAIN) as (app, api, sent):
        codes = {answer["tracking_code"] for answer in sent.values()}

        async def merged():
            issues = (await api.get(M)).json()["issues"]
            return next((i for i in issues if set(i["tracking_codes"]) == codes), None)

        issue = await eventually(merged, timeout=30)
        async with logged_in(app, "demo.vanphong") as client:
            page = (await client.get("/staff/hoi-nghi")).text
        card = page[page.index(f'id="kl-{issue["key"]}"') :]
        line = card[card.index('<p class="hint">') :]
        line = line[: line.index("</p>")]
        assert len(CODE.findall(line)) == 3 and "và 1 ý kiến khác" in unescape(line)
        listed = card[card.index("data-all-codes") :]
        listed = listed[: listed.index("</details>")]
        assert "Xem cả 4 mã ý kiến" in unescape(listed) and set(CODE.findall(listed)) == codes
