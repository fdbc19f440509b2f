"""A progress note on the staff follow-up board, over the real broker and store (intake, routing
and reporting in one process, the demo's 2017 plan): nothing is preselected in a task's status
list, "Cập nhật" without a choice comes back with a Vietnamese message naming the field and the
note kept; "Giữ nguyên …, chỉ thêm ghi chú tiến độ" keeps the task "Đang giải quyết" (the note
required) as a new revision, and the resident's tracking page shows the note in its history.

Seen from outside: on a task already "Đang giải quyết" the list offered only resolved, escalated,
awaiting and rejected, with "Đã giải quyết" preselected, so an office writing its second progress
note and pressing "Cập nhật" marked the issue resolved and the residents were told so."""

from __future__ import annotations

import html
import re

import pytest

from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.conftest import eventually
from tests.integration.helpers import posted_and_routed
from tests.integration.test_web_staff import logged_in, token_of

pytestmark = pytest.mark.integration
D = "/api/v1/communes/demo/dialogues/demo-2017"
DRAIN = "Cống thoát nước trước chợ bị nghẹt, mưa lớn là ngập cả đoạn đường, đề nghị nạo vét."
FIRST, SECOND = "Đã khảo sát tuyến cống, lập dự toán.", "Đã thuê máy nạo vét, xong 60% tuyến cống."
BOARD = "/staff/theo-doi?dot=demo-2017"


def _card(page: str, task_id: str) -> str:
    """The task's card, history and all (up to the next card or the list's end)."""
    start = page.index(f'id="viec-{task_id}"')
    ends = [e for e in (page.find('<li class="card"', start), page.find("</ol>\n</", start)) if e > 0]
    return page[start : min(ends, default=len(page))]


def _options(card: str) -> list[tuple[str, bool]]:
    """(value, selected) of the status list's options, in order."""
    (select,) = re.findall(r'<select[^>]*name="status".*?</select>', card, re.S)
    return [(v, " selected" in attrs) for v, attrs in re.findall(r'<option value="([^"]*)"([^>]*)>', select)]


async def test_a_progress_note_keeps_the_status_and_reaches_the_resident(make_settings):
    started = posted_and_routed(make_settings, [intake, routing, reporting], [("ấp Chợ", DRAIN)])
    async with started as (app, client, sent):
        issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
        assert issued.status_code == 201, issued.text
        (task,) = (await client.get(f"{D}/follow-up")).json()["tasks"]
        task_id, code = task["id"], sent[DRAIN]["tracking_code"]
        post = f"/staff/theo-doi/{task_id}"
        async with logged_in(app, "demo.kinhte") as office:
            token = await token_of(office, BOARD)
            moved = await office.post(
                post, data={"csrf_token": token, "status": "in_progress", "note": FIRST}
            )
            assert moved.status_code == 303, moved.text[:500]

            # at work: nothing preselected; keeping the status is offered beside the moves
            card = _card((await office.get(BOARD)).text, task_id)
            options = _options(card)
            assert options[0] == ("", True) and [v for v, chosen in options if chosen] == [""]
            assert "giu-nguyen" in [v for v, _ in options] and "resolved" in [v for v, _ in options]
            assert "Giữ nguyên “Đang giải quyết”, chỉ thêm ghi chú tiến độ" in html.unescape(card)

            # "Cập nhật" without a choice: refused next to the field, named, the note kept
            refused = await office.post(post, data={"csrf_token": token, "status": "", "note": SECOND})
            assert refused.status_code == 422
            card = html.unescape(_card(refused.text, task_id))
            (error,) = re.findall(r'data-field-error="status">([^<]*)<', card)
            assert error.startswith("Vui lòng chọn trạng thái mới") and "“Trạng thái mới”" in error
            assert f">{SECOND}</textarea>" in card and _options(card)[0] == ("", True)
            # keeping the status takes a note
            blank = await office.post(post, data={"csrf_token": token, "status": "giu-nguyen", "note": " "})
            assert blank.status_code == 422
            assert "Vui lòng ghi nội dung tiến độ" in html.unescape(_card(blank.text, task_id))
            assert (await client.get(f"{D}/follow-up")).json()["tasks"][0]["revision"] == 1

            noted = await office.post(
                post, data={"csrf_token": token, "status": "giu-nguyen", "note": SECOND}
            )
            assert noted.status_code == 303, noted.text[:500]
            back = (await office.get(noted.headers["location"])).text
            assert "Đã thêm ghi chú tiến độ; trạng thái giữ nguyên." in back
            card = html.unescape(_card(back, task_id))
            assert 'data-status="in_progress"' in card
            (entry,) = re.findall(r'<li data-history="note">(.*?)</li>', card, re.S)
            assert "ghi chú tiến độ (đang giải quyết)" in entry and SECOND in entry

        (task,) = (await client.get(f"{D}/follow-up")).json()["tasks"]
        assert (task["status"], task["revision"]) == ("in_progress", 2)

        async def told() -> str | None:
            page = html.unescape((await client.get("/xa/demo/theo-doi", params={"ma": code})).text)
            return page if SECOND in page else None

        page = await eventually(told, timeout=30)
        assert FIRST in page and "Đã giải quyết" not in page
        # a note on a task still open reads as its progress, not its result (outside walkthrough)
        assert re.search(r"<dt>Ghi chú tiến độ</dt><dd data-followup-result>", page)
        assert "<dt>Kết quả</dt>" not in page
        notes = re.findall(r"<span data-history-note>([^<]*)</span>", page)
        assert any("đang giải quyết" in n and SECOND in n for n in notes), notes
        tracked = (await client.get(f"/api/v1/communes/demo/tracking/{code}")).json()
        assert tracked["followup_status"] == "in_progress"
