"""Office staff read a resident's text with personal data masked on the item page; the Party
office reads it as typed. Over the real broker and store (intake, routing and reporting in one
app, the page asks routing in process). Seen from outside: the office's item page showed "Nhà tôi
số 12 đường Lê Lợi, gọi 0912345678" while the README says offices never learn who sent an item."""

from __future__ import annotations

import pytest

from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.integration.helpers import seeded_with_petitions
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
PHONE = "0912345678"
TEXT = f"Cống thoát nước đường vào chợ bị nghẹt, mưa là ngập, đề nghị xã nạo vét; gọi {PHONE} để chỉ chỗ."


async def test_the_office_reads_the_text_masked_and_the_party_office_as_typed(make_settings):
    async with seeded_with_petitions(make_settings, [intake, routing, reporting], [TEXT]) as (app, client):
        [item] = (await client.get("/api/v1/communes/demo/dialogues/demo-2017/items")).json()["items"]
        page = f"/staff/items/{item['id']}"
        async with logged_in(app, "demo.vanphong") as party_office:
            shown = await party_office.get(page)
            assert shown.status_code == 200 and PHONE in shown.text
        assert item["office_id"] == "phong-kinh-te"  # roads and drainage: demo.kinhte's office
        async with logged_in(app, "demo.kinhte") as office:
            shown = await office.get(page)
            assert shown.status_code == 200, shown.text[-300:]
            assert PHONE not in shown.text and "[số điện thoại]" in shown.text


async def test_reportings_items_api_masks_the_text_except_for_who_sees_the_sender(make_settings):
    """Seen from outside: GET …/dialogues/{id}/items ("no personal data") returned the residents'
    texts with their phone numbers to any key with `read`; now only the Party office and the
    commune admin read them as typed."""
    from shared.auth.principal import Role, Scope
    from tests.auth import key_principal, staff_headers

    async with seeded_with_petitions(make_settings, [intake, routing, reporting], [TEXT]) as (app, client):
        url = "/api/v1/communes/demo/dialogues/demo-2017/items"
        [typed] = (await client.get(url, headers=staff_headers(Role.PARTY_OFFICE))).json()["items"]
        assert PHONE in typed["text"]
        tokens = app.state.runtime.tokens
        integration = tokens.issue(key_principal("demo", Scope.READ))
        answer = await client.get(url, headers={"authorization": f"Bearer {integration}"})
        assert answer.status_code == 200, answer.text
        [masked] = answer.json()["items"]
        assert PHONE not in masked["text"] and "[số điện thoại]" in masked["text"]


async def test_intakes_submission_api_masks_the_text_for_offices_and_integrations(make_settings):
    """The same rule through intake's GET …/submissions/{id}: the office the item is routed to and
    an integration's key read the text masked, the Party office as typed."""
    from shared.auth.principal import Role, Scope
    from tests.auth import key_principal, staff_headers

    async with seeded_with_petitions(make_settings, [intake, routing, reporting], [TEXT]) as (app, client):
        [item] = (await client.get("/api/v1/communes/demo/dialogues/demo-2017/items")).json()["items"]
        url = f"/api/v1/communes/demo/submissions/{item['id']}"
        assert PHONE in (await client.get(url, headers=staff_headers(Role.PARTY_OFFICE))).json()["text"]
        integration = app.state.runtime.tokens.issue(key_principal("demo", Scope.READ))
        for caller in (
            staff_headers(Role.OFFICE_STAFF, office_id="phong-kinh-te"),
            {"authorization": f"Bearer {integration}"},
        ):
            answer = await client.get(url, headers=caller)
            assert answer.status_code == 200, answer.text
            assert PHONE not in answer.json()["text"] and "[số điện thoại]" in answer.json()["text"]
