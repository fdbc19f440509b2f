"""An office's dashboard names its own office as the plan's documents do, over the real broker
and store (intake, routing and reporting in one app): for the 2017 demo plan, Phòng Kinh tế's
staff read "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường" in the line that says
whose items the list shows, as in the list itself.

Seen from outside: demo.kinhte's dashboard said "Chỉ hiển thị các ý kiến giao Phòng Kinh tế"
above rows naming the 2017 title."""

from __future__ import annotations

import pytest

from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.integration.helpers import posted_and_routed
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
LEGACY = "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"  # Phòng Kinh tế in 2017
DRAIN = ("ấp Chợ", "Cống thoát nước trước chợ bị nghẹt, mưa lớn là ngập cả đoạn đường")


async def test_the_office_line_names_the_office_as_the_plan_does(make_settings):
    async with posted_and_routed(make_settings, [intake, routing, reporting], [DRAIN]) as (app, _, _sent):
        async with logged_in(app, "demo.kinhte") as office:
            page = (await office.get("/staff/")).text
    assert f"Chỉ hiển thị các ý kiến giao {LEGACY} chuẩn bị trả lời." in page
    assert "giao Phòng Kinh tế" not in page  # (the account is still named as it was created)
