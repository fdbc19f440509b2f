"""The answer an office prepares on the item page, over the real broker and store (the four
services in one process): routing records it as a new revision of the decision (change
`answered`, same office) carrying the answer, so the resident's tracking page shows it under
"Nội dung trả lời", reporting's read model holds it, and the office is not e-mailed again."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
TEXT = "Trộm cắp xe máy ban đêm ở đầu ấp, đề nghị tăng cường tuần tra."
ANSWER = "Công an xã đã bố trí tuần tra ban đêm tại đầu ấp Chợ từ tháng 3."
SECOND = "Công an xã bố trí tuần tra ban đêm tại đầu ấp Chợ, phối hợp tổ an ninh ấp."


@pytest.fixture
async def client(make_settings, mail_capture):
    app = build_app(
        make_settings(SMTP_URL=mail_capture.url), [intake, routing, notification, reporting], title="t"
    )
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers(), timeout=60
        ) as client:
            yield client


async def _json(client: httpx.AsyncClient, url: str) -> dict | None:
    response = await client.get(url)
    return response.json() if response.status_code == 200 else None


async def _item(client: httpx.AsyncClient, code: str) -> dict | None:
    items = (await client.get(f"{BASE}/dialogues/demo-2017/items")).json()["items"]
    return next((i for i in items if i.get("tracking_code") == code), None)


async def test_the_prepared_answer_reaches_the_tracking_page_and_the_read_model_without_a_new_email(
    client, mail_capture
):
    accepted = await client.post(
        f"{BASE}/submissions",
        json={"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": TEXT},
    )
    assert accepted.status_code == 202, accepted.text
    submission_id, code = accepted.json()["id"], accepted.json()["tracking_code"]
    routing_url = f"{BASE}/submissions/{submission_id}/routing"
    await eventually(lambda: _json(client, routing_url))
    await eventually(lambda: len(mail_capture.messages()) == 1)
    tracking = f"/xa/demo/theo-doi?ma={code}"
    assert "Nội dung trả lời" not in (await client.get(tracking)).text

    put = await client.put(
        f"{BASE}/submissions/{submission_id}/answer", json={"text": ANSWER, "by": "Công an xã"}
    )
    assert put.status_code == 200, put.text
    decision = await _json(client, routing_url)
    assert (decision["revision"], decision["change"], decision["answer"]) == (1, "answered", ANSWER)
    assert decision["office_id"] == "cong-an-xa"

    async def shown(text: str) -> bool:
        page = (await client.get(tracking)).text
        return "Nội dung trả lời" in page and text in page

    await eventually(lambda: shown(ANSWER))
    page = (await client.get(tracking)).text
    assert "đã chuẩn bị nội dung trả lời" in page  # the history entry of the revision
    assert 'data-stage="answered"' in page and "Đã có nội dung trả lời" in page  # the headline's stage
    await eventually(lambda: _answered(client, code, ANSWER))

    # A corrected answer is the next revision; the page and the read model follow it.
    put = await client.put(
        f"{BASE}/submissions/{submission_id}/answer", json={"text": SECOND, "by": "Công an xã"}
    )
    assert put.status_code == 200, put.text
    await eventually(lambda: shown(SECOND))
    await eventually(lambda: _answered(client, code, SECOND))
    # The office keeps its item: no new e-mail for an answer.
    await asyncio.sleep(1.5)
    assert len(mail_capture.messages()) == 1


async def _answered(client: httpx.AsyncClient, code: str, text: str) -> bool:
    item = await _item(client, code)
    return bool(item) and item.get("answer") == text
