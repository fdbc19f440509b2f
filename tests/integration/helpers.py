from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import aio_pika
import httpx
import uvicorn
from fastapi import FastAPI

# Five residents' petitions on different topics, for tests that post a stream of items.
TEXTS = [
    "Cống thoát nước trước chợ bị nghẹt, mưa là ngập.",
    "Rác thải sinh hoạt đổ bừa bãi ven kênh, bốc mùi.",
    "Xe tải chạy tốc độ cao qua trường học, đề nghị lắp biển báo.",
    "Thủ tục cấp giấy phép xây dựng nhà ở kéo dài quá lâu.",
    "Đèn đường hư, ban đêm trộm cắp nhiều.",
]


@contextlib.asynccontextmanager
async def running(app: FastAPI):
    """Run the app's lifespan (store, broker, consumers, relay) around the block."""
    async with app.router.lifespan_context(app):
        yield app


@contextlib.asynccontextmanager
async def seeded_in_process(make_settings: Callable[..., Any], services: list[Any]) -> AsyncIterator[FastAPI]:
    """`services` in one app (routing and reporting called in process), running, with the demo
    commune and its staff (passwords not to be changed) stored."""
    from services.demo.seed import seed_demo
    from services.demo.staff import seed_demo_staff
    from services.deployment import build_app

    settings = make_settings(DOITHOAI_ROUTING_URL="inprocess", DOITHOAI_REPORTING_URL="inprocess")
    app = build_app(settings, services, title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        await seed_demo_staff(app.state.runtime.db, must_change_password=False)
        yield app


@contextlib.asynccontextmanager
async def demo_system(make_settings: Callable[..., Any]) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """Intake, routing and reporting in one app (called in process, the scheduler idle), running,
    with the demo commune stored: the app and a client without credentials."""
    from services.demo.seed import seed_demo
    from services.deployment import build_app
    from services.intake.app import build_service as intake
    from services.reporting.app import build_service as reporting
    from services.routing.app import build_service as routing

    settings = make_settings(
        DOITHOAI_SCHEDULER_INTERVAL_S=3600,
        DOITHOAI_INTAKE_URL="inprocess",
        DOITHOAI_REPORTING_URL="inprocess",
    )
    app = build_app(settings, [intake, routing, reporting], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", timeout=60
        ) as client:
            yield app, client


@contextlib.asynccontextmanager
async def seeded_intake(
    make_settings: Callable[..., Any],
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """Intake alone, running, with the demo commune stored: the app and a client without
    credentials."""
    from services.demo.seed import seed_demo
    from services.deployment import build_app
    from services.intake.app import build_service as intake

    app = build_app(make_settings(), [intake], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield app, client


@contextlib.asynccontextmanager
async def seeded_with_petitions(
    make_settings: Callable[..., Any], services: list[Any], texts: list[str]
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """`seeded_in_process`, with `texts` posted as residents' petitions of ấp Chợ through the
    submissions API and all of them routed: the app, and the staff API client that posted them."""
    from tests.auth import staff_headers
    from tests.conftest import eventually

    dialogue = "/api/v1/communes/demo/dialogues/demo-2017"
    async with seeded_in_process(make_settings, services) as app:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers(), timeout=60
        ) as client:
            for text in texts:
                body = {"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": text}
                assert (await client.post("/api/v1/communes/demo/submissions", json=body)).status_code == 202

            async def routed() -> bool:
                items = (await client.get(f"{dialogue}/items")).json()["items"]
                return sum(i["topic"] is not None for i in items) >= len(texts)

            await eventually(routed, timeout=30)
            yield app, client


@contextlib.asynccontextmanager
async def posted_and_routed(
    make_settings: Callable[..., Any],
    services: list[Any],
    petitions: Sequence[tuple[str, str]],
    *,
    staff: bool = True,
    **settings: Any,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, dict[str, dict[str, Any]]]]:
    """`services` in one app (the others called in process, the scheduler idle; `settings` more),
    running, with the demo commune (and its staff, passwords kept, when `staff`) stored; each of
    `petitions` (hamlet, text) posted as a resident's petition through the submissions API and all
    routed: the app, the staff API client that posted them, and each text's answer."""
    from services.demo.seed import seed_demo
    from services.demo.staff import seed_demo_staff
    from services.deployment import build_app
    from tests.auth import staff_headers
    from tests.conftest import eventually

    inprocess = {f"DOITHOAI_{name}_URL": "inprocess" for name in ("INTAKE", "ROUTING", "REPORTING")}
    app = build_app(
        make_settings(**{"DOITHOAI_SCHEDULER_INTERVAL_S": 3600, **inprocess, **settings}), services, title="t"
    )
    async with running(app):
        await seed_demo(app.state.runtime.db)
        if staff:
            await seed_demo_staff(app.state.runtime.db, must_change_password=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers(), timeout=60
        ) as client:
            sent: dict[str, dict[str, Any]] = {}
            for hamlet, text in petitions:
                body = {"source": "citizen", "kind": "petition", "hamlet": hamlet, "text": text}
                posted = await client.post("/api/v1/communes/demo/submissions", json=body)
                assert posted.status_code == 202, posted.text
                sent[text] = posted.json()

            async def routed() -> bool:
                items = (await client.get("/api/v1/communes/demo/dialogues/demo-2017/items")).json()["items"]
                return sum(i["topic"] is not None for i in items) >= len(petitions)

            await eventually(routed, timeout=30)
            yield app, client, sent


async def dead_letters(
    rabbitmq_url: str, queue_name: str, expected: int, timeout: float = 10.0
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Take `expected` messages from a dead-letter queue (polling with a deadline)."""
    connection = await aio_pika.connect(rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=True)
        got = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(got) < expected and loop.time() < deadline:
            message = await queue.get(no_ack=True, fail=False)
            if message is None:
                await asyncio.sleep(0.05)
            else:
                got.append(message)
        return got


def reserved_port() -> socket.socket:
    """A loopback port bound but not listening yet: connections to it are refused until an app
    is served on it (`serving(app, sock)`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.asynccontextmanager
async def serving(app: FastAPI, sock: socket.socket | None = None) -> AsyncIterator[str]:
    """Serve a running app (its lifespan entered by `running`) over HTTP on loopback, as another
    process of the deployment reaches it; yields its base URL."""
    sock = sock or reserved_port()
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()  # raises what stopped it
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()
