"""The follow-up board of a large plan stays bounded: with 3,000 conclusions' tasks (as a large
plan's conclusion notice opens them), `/staff/theo-doi` lists them a page at a time in the
notice's numbers' order, with Vietnamese page links that keep the chosen plan; a bad `?trang=` is
a clear 400, a page past the end shows the last; a task changed on a late page comes back on its
page. Reporting's follow-up API sends intake one page (`?offset=&limit=`, `around=`), and every
task, as before, to a caller that asks no limit. The tasks are written straight into reporting's
collection (the shape the notice gives them) so the test measures the board, not the issuing.

Run alone, it prints the board's size (`-s`): the figures in the commit message come from it."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from services.demo.documents import demo_dataset
from services.reporting.followup_repository import TASK_HISTORY, TASKS
from shared.auth.principal import Role
from tests.auth import staff_headers
from tests.integration.test_large_plan_pages import _items, _pages_of, _plan_of
from tests.integration.test_web_staff import logged_in, token_of

pytestmark = pytest.mark.integration
TASK_COUNT = 3000
PER_PAGE = 25
BOUND = 400_000  # bytes of one page's HTML
OFFICE = "phong-kinh-te"


def _tasks(items: list[dict], dialogue_id: str) -> tuple[list[dict], list[dict]]:
    """One task per item, numbered as the notice prints them; every 7th resolved (with its history
    entry), the rest open and past their due date. Stored out of their numbers' order."""
    tasks, history = [], []
    for n, item in enumerate(items, start=1):
        task_id = f"{dialogue_id}:{item['_id']}"
        resolved = n % 7 == 0
        tasks.append(
            {
                "_id": task_id,
                "commune_id": "demo",
                "dialogue_id": dialogue_id,
                "cluster_id": item["_id"],
                "submission_ids": [item["_id"]],
                "text": item["text"],
                "hamlet": item.get("hamlet"),
                "topic": item["topic"],
                "topic_name": item.get("topic_name"),
                "office_id": item["office_id"],
                "office_name": item["office_name"],
                "authority_level": "commune",
                "authority_body": None,
                "times_raised": 1,
                "status": "resolved" if resolved else "assigned",
                "due": "2017-05-0" + str(1 + n % 9),
                "revision": 1 if resolved else 0,
                "notice_number": n,
                "created_at": "2017-04-10T03:00:00Z",
            }
        )
        if resolved:
            history.append(
                {
                    "_id": f"h-{n}",
                    "commune_id": "demo",
                    "task_id": task_id,
                    "at": "2017-04-20T03:00:00Z",
                    "status": "resolved",
                    "previous_status": "assigned",
                    "note": f"Đã xử lý việc số {n}.",
                    "by": "Phòng Kinh tế",
                }
            )
    tasks.reverse()  # the board orders them, not the store
    return tasks, history


@pytest.fixture
async def big_board(make_settings):
    dialogue_id = demo_dataset()[1].id
    async for app in _plan_of(make_settings, TASK_COUNT):
        db = app.state.runtime.db
        tasks, history = _tasks(_items(TASK_COUNT), dialogue_id)
        for start in range(0, len(tasks), 1000):
            await db[TASKS].insert_many(tasks[start : start + 1000])
        await db[TASK_HISTORY].insert_many(history)
        yield app, dialogue_id, tasks


def _numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-number="(\d+)"', html)]


async def test_a_large_follow_up_board_is_bounded_and_paged(big_board):
    app, dialogue_id, _ = big_board
    path = f"/staff/theo-doi?dot={dialogue_id}"
    async with logged_in(app, "demo.vanphong") as staff:
        started = time.perf_counter()
        page = await staff.get(path)
        print(f"follow-up board: {len(page.content)} bytes in {time.perf_counter() - started:.1f} s")
        assert page.status_code == 200, page.text[:500]
        assert len(page.content) <= BOUND, f"{len(page.content)} bytes"
        count = -(-TASK_COUNT // PER_PAGE)
        assert _pages_of(page.text) == (1, count)
        assert _numbers(page.text) == list(range(1, PER_PAGE + 1))  # the notice's order
        assert f"Việc 1–{PER_PAGE} trong {TASK_COUNT}" in page.text
        assert "Quá hạn" in page.text and "Đã xử lý việc số 7." in page.text
        following = re.search(r'href="([^"]+)" rel="next">Trang sau', page.text)
        assert following is not None
        second = await staff.get(following.group(1).replace("&amp;", "&"))
        assert f"dot={dialogue_id}" in following.group(1) and "trang=2" in following.group(1)
        assert _pages_of(second.text) == (2, count) and "Trang trước" in second.text
        assert _numbers(second.text) == list(range(PER_PAGE + 1, 2 * PER_PAGE + 1))
        last = await staff.get(f"{path}&trang={count}")
        assert last.status_code == 200 and _pages_of(last.text) == (count, count)
        assert _numbers(last.text)[-1] == TASK_COUNT and len(last.content) <= BOUND
        for bad in ("abc", "0", "-1", "1.5", "9" * 30):
            refused = await staff.get(f"{path}&trang={bad}")
            assert refused.status_code == 400, (bad, refused.status_code)
            assert "Số trang" in refused.text
        beyond = await staff.get(f"{path}&trang={count + 5}")
        assert beyond.status_code == 200 and _pages_of(beyond.text) == (count, count)


async def test_an_office_pages_through_its_own_tasks_and_a_change_comes_back_on_its_page(big_board):
    app, dialogue_id, tasks = big_board
    own = sorted(t["notice_number"] for t in tasks if t["office_id"] == OFFICE)
    assert PER_PAGE < len(own) < TASK_COUNT
    async with logged_in(app, "demo.kinhte") as office:
        page = await office.get(f"/staff/theo-doi?dot={dialogue_id}")
        assert page.status_code == 200
        assert _pages_of(page.text) == (1, -(-len(own) // PER_PAGE))
        assert _numbers(page.text) == own[:PER_PAGE]
        assert f"trong {len(own)}" in page.text
        target = own[3 * PER_PAGE + 2]  # on the office's 4th page
        task_id = next(t["_id"] for t in tasks if t["notice_number"] == target)
        token = await token_of(office, f"/staff/theo-doi?dot={dialogue_id}")
        refused = await office.post(f"/staff/theo-doi/{task_id}", data={"csrf_token": token, "status": ""})
        assert refused.status_code == 422 and _pages_of(refused.text)[0] == 4
        assert f'id="viec-{task_id}"' in refused.text and "Vui lòng chọn trạng thái mới" in refused.text
        done = await office.post(
            f"/staff/theo-doi/{task_id}",
            data={"csrf_token": token, "status": "in_progress", "note": "Đang làm"},
        )
        assert done.status_code == 303, done.text[:500]
        back = await office.get(done.headers["location"])
        assert _pages_of(back.text)[0] == 4 and "Đã cập nhật." in back.text
        status = re.search(
            rf'id="viec-{re.escape(task_id)}" data-task="[^"]+" data-status="(\w+)"', back.text
        )
        assert status is not None and status.group(1) == "in_progress"


async def test_a_small_board_reads_on_one_page_as_before(make_settings):
    dialogue_id = demo_dataset()[1].id
    async for app in _plan_of(make_settings, 12):
        db = app.state.runtime.db
        tasks, history = _tasks(_items(12), dialogue_id)
        await db[TASKS].insert_many(tasks)
        await db[TASK_HISTORY].insert_many(history)
        async with logged_in(app, "demo.vanphong") as staff:
            page = (await staff.get(f"/staff/theo-doi?dot={dialogue_id}")).text
        assert _numbers(page) == list(range(1, 13))
        assert 'class="pager"' not in page and "Trang 1/" not in page and "data-tasks-shown" not in page


async def test_reporting_pages_the_board_on_request_and_answers_every_task_without_a_limit(big_board):
    """The follow-up API without `limit` answers every task as before (no `total`); with
    `offset`/`limit`, one page in the notice's numbers' order with the whole board's `total` and
    counts; `around` gives the page holding a task; an office's page counts only its tasks."""
    app, dialogue_id, tasks = big_board
    path = f"/api/v1/communes/demo/dialogues/{dialogue_id}/follow-up"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as api:
        party = staff_headers(Role.PARTY_OFFICE)
        whole = (await api.get(path, headers=party)).json()
        assert len(whole["tasks"]) == TASK_COUNT and "total" not in whole and "offset" not in whole
        page = (await api.get(f"{path}?offset=50&limit=25", headers=party)).json()
        assert [t["notice_number"] for t in page["tasks"]] == list(range(51, 76))
        assert page["total"] == TASK_COUNT and page["offset"] == 50 and page["counts"] == whole["counts"]
        target = next(t["_id"] for t in tasks if t["notice_number"] == 1234)
        held = (await api.get(f"{path}?limit=25&around={target}", headers=party)).json()
        assert held["offset"] == 1225 and target in [t["id"] for t in held["tasks"]]
        beyond = (await api.get(f"{path}?offset=5000&limit=25", headers=party)).json()
        assert beyond["tasks"] == [] and beyond["total"] == TASK_COUNT
        for bad in ("limit=0", "limit=201", "offset=-1", "limit=x"):
            assert (await api.get(f"{path}?{bad}", headers=party)).status_code == 422, bad
        office = staff_headers(Role.OFFICE_STAFF, office_id=OFFICE)
        own = (await api.get(f"{path}?limit=10", headers=office)).json()
        mine = sorted(t["notice_number"] for t in tasks if t["office_id"] == OFFICE)
        assert own["total"] == len(mine) and [t["notice_number"] for t in own["tasks"]] == mine[:10]


async def test_the_dashboards_progress_counts_the_whole_board_from_one_task_sent(big_board):
    """The dashboard's progress bar reads the board's counts (reporting sends one task, not 3,000):
    the Party office's every task and the overdue ones, an office's its own."""
    app, dialogue_id, tasks = big_board
    resolved = sum(1 for t in tasks if t["status"] == "resolved")
    async with logged_in(app, "demo.vanphong") as staff:
        page = await staff.get(f"/staff/?dot={dialogue_id}")
        assert page.status_code == 200, page.text[:500]
        overdue = TASK_COUNT - resolved  # every open task's due date passed in 2017
        assert f"Tiến độ thực hiện kết luận ({TASK_COUNT} việc, {overdue} quá hạn)" in page.text
    own = [t for t in tasks if t["office_id"] == OFFICE]
    own_open = sum(1 for t in own if t["status"] != "resolved")
    async with logged_in(app, "demo.kinhte") as office:
        page = await office.get(f"/staff/?dot={dialogue_id}")
        assert f"Tiến độ thực hiện kết luận ({len(own)} việc, {own_open} quá hạn)" in page.text
