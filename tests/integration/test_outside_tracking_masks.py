"""Tracking by code without logging in shows the resident's text as typed with personal data
masked (phone, e-mail, ID number, a name after a form of address), on the page and in the API,
and so the prepared answer and the follow-up result; the commune's staff still read it whole."""

from __future__ import annotations

import pytest

from services.intake.repository import SUBMISSIONS
from tests.auth import staff_headers
from tests.integration.helpers import seeded_intake

pytestmark = pytest.mark.integration

TEXT = (
    "Cống trước nhà ông Sáu Lành ở ấp Chợ nghẹt hai tháng nay, gọi 0912 345 678 hoặc "
    "sau.lanh@example.com, CCCD 079123456789."
)
PERSONAL = ("0912 345 678", "sau.lanh@example.com", "079123456789", "Sáu Lành")
KEPT = ("Cống trước nhà ông", "ở ấp Chợ nghẹt hai tháng nay, gọi", "[số điện thoại]", "[email]")


@pytest.fixture
async def tracked(make_settings):
    async with seeded_intake(make_settings) as (app, client):
        sent = await client.post(
            "/api/v1/communes/demo/submissions",
            json={"source": "citizen", "kind": "complaint", "hamlet": "ấp Chợ", "text": TEXT},
        )
        assert sent.status_code == 202, sent.text
        yield app.state.runtime.db, client, sent.json()


async def test_the_tracking_api_masks_personal_data_and_keeps_the_rest(tracked):
    _, client, sent = tracked
    public = (await client.get(f"/api/v1/communes/demo/tracking/{sent['tracking_code']}")).json()
    assert not any(datum in str(public) for datum in PERSONAL)
    assert all(kept in public["text"] for kept in KEPT)
    staff = await client.get(f"/api/v1/communes/demo/submissions/{sent['id']}", headers=staff_headers())
    assert staff.json()["text"] == TEXT


async def test_the_tracking_page_masks_the_text_the_answer_and_the_result(tracked):
    db, client, sent = tracked
    await db[SUBMISSIONS].update_one(
        {"_id": sent["id"]},
        {
            "$set": {
                "answer": "Phòng Kinh tế đã gọi bà Tư Hạnh số 0987.654.321 để hẹn ngày nạo vét.",
                "followup_status": "resolved",
                "followup_note": "Đã nạo vét xong, ông Sáu Lành xác nhận qua 0912345678.",
            }
        },
    )
    page = (await client.get(f"/xa/demo/theo-doi?ma={sent['tracking_code']}")).text
    for datum in (*PERSONAL, "0987.654.321", "0912345678", "Tư Hạnh"):
        assert datum not in page, datum
    assert "Cống trước nhà ông" in page and "Phòng Kinh tế đã gọi bà" in page
    assert "để hẹn ngày nạo vét" in page and "Đã nạo vét xong" in page
    assert page.count("[số điện thoại]") == 3


async def test_tracking_by_code_names_no_other_residents_item(tracked):
    """A repeat counts how often its issue was raised, but tracking by code does not give the id
    of the earlier resident's submission it repeats; staff still see it."""
    db, client, sent = tracked
    await db[SUBMISSIONS].update_one(
        {"_id": sent["id"]}, {"$set": {"duplicate_of": "earlier-1", "times_raised": 3}}
    )
    public = (await client.get(f"/api/v1/communes/demo/tracking/{sent['tracking_code']}")).json()
    assert public["duplicate_of"] is None and public["times_raised"] == 3
    staff = await client.get(f"/api/v1/communes/demo/submissions/{sent['id']}", headers=staff_headers())
    assert staff.json()["duplicate_of"] == "earlier-1"
