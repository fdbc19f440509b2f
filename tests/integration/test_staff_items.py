"""The item page's staff-only reason and note to the resident, on the real broker and store:
a note too long is refused on its own field and changes nothing; a reclassification's reason is
shown to staff (item page, staff API) and never to the resident (tracking page, public API),
while the optional note meant for the resident is; "Nhập tiếp" opens the entry form with the
hamlet and kind chosen."""

from __future__ import annotations

import pytest

from services.intake.repository import SUBMISSIONS
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.test_staff_work import system  # noqa: F401  (the fixture)
from tests.integration.test_web_staff import client_for, logged_in, token_of

pytestmark = pytest.mark.integration

REASON = "Nội bộ: anh Tám báo riêng, không công khai"
NOTE = "Ý kiến của bà con đã được chuyển đúng cơ quan."


async def test_the_reason_stays_with_staff_and_the_note_reaches_the_resident(system):  # noqa: F811
    app, db, (_, _, papers) = system
    doc = await db[SUBMISSIONS].find_one({"_id": papers})
    code = doc["tracking_code"]
    async with logged_in(app, "demo.vanphong") as client:
        page = f"/staff/items/{papers}"
        change = {"action": "reclassify", "topic": "6", "reason": REASON}
        too_long = await client.post(
            f"{page}/phan-loai",
            data={"csrf_token": await token_of(client, page), **change, "note_to_resident": "x" * 501},
        )
        assert too_long.status_code == 422 and "Ghi chú gửi người dân dài quá" in too_long.text
        assert (await db[SUBMISSIONS].find_one({"_id": papers}))["routing_revision"] == 0

        done = await client.post(
            f"{page}/phan-loai",
            data={"csrf_token": await token_of(client, page), **change, "note_to_resident": f" {NOTE} "},
        )
        assert done.status_code == 303, done.text

        async def followed() -> bool:
            current = await db[SUBMISSIONS].find_one({"_id": papers})
            return current["routing_revision"] == 1 and current["topic"] == 6

        await eventually(followed)
        staff_page = (await client.get(page)).text
        assert REASON in staff_page and NOTE in staff_page and "data-changed-by-staff" in staff_page
        api = f"/api/v1/communes/demo/submissions/{papers}"
        staff_view = (await client.get(api, headers=staff_headers())).json()
        entry = next(h for h in staff_view["history"] if h["status"] == "reclassified")
        assert REASON in entry["staff_note_vi"] and REASON not in entry["note_vi"]
        assert NOTE in entry["note_vi"]

        again = (await client.get("/staff/y-kien-moi?ap=%E1%BA%A5p+Ch%E1%BB%A3&loai=phan+anh")).text
        assert '<option value="ấp Chợ" selected>' in again and 'value="phan anh" checked' in again

    async with client_for(app) as resident:
        tracking = (await resident.get(f"/xa/demo/theo-doi?ma={code}")).text
        assert NOTE in tracking and "Phân loại lại" in tracking
        assert REASON not in tracking and "anh Tám" not in tracking
        public = (await resident.get(f"/api/v1/communes/demo/tracking/{code}")).json()
        assert REASON not in str(public) and NOTE in str(public)
