"""Load shedding (shared/http.py): beyond `max_in_flight` requests in progress, a request is
answered 503 with Retry-After at once, in Vietnamese and English, and counted; health and
metrics are never shed. A bare FastAPI app with a route that waits for the test to release it."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI
from prometheus_client import CollectorRegistry

from shared.http import install_load_shedding


async def test_requests_beyond_the_limit_get_503_at_once_and_the_slot_frees_again():
    app = FastAPI()
    registry = CollectorRegistry()
    install_load_shedding(app, 2, registry)
    release = asyncio.Event()
    started = asyncio.Semaphore(0)

    @app.post("/slow")
    async def slow():
        started.release()
        await release.wait()
        return {"ok": True}

    @app.get("/healthz")
    async def healthz():
        return {"ok": True}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        held = [asyncio.create_task(client.post("/slow")) for _ in range(2)]
        for _ in held:
            await asyncio.wait_for(started.acquire(), 5)
        refused = await asyncio.wait_for(client.post("/slow"), 5)
        assert refused.status_code == 503 and refused.headers["retry-after"] == "2"
        assert refused.json()["error"] == "overloaded" and "quá tải" in refused.json()["message_vi"]
        assert (await client.get("/healthz")).status_code == 200
        release.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]
        assert (await client.post("/slow")).status_code == 200
    assert registry.get_sample_value("doithoai_http_requests_shed_total") == 1


async def test_a_browser_gets_a_page_in_vietnamese():
    app = FastAPI()
    install_load_shedding(app, 1, CollectorRegistry())
    release, started = asyncio.Event(), asyncio.Event()

    @app.post("/form")
    async def form():
        started.set()
        await release.wait()
        return {"ok": True}

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        held = asyncio.create_task(client.post("/form"))
        await asyncio.wait_for(started.wait(), 5)
        page = await client.post("/form", headers={"accept": "text/html,application/xhtml+xml"})
        assert (
            page.status_code == 503
            and page.headers["content-type"].startswith("text/html")
            and "chưa được lưu" in page.text
        )
        release.set()
        assert (await held).status_code == 200
