"""The resident's pages and the staff pages spell a hamlet the same way, "ấp Chợ" (the unit word
in lower case, as official documents write it), through the real app; only a heading that opens
with the name capitalises it."""

from __future__ import annotations

import pytest

from services.intake.app import build_service as intake
from services.routing.app import build_service as routing
from tests.integration.helpers import seeded_in_process
from tests.integration.test_web_staff import client_for, logged_in

pytestmark = pytest.mark.integration


@pytest.fixture
async def system(make_settings):
    async with seeded_in_process(make_settings, [intake, routing]) as app:
        async with client_for(app) as resident:
            sent = await resident.post(
                "/api/v1/communes/demo/submissions",
                json={
                    "source": "citizen",
                    "kind": "petition",
                    "hamlet": "Ấp Chợ",  # as a resident may type it
                    "text": "Đèn đường hư, ban đêm trộm cắp nhiều, đề nghị xã sửa.",
                },
            )
            assert sent.status_code == 202, sent.text
            yield app, resident, sent.json()


async def test_resident_and_staff_pages_write_ap_cho_alike(system):
    app, resident, sent = system
    pages = {
        "tracking": (await resident.get(f"/xa/demo/theo-doi?ma={sent['tracking_code']}")).text,
        "home": (await resident.get("/xa/demo")).text,
        "registration": (await resident.get("/xa/demo/dang-ky")).text,
    }
    async with logged_in(app, "demo.vanphong") as staff:
        pages["item"] = (await staff.get(f"/staff/items/{sent['id']}")).text
        pages["dashboard"] = (await staff.get("/staff/")).text
    for name, page in pages.items():
        assert "ấp Chợ" in page, name
        assert "Ấp Chợ" not in page, name
    assert "<dd>ấp Chợ</dd>" in pages["tracking"] and "<dd>ấp Chợ</dd>" in pages["item"]
