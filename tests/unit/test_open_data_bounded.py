"""The public conclusions page and its files read the dialogue through the process's bound on
public reads: requests arriving together share one read, and a commune's readers cannot take
every slot. Seen from outside: ten parallel anonymous loads of one commune's page took 14 s and
another commune's read 3.5 s meanwhile.

Fake: the open-data use case (`handlers.open_data`) is replaced by one that counts its calls and
waits until released, since what is measured is the router's bounding, not the store."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from services.demo.seed import demo_commune, demo_dialogue
from services.reporting import handlers
from services.reporting import open_data as open_data_api
from services.reporting.published import ReadLimits
from shared.templates import make_environment


@pytest.fixture
def slow_reads(monkeypatch):
    calls: list[tuple[str, str]] = []
    release = asyncio.Event()

    async def open_data(deps, commune_id: str, dialogue_id: str):
        calls.append((commune_id, dialogue_id))
        await release.wait()
        return handlers.OpenData(demo_commune(), demo_dialogue(), [])

    monkeypatch.setattr(handlers, "open_data", open_data)
    return calls, release


class _OpenGuard:
    """The routes are public: the access guard would let every caller through."""

    async def run(self, request, path: str, name: str, inner):
        return await inner(request)


def _client(limits: ReadLimits) -> httpx.AsyncClient:
    app = FastAPI()
    app.state.guard = _OpenGuard()
    app.include_router(open_data_api.build_open_data_router(None, make_environment([]), limits))  # type: ignore[arg-type]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_parallel_reads_of_one_dialogue_share_a_read(slow_reads) -> None:
    calls, release = slow_reads
    async with _client(ReadLimits()) as client:
        path = "/api/v1/communes/demo/dialogues/demo-2017/open-data.json"
        first = asyncio.create_task(client.get(path))
        await asyncio.sleep(0.05)  # the first read is on its way; the next nine share the one after
        rest = [asyncio.create_task(client.get(path)) for _ in range(9)]
        await asyncio.sleep(0.05)
        release.set()
        answers = [await first, *[await r for r in rest]]
    assert [a.status_code for a in answers] == [200] * 10
    assert len(calls) == 2


async def test_a_commune_that_holds_its_slots_leaves_the_others_theirs_and_waits_with_503(slow_reads) -> None:
    calls, release = slow_reads
    limits = ReadLimits(total=3, per_commune=1, wait_s=0.2, retry_after_s=2)
    async with _client(limits) as client:
        held = asyncio.create_task(client.get("/api/v1/communes/demo/dialogues/demo-2017/open-data.json"))
        await asyncio.sleep(0.05)
        other_dialogue = await client.get("/api/v1/communes/demo/dialogues/demo-2016/open-data.csv")
        assert other_dialogue.status_code == 503 and other_dialogue.headers["Retry-After"] == "2"
        assert other_dialogue.json()["error"] == "busy"
        other_commune = asyncio.create_task(
            client.get("/api/v1/communes/phu-an/dialogues/p-2017/open-data.json")
        )
        await asyncio.sleep(0.05)
        release.set()
        assert (await held).status_code == 200 and (await other_commune).status_code == 200
    assert ("phu-an", "p-2017") in calls


async def test_a_spreadsheet_is_built_off_the_event_loop(slow_reads, monkeypatch) -> None:
    """Seen from outside: one anonymous open-data.xlsx of 8,000 rows took 12-17 s, and reporting's
    /healthz waited 9.5 s meanwhile. Here the build waits until another request was answered: on
    the event loop it would block that request, and give up waiting (released: False)."""
    import threading

    calls, release = slow_reads
    release.set()
    building, answered = threading.Event(), threading.Event()
    released: list[bool] = []

    def slow_xlsx(rows, title: str) -> bytes:
        building.set()
        released.append(answered.wait(5))
        return b"xlsx"

    monkeypatch.setattr(open_data_api, "to_xlsx", slow_xlsx)
    async with _client(ReadLimits()) as client:
        base = "/api/v1/communes/demo/dialogues/demo-2017/open-data"
        spreadsheet = asyncio.create_task(client.get(f"{base}.xlsx"))
        assert await asyncio.to_thread(building.wait, 5)
        other = await client.get("/api/v1/communes/phu-an/dialogues/p-2017/open-data.json")
        answered.set()
        assert other.status_code == 200 and (await spreadsheet).content == b"xlsx"
    assert released == [True]  # the other request was answered while the file was being built
