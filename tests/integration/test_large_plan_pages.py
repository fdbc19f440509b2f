"""Pages of a commune with a large dialogue stay bounded: with 8,000 items (each its own issue),
the meeting page, the staff documents page and the residents' conclusions page are each at most
`BOUND` bytes, page through the rest with Vietnamese links, and a bad `?trang=` is a clear 400,
never a 500. The items are written straight into reporting's read model (the shape routing's
events give it, from the demo's routed items) so the test measures pages, not the pipeline.

Run alone, it prints each page's size (`-s`): the figures in the commit message come from it."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from services.demo.documents import demo_dataset
from services.demo.seed import seed_demo
from services.demo.staff import seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.reporting.repository import ITEMS
from services.routing.app import build_service as routing
from tests.integration.helpers import running
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
ITEM_COUNT = 8000
BOUND = 400_000  # bytes of one page's HTML


def _items(count: int) -> list[dict]:
    _, dialogue, routed, _ = demo_dataset()
    rows = []
    for n in range(count):
        base = routed[n % len(routed)]
        serial = f"{n + 1:05d}"
        rows.append(
            {
                **{k: v for k, v in base.items() if k != "id"},
                "_id": f"big-{serial}",
                "commune_id": "demo",
                "dialogue_id": dialogue.id,
                "tracking_code": f"DT-BIG{serial}",
                "cluster_id": f"big-{serial}",
                "duplicate_of": None,
                "text": f"[{serial}] {base['text']}",
                "routing_revision": 1,
                "received_at": f"2017-03-{1 + n % 12:02d}T{n % 24:02d}:{n % 60:02d}:00Z",
            }
        )
    return rows


async def _plan_of(make_settings, count: int):
    settings = make_settings(
        DOITHOAI_INTAKE_URL="inprocess", DOITHOAI_ROUTING_URL="inprocess", DOITHOAI_REPORTING_URL="inprocess"
    )
    app = build_app(settings, [intake, routing, reporting], title="large plan pages")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        await seed_demo_staff(db, must_change_password=False)
        rows = _items(count)
        for start in range(0, len(rows), 1000):
            await db[ITEMS].insert_many(rows[start : start + 1000])
        yield app


@pytest.fixture
async def big_plan(make_settings):
    async for app in _plan_of(make_settings, ITEM_COUNT):
        yield app


@pytest.fixture
async def mid_plan(make_settings):
    async for app in _plan_of(make_settings, 400):
        yield app


def _pages_of(html: str) -> tuple[int, int] | None:
    found = re.search(r"Trang (\d+)/(\d+)", html)
    return (int(found.group(1)), int(found.group(2))) if found else None


async def test_large_plan_pages_are_bounded_and_paged(big_plan):
    app = big_plan
    sizes: dict[str, int] = {}
    async with logged_in(app, "demo.vanphong") as staff:
        for name, path in (("meeting", "/staff/hoi-nghi"), ("documents", "/staff/van-ban")):
            started = time.perf_counter()
            page = await staff.get(path)
            assert page.status_code == 200, page.text[:500]
            sizes[name] = len(page.content)
            print(f"{name}: {len(page.content)} bytes in {time.perf_counter() - started:.1f} s")
            assert len(page.content) <= BOUND, f"{path}: {len(page.content)} bytes"
            paged = _pages_of(page.text)
            assert paged is not None and paged[0] == 1 and paged[1] > 1, path
            assert "Trang sau" in page.text
            last = await staff.get(f"{path}?trang={paged[1]}")
            assert last.status_code == 200 and _pages_of(last.text) == (paged[1], paged[1])
            assert "Trang trước" in last.text and len(last.content) <= BOUND
            for bad in ("abc", "0", "-1", "1.5", "9" * 30):
                refused = await staff.get(f"{path}?trang={bad}")
                assert refused.status_code == 400, (path, bad, refused.status_code)
                assert "Số trang" in refused.text
            beyond = await staff.get(f"{path}?trang={paged[1] + 5}")
            assert beyond.status_code == 200 and _pages_of(beyond.text) == (paged[1], paged[1])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as public:
        started = time.perf_counter()
        page = await public.get("/xa/demo/ket-luan")
        assert page.status_code == 200, page.text[:500]
        sizes["conclusions"] = len(page.content)
        print(f"conclusions: {len(page.content)} bytes in {time.perf_counter() - started:.1f} s")
        assert len(page.content) <= BOUND
        paged = _pages_of(page.text)
        assert paged is not None and paged[1] > 1
        second = await public.get("/xa/demo/ket-luan?trang=2")
        assert second.status_code == 200 and _pages_of(second.text) == (2, paged[1])
        assert "Trang trước" in second.text and "Trang sau" in second.text
        assert (await public.get("/xa/demo/ket-luan?trang=x")).status_code == 400
    print(sizes)


async def test_the_meeting_flow_reaches_every_issue_of_a_paged_plan(mid_plan):
    """400 issues: 20 pages of conclusions. An intervention linked by tracking code to an issue of
    a late page links to that issue's conclusion form; the 'raised at the meeting' filter lists it
    alone; a conclusion saved or refused there comes back on the page that shows it, with the
    list's filter kept; the links' suggestions are bounded (a typed code still links any issue)."""
    from tests.integration.test_web_staff import token_of

    app = mid_plan
    async with logged_in(app, "demo.vanphong") as staff:
        page = await staff.get("/staff/hoi-nghi")
        assert page.status_code == 200 and _pages_of(page.text) == (1, 20)
        assert "data-suggestions-bounded" in page.text
        assert page.text.count('<option value="DT-BIG') <= 300
        token = await token_of(staff, "/staff/hoi-nghi")
        saved = await staff.post(
            "/staff/hoi-nghi/phat-bieu",
            data={
                "csrf_token": token,
                "speaker": "Bà Năm",
                "question": "Hỏi về việc số 377",
                "link_0": "DT-BIG00377",
            },
        )
        assert saved.status_code == 303, saved.text[:500]
        page = await staff.get("/staff/hoi-nghi")
        link = re.search(
            r'<a href="(/staff/hoi-nghi\?dot=demo-2017&amp;kl=([^"#]+)#kl-[^"]+)">vấn đề (\d+)</a>', page.text
        )
        assert link is not None, "no link from the intervention to its issue's conclusion"
        key = link.group(2)
        # the cards stay in topic order (a number follows the notice's sections, so it may change
        # when a conclusion is recorded, the card's place does not): the link finds its page
        target = await staff.get(link.group(1).replace("&amp;", "&"))
        on_page, pages = _pages_of(target.text)
        assert pages == 20 and on_page > 1 and f'id="kl-{key}"' in target.text
        assert f'id="kl-{key}"' not in (await staff.get("/staff/hoi-nghi")).text
        raised = await staff.get("/staff/hoi-nghi?loc=tai-hoi-nghi")
        assert raised.status_code == 200 and _pages_of(raised.text) is None
        assert raised.text.count('class="card" id="kl-') == 1 and f'id="kl-{key}"' in raised.text
        refused = await staff.post(
            "/staff/hoi-nghi/ket-luan",
            data={
                "csrf_token": token,
                "issue_key": key,
                "kind": "answered",
                "text": "",
                "trang": "1",
                "loc": "",
            },
        )
        assert refused.status_code == 422 and f'id="kl-{key}"' in refused.text
        assert _pages_of(refused.text) == (on_page, 20) and "Vui lòng ghi nội dung kết luận" in refused.text
        done = await staff.post(
            "/staff/hoi-nghi/ket-luan",
            data={
                "csrf_token": token,
                "issue_key": key,
                "kind": "answered",
                "text": "Đã trả lời tại hội nghị.",
                "chu-de": "",
                "loc": "tai-hoi-nghi",
                "trang": "1",
            },
        )
        assert done.status_code == 303
        location = done.headers["location"]
        assert "loc=tai-hoi-nghi" in location and f"kl={key}" in location and location.endswith(f"#kl-{key}")
        back = await staff.get(location)
        assert "Đã lưu kết luận." in back.text and 'data-conclusion-kind="answered"' in back.text
        left = await staff.get("/staff/hoi-nghi?loc=chua-ket-luan")
        assert _pages_of(left.text) == (1, 20) and "lọc từ 400 vấn đề" in left.text


@pytest.fixture
async def small_plan(make_settings):
    async for app in _plan_of(make_settings, 15):
        yield app


async def test_a_small_plan_reads_on_one_page_as_before(small_plan):
    """15 issues fit every list's first page: no page links, no filter, no 'Vấn đề 1–15' line;
    every issue's form on the one page."""
    app = small_plan
    async with logged_in(app, "demo.vanphong") as staff:
        meeting = (await staff.get("/staff/hoi-nghi")).text
        assert meeting.count('class="card" id="kl-') == 15
        documents = (await staff.get("/staff/van-ban")).text
        assert documents.count("data-review-issue=") == 15
        for html in (meeting, documents):
            assert 'class="pager"' not in html and "Trang 1/" not in html
            assert "data-issue-filter" not in html and "data-review-filter" not in html
            assert "data-issues-shown" not in html and "data-reviews-shown" not in html
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as public:
        residents = (await public.get("/xa/demo/ket-luan")).text
        assert residents.count('<li class="card">') == 15 and 'class="pager"' not in residents
