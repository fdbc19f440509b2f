"""The staff pages while routing or reporting accepts connections and never answers (a paused
process), on the real broker and store: a page built from their reads gives up after the
page-read timeout and says so in Vietnamese; the documents page reads reporting's two answers at
once (one timeout, not two) and, not knowing what is issued, offers no "Ban hành"; an item intake
knows is not classified yet does not ask routing at all; a draft (rendered) keeps the longer
backend timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from services.demo.seed import seed_demo
from services.demo.staff import seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.intake.repository import SUBMISSIONS
from services.intake.web.staff.documents import DOCUMENT_KINDS_VI
from tests.integration.helpers import running
from tests.integration.test_web_staff import A_KINHTE, logged_in

pytestmark = pytest.mark.integration

READ_S = 1.0  # DOITHOAI_PAGE_READ_TIMEOUT_S of these tests
BACKEND_S = 4.0  # DOITHOAI_BACKEND_TIMEOUT_S
ROUTING_DOWN_VI = "Dịch vụ phân loại tạm thời không trả lời"
REPORTING_DOWN_VI = "Dịch vụ báo cáo, văn bản tạm thời không trả lời"
UNCLASSIFIED = {
    **A_KINHTE,
    "_id": "demo-item-unclassified",
    "tracking_code": "DT-DEMO0099",
    "status": "received",
    "status_rank": 0,
    "routing_revision": None,
    "received_at": datetime(2017, 3, 1, 2, 0, tzinfo=UTC),  # long past routing's usual seconds
    "topic": None,
    "topic_name": None,
    "office_id": None,
    "office_name": None,
}


@dataclass
class Stalled:
    """A TCP server that reads each request's first line and never answers."""

    server: asyncio.Server | None = None
    requests: list[tuple[float, str]] = field(default_factory=list)  # (monotonic time, path)
    held: list[asyncio.StreamWriter] = field(default_factory=list)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        line = (await reader.readline()).decode("latin-1").split()
        self.requests.append((time.monotonic(), line[1] if len(line) > 1 else ""))
        self.held.append(writer)

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def close(self) -> None:
        for writer in self.held:
            writer.close()
        if self.server is not None:
            self.server.close()

    def paths(self) -> list[str]:
        return [path for _, path in self.requests]


@dataclass
class Paused:
    app: object
    routing: Stalled
    reporting: Stalled


@pytest.fixture
async def paused(make_settings) -> AsyncIterator[Paused]:
    routing, reporting = Stalled(), Stalled()
    settings = make_settings(
        DOITHOAI_ROUTING_URL=await routing.start(),
        DOITHOAI_REPORTING_URL=await reporting.start(),
        DOITHOAI_PAGE_READ_TIMEOUT_S=str(READ_S),
        DOITHOAI_BACKEND_TIMEOUT_S=str(BACKEND_S),
    )
    app = build_app(settings, [intake], title="t")
    try:
        async with running(app):
            db = app.state.runtime.db
            await seed_demo(db)
            await seed_demo_staff(db, must_change_password=False)
            await db[SUBMISSIONS].insert_many([dict(A_KINHTE), dict(UNCLASSIFIED)])
            yield Paused(app, routing, reporting)
    finally:
        await routing.close()
        await reporting.close()


async def _timed_get(client, path: str):
    started = time.monotonic()
    response = await client.get(path)
    return response, time.monotonic() - started


async def test_documents_page_with_reporting_paused_says_the_state_is_unknown_after_one_timeout(paused):
    async with logged_in(paused.app, "demo.vanphong") as client:
        page, elapsed = await _timed_get(client, "/staff/van-ban")
    assert page.status_code == 200, page.text
    assert REPORTING_DOWN_VI in page.text
    assert page.text.count("data-state-unknown") == len(DOCUMENT_KINDS_VI)  # every document kind
    assert "Chưa đọc được tình trạng văn bản" in page.text
    assert "Chưa ban hành" not in page.text and "/ban-hanh" not in page.text
    paths = paused.reporting.paths()
    assert any(p.endswith("/documents") for p in paths) and any(p.endswith("/meeting") for p in paths)
    times = [t for t, _ in paused.reporting.requests]
    assert max(times) - min(times) < READ_S / 2  # the second read did not wait for the first
    assert READ_S <= elapsed < 2 * READ_S, elapsed


async def test_review_queue_and_follow_up_give_up_after_the_page_read_timeout(paused):
    async with logged_in(paused.app, "demo.vanphong") as client:
        review, review_s = await _timed_get(client, "/staff/xem-lai")
        board, board_s = await _timed_get(client, "/staff/theo-doi")
    assert review.status_code == 200 and ROUTING_DOWN_VI in review.text
    assert board.status_code == 200 and REPORTING_DOWN_VI in board.text
    assert READ_S <= review_s < BACKEND_S and READ_S <= board_s < BACKEND_S, (review_s, board_s)


async def test_an_unclassified_item_does_not_ask_routing_and_a_classified_one_says_it_did_not_answer(
    paused,
):
    async with logged_in(paused.app, "demo.vanphong") as client:
        waiting = await client.get(f"/staff/items/{UNCLASSIFIED['_id']}")
        assert waiting.status_code == 200, waiting.text
        assert "Chưa phân loại" in waiting.text and ROUTING_DOWN_VI not in waiting.text
        assert not any(UNCLASSIFIED["_id"] in p for p in paused.routing.paths())

        classified, elapsed = await _timed_get(client, f"/staff/items/{A_KINHTE['_id']}")
    assert classified.status_code == 200 and ROUTING_DOWN_VI in classified.text
    assert any(A_KINHTE["_id"] in p for p in paused.routing.paths())
    assert READ_S <= elapsed < BACKEND_S, elapsed


async def test_a_draft_keeps_the_longer_backend_timeout(paused):
    async with logged_in(paused.app, "demo.vanphong") as client:
        draft, elapsed = await _timed_get(client, "/staff/van-ban/thong-bao-ket-luan/du-thao.pdf")
    assert draft.status_code == 502 and REPORTING_DOWN_VI in draft.text
    assert elapsed >= BACKEND_S, elapsed
