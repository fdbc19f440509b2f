"""The staff follow-up board on the issues the Secretary closed at the meeting. Such a task opens
settled the day the notice is issued (`settled_at_meeting`): it has no deadline to meet, and its
outcome is the conclusion as the resident is told it, the reason included for an issue explained
with nothing to act on. Seen in a walkthrough: the board printed "hạn 05/04/2017" (the notice's
date) on those cards as if a deadline, and the card of an issue explained with no action showed
only the conclusion's words, never the reason the Secretary gave (the residents' tracking page
shows both right). The board now says "kết thúc tại hội nghị" instead of a deadline and prints
the outcome; once such a task is reopened it is followed like any other, with its due date."""

from __future__ import annotations

import re

import httpx
import pytest

from services.demo.seed import seed_demo
from services.demo.staff import seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
D = f"{BASE}/dialogues/demo-2017"
CANAL = "Kênh thủy lợi ấp Chợ bồi lắng nặng, lúa thiếu nước, đề nghị nạo vét"
TRUCKS = "Xe tải chở cát chạy quá tốc độ qua trường học ấp Mới vào giờ tan học"
DRAIN = "Cống thoát nước đường vào chợ ấp Chợ bị nghẹt, mưa là ngập"
ANSWER = "Kênh đã có trong kế hoạch nạo vét quý II"
REASON = "Tuyến đường do tỉnh quản lý, đã có biển hạn chế tốc độ"
EXPLAINED = "Đã giải thích cho bà con tại hội nghị"


@pytest.fixture
async def concluded(make_settings):
    """Three issues concluded (answered, explained with no action, assigned) and the notice issued
    on 05/04/2017."""
    settings = make_settings(DOITHOAI_ROUTING_URL="inprocess", DOITHOAI_REPORTING_URL="inprocess")
    app = build_app(settings, [intake, routing, reporting], title="t")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        await seed_demo_staff(db, must_change_password=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers(), timeout=60
        ) as api:
            for text, hamlet in ((CANAL, "ấp Chợ"), (TRUCKS, "ấp Mới"), (DRAIN, "ấp Chợ")):
                body = {"source": "citizen", "kind": "petition", "hamlet": hamlet, "text": text}
                posted = await api.post(f"{BASE}/submissions", json=body)
                assert posted.status_code == 202, posted.text

            async def routed() -> bool:
                items = (await api.get(f"{D}/items")).json()["items"]
                return sum(i["topic"] is not None for i in items) >= 3

            await eventually(routed, timeout=30)
            record = (await api.get(f"{D}/meeting")).json()
            keys = {}
            for fragment in ("Kênh thủy lợi", "Xe tải", "Cống thoát nước"):
                (issue,) = [i for i in record["issues"] if fragment in i["summary"]]
                keys[fragment] = str(issue["key"])
            conclusions = {
                "Kênh thủy lợi": {"kind": "answered", "text": ANSWER},
                "Xe tải": {"kind": "no_action", "text": EXPLAINED, "reason": REASON},
                "Cống thoát nước": {
                    "kind": "assigned",
                    "text": "Nạo vét cống trước mùa mưa",
                    "office_id": "phong-kinh-te",
                    "deadline_working_days": 15,
                },
            }
            for fragment, conclusion in conclusions.items():
                saved = await api.put(f"{D}/meeting/conclusions/{keys[fragment]}", json=conclusion)
                assert saved.status_code == 200, saved.text
            issued = await api.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
            assert issued.status_code == 201, issued.text
            yield app, api


def _cards(html: str) -> dict[str, str]:
    """Each task card's HTML by the words of its conclusion (the card lists its text)."""
    cards = re.findall(r'<li class="card" id="viec-.*?</li>\s*(?=<li class="card"|</ol>)', html, re.S)
    assert cards, "no task cards on the board"
    found = {}
    for fragment in (ANSWER, EXPLAINED, "Nạo vét cống"):
        (card,) = [c for c in cards if fragment in c]
        found[fragment] = card
    return found


async def test_the_board_shows_no_deadline_and_the_outcome_for_issues_closed_at_the_meeting(concluded):
    app, api = concluded
    async with logged_in(app, "demo.vanphong") as staff:
        board = await staff.get("/staff/theo-doi?dot=demo-2017")
        assert board.status_code == 200, board.text
        cards = _cards(board.text)

        answered, explained, assigned = cards[ANSWER], cards[EXPLAINED], cards["Nạo vét cống"]
        for card in (answered, explained):
            assert "hạn <span data-due>" not in card and "05/04/2017" not in card
            assert "kết thúc tại hội nghị" in card
        assert REASON in explained  # the reason the Secretary gave is on the board
        assert "Giải thích, không cần giải quyết" in explained
        assert "hạn <span data-due>" in assigned and "kết thúc tại hội nghị" not in assigned

        # reopened, the task is followed again with its due date, like any other
        task_id = re.search(r'data-task="([^"]+)"', answered).group(1)
        reopened = await api.post(
            f"{BASE}/follow-up/{task_id}/reopen", json={"reason": "Dân báo kênh vẫn bồi lắng"}
        )
        assert reopened.status_code == 200, reopened.text
        again = _cards((await staff.get("/staff/theo-doi?dot=demo-2017")).text)[ANSWER]
        assert "hạn <span data-due>" in again and "kết thúc tại hội nghị" not in again
