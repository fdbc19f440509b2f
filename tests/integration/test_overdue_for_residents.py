"""An open conclusion past its due date reads so to residents, as the staff board marks it, over
the real broker and store (intake, routing and reporting in one process, the demo's 2017 plan).
The clock is fixed (reporting's follow-up deps and intake's pages read the same one), so the test
reads the day before and the day after the due date whatever today is; the day is the commune's
(Asia/Ho_Chi_Minh), not UTC's.

Seen from outside: staff saw "Đang giải quyết Quá hạn · hạn 30/06/2017" while the resident's
tracking page showed "Đang giải quyết (hạn 30/06/2017)" and /xa/demo/ket-luan "Tình trạng: Đang
giải quyết". Now both say "Đang giải quyết – quá hạn", without the staff's own notes."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime, timedelta
from functools import partial

import pytest

from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.reporting.handlers import FollowUpDeps
from services.routing.app import build_service as routing
from tests.conftest import eventually
from tests.integration.helpers import posted_and_routed

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
D = f"{BASE}/dialogues/demo-2017"
DRAIN = "Cống thoát nước trước chợ bị nghẹt, mưa lớn là ngập cả đoạn đường, đề nghị nạo vét."
SUMMARY = "Cống thoát nước trước chợ bị nghẹt gây ngập đường"
REASON = "Nội bộ: nhà thầu chưa nghiệm thu, chờ kinh phí bổ sung."  # staff-only (a reopening's reason)
LATE = "Đang giải quyết – quá hạn"


@pytest.fixture
def clock(monkeypatch):
    """One fixed clock for reporting's follow-up (board, open data) and intake's pages."""
    now = [datetime(2017, 4, 10, 3, 0, tzinfo=UTC)]
    monkeypatch.setattr("services.reporting.app.FollowUpDeps", partial(FollowUpDeps, clock=lambda: now[0]))
    monkeypatch.setattr("services.intake.web.pages.utcnow", lambda: now[0], raising=False)
    return now


async def _views(client, code: str) -> dict[str, str]:
    tracking = html.unescape((await client.get("/xa/demo/theo-doi", params={"ma": code})).text)
    (followup,) = re.findall(r'<dd class="followup">([^<]*)</dd>', tracking)
    (headline,) = re.findall(r"<span [^>]*data-headline>([^<]*)</span>", tracking)
    conclusions = html.unescape((await client.get("/xa/demo/ket-luan")).text)
    (status,) = re.findall(r'<dd class="status">([^<]*)</dd>', conclusions)
    rows = csv.DictReader(io.StringIO((await client.get(f"{D}/open-data.csv")).content.decode("utf-8-sig")))
    (row,) = list(rows)
    return {
        "tracking": followup,
        "headline": headline,
        "conclusions": status,
        "csv": row["Tình trạng"],
        "all": tracking + conclusions,
    }


async def test_an_overdue_task_reads_overdue_to_residents_as_to_staff(make_settings, clock):
    started = posted_and_routed(make_settings, [intake, routing, reporting], [("ấp Chợ", DRAIN)])
    async with started as (_, client, sent):
        code = sent[DRAIN]["tracking_code"]
        record = (await client.get(f"{D}/meeting")).json()
        (issue,) = record["issues"]
        saved = await client.put(f"{D}/meeting/issues/{issue['key']}", json={"summary": SUMMARY})
        assert saved.status_code == 200, saved.text
        issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
        assert issued.status_code == 201, issued.text
        (task,) = (await client.get(f"{D}/follow-up")).json()["tasks"]
        url, due = f"{BASE}/follow-up/{task['id']}", date.fromisoformat(task["due"])
        resolved = await client.post(f"{url}/status", json={"status": "resolved", "note": "Đã nạo vét."})
        assert resolved.status_code == 200, resolved.text
        reopened = await client.post(f"{url}/reopen", json={"reason": REASON})  # back at work
        assert reopened.status_code == 200, reopened.text

        async def at_work() -> bool:
            view = (await client.get(f"{BASE}/tracking/{code}")).json()
            return view["followup_status"] == "in_progress"

        await eventually(at_work, timeout=30)
        due_vi = f"{due:%d/%m/%Y}"

        # the due day, late evening in Vietnam: on time for staff and residents alike
        clock[0] = datetime(due.year, due.month, due.day, 16, 30, tzinfo=UTC)  # 23:30 in Vietnam
        assert (await client.get(f"{D}/follow-up")).json()["tasks"][0]["overdue"] is False
        views = await _views(client, code)
        assert views["tracking"] == f"Đang giải quyết (hạn {due_vi})"
        assert views["conclusions"] == views["csv"] == "Đang giải quyết"
        assert "quá hạn" not in views["headline"]

        # half an hour later it is the next day in Vietnam (still the due day in UTC): overdue
        clock[0] += timedelta(hours=1)
        assert (await client.get(f"{D}/follow-up")).json()["tasks"][0]["overdue"] is True
        views = await _views(client, code)
        assert views["tracking"] == f"{LATE} (hạn {due_vi})"
        assert views["headline"] == "Đang thực hiện kết luận (đang giải quyết – quá hạn)"
        assert views["conclusions"] == views["csv"] == LATE
        assert REASON not in views["all"]  # the staff's own note stays theirs

        # settled: no longer overdue anywhere
        done = await client.post(f"{url}/status", json={"status": "resolved", "note": "Đã nạo vét xong."})
        assert done.status_code == 200, done.text

        async def settled() -> bool:
            return (await client.get(f"{BASE}/tracking/{code}")).json()["followup_status"] == "resolved"

        await eventually(settled, timeout=30)
        views = await _views(client, code)
        assert "quá hạn" not in views["tracking"] + views["conclusions"] + views["csv"]
