"""Reopening a settled task and the notice's numbers on the follow-up board, with the real broker
and store (intake, routing and reporting in one process):

- a resolved task is reopened only with a reason (blank: 422; an open task: 409); who, when and
  why are in the task's history on the board; the resident's tracking page follows the task back
  to work (a later revision wins) without the staff-only reason;
- each task carries the number the issued notice prints (read from the notice's HTML), and a
  reissue that numbers the issues differently (staff moved one to another topic) renumbers the
  tasks."""

from __future__ import annotations

import re

import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
D = f"{BASE}/dialogues/demo-2017"
DRAIN = "Cống thoát nước trước chợ bị nghẹt, mưa là ngập cả đoạn đường, đề nghị nạo vét."
COMPENSATION = "Đề nghị tỉnh sớm chi trả tiền bồi thường giải phóng mặt bằng đường tỉnh 741."
PAPERS = "Thủ tục cấp giấy chứng nhận quyền sử dụng đất còn chậm, đề nghị rút ngắn thời gian giải quyết."
REASON = "Mưa lớn lại ngập, dân phản ánh chưa nạo vét hết."


@pytest.fixture
async def client(make_settings):
    settings = make_settings(DOITHOAI_SCHEDULER_INTERVAL_S=3600, DOITHOAI_INTAKE_URL="inprocess")
    app = build_app(settings, [intake, routing, reporting], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers(), timeout=60
        ) as client:
            yield client


async def _post(client, text: str, hamlet: str = "ấp Chợ") -> str:
    body = {"source": "citizen", "kind": "petition", "hamlet": hamlet, "text": text}
    reply = await client.post(f"{BASE}/submissions", json=body)
    assert reply.status_code == 202, reply.text
    return reply.json()["tracking_code"]


async def _routed(client, n: int) -> bool:
    items = (await client.get(f"{D}/items")).json()["items"]
    return sum(i["topic"] is not None for i in items) == n


async def _issue(client, on: str) -> dict[str, int]:
    """Issues the notice; the number it prints before each issue's text (first 30 characters)."""
    issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": on})
    assert issued.status_code == 201, issued.text
    html = (await client.get(issued.json()["links"]["html"])).text
    return {
        text[:30]: int(number)
        for number, text in re.findall(r'data-number="(\d+)">\d+\. [^“]*“([^”]*)”', html)
    }


async def _board(client) -> dict[str, dict]:
    tasks = (await client.get(f"{D}/follow-up")).json()["tasks"]
    return {t["text"][:30]: t for t in tasks}


async def test_reopen_is_audited_and_followed_by_the_resident_page(client):
    code = await _post(client, DRAIN)
    await _post(client, COMPENSATION, "ấp Căn Cứ")
    await eventually(lambda: _routed(client, 2), timeout=30)
    printed = await _issue(client, "2017-04-05")
    board = await _board(client)
    assert {k: t["notice_number"] for k, t in board.items()} == printed and sorted(printed.values()) == [1, 2]

    drain = board[DRAIN[:30]]
    url = f"{BASE}/follow-up/{drain['id']}"
    early = await client.post(f"{url}/reopen", json={"reason": REASON})
    assert early.status_code == 409  # an open task is not reopened
    done = await client.post(f"{url}/status", json={"status": "resolved", "note": "Đã nạo vét."})
    assert done.status_code == 200, done.text
    blank = await client.post(f"{url}/reopen", json={"reason": "  "})
    assert blank.status_code == 422 and blank.json()["detail"][0]["field"] == "reason"
    reopened = await client.post(f"{url}/reopen", json={"reason": REASON})
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "in_progress"

    history = (await _board(client))[DRAIN[:30]]["history"]
    assert [(h["status"], h["action"]) for h in history] == [("resolved", None), ("in_progress", "reopened")]
    assert history[1]["note"] == REASON and history[1]["by"] and history[1]["at"]

    async def back_at_work():
        view = (await client.get(f"{BASE}/tracking/{code}")).json()
        return view if view["followup_status"] == "in_progress" else None

    view = await eventually(back_at_work, timeout=20)
    assert REASON not in str(view)  # the reason is the staff's


async def test_a_reissue_renumbers_the_tasks_as_the_new_notice_prints_them(client):
    await _post(client, DRAIN)
    await _post(client, PAPERS)
    await _post(client, COMPENSATION, "ấp Căn Cứ")
    await eventually(lambda: _routed(client, 3), timeout=30)
    first = await _issue(client, "2017-04-05")
    assert sorted(first.values()) == [1, 2, 3] and first[COMPENSATION[:30]] == 3  # the province's last
    # Staff move the issue printed first to "Khác", printed after the plan's topics: it follows
    # the commune's other issue. (Not a new submission: the issued notice concludes the plan.)
    leading = next(i for i in (await client.get(f"{D}/items")).json()["items"] if first[i["text"][:30]] == 1)
    change = {"action": "reclassify", "topic": 0, "reason": "Không thuộc nội dung trọng tâm"}
    moved = await client.post(f"{BASE}/submissions/{leading['id']}/routing/changes", json=change)
    assert moved.status_code in (200, 201, 202), moved.text

    async def reclassified() -> bool:
        items = (await client.get(f"{D}/items")).json()["items"]
        return any(i["id"] == leading["id"] and i["topic"] == 0 for i in items)

    await eventually(reclassified, timeout=30)
    second = await _issue(client, "2017-04-06")
    assert second == {text: {1: 2, 2: 1, 3: 3}[number] for text, number in first.items()}
    board = await _board(client)
    assert {k: t["notice_number"] for k, t in board.items()} == second
