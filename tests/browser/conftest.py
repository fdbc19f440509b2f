"""What the browser tests share: the four services in one uvicorn server on a loopback port
(real RabbitMQ, the session's wire store; the staff pages reach routing and reporting in
process), the demo commune and its staff, Debian's Chromium driven by Playwright, screenshots.

Never run `playwright install` here: the browser is Debian's (`make deps` installs it)."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Self

import pytest
import uvicorn

from services.demo.seed import seed_demo
from services.demo.staff import seed_demo_staff
from services.deployment import Settings, build_app
from services.intake.app import build_service as intake
from services.local.ports import free_port
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from shared.mongo import create_client, database
from tests.conftest import run_apart

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


class ServerThread:
    """uvicorn in a background thread; its lifespan starts the broker consumers and the relay."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        app = build_app(settings, [intake, routing, notification, reporting], title="browser")
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        )
        self.thread = threading.Thread(target=self.server.run, name="uvicorn-browser-test", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise AssertionError("the app did not start (store or broker unreachable?)")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(20)


def seed(settings: Settings) -> None:
    async def seed() -> None:
        client = create_client(settings)
        try:
            db = database(client, settings)
            await seed_demo(db)
            await seed_demo_staff(
                db, must_change_password=False
            )  # the flows log in with the demo passwords as they are
            # The seed plan says "at least 70 per hamlet" in words; the quota the counts use.
            await db["dialogues"].update_one(
                {"_id": "demo/demo-2017"}, {"$set": {"min_attendance": {"ap-cho": 70, "ap-can-cu": 70}}}
            )
        finally:
            await client.close()

    run_apart(seed())


def seeded_settings(make_settings, mail_capture):
    """Settings of one process running the four services in-process against the mail capture,
    with the demo commune, its staff and items seeded."""
    settings = make_settings(
        SMTP_URL=mail_capture.url,
        DOITHOAI_INTAKE_URL="inprocess",
        DOITHOAI_ROUTING_URL="inprocess",
        DOITHOAI_REPORTING_URL="inprocess",
    )
    seed(settings)
    return settings


@pytest.fixture
def server(make_settings, mail_capture):
    settings = seeded_settings(make_settings, mail_capture)
    with ServerThread(settings) as running:
        yield running


@pytest.fixture(scope="package")
def chromium():
    """One Chromium for the browser tests (launching it took a second or more per test)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make deps` (it installs Debian's chromium). "
            "Do not run `playwright install`."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def browser(chromium):
    """The shared Chromium; a test opens contexts of its own (no cookies, storage or pages in
    common with another test), and any it leaves open are closed after it."""
    yield chromium
    for context in chromium.contexts:
        context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
