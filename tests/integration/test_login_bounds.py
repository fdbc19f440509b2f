"""Staff login on the real broker and store: failures counted per (account, address) with an
exponential wait, a per-address cap against spraying, X-Forwarded-For believed only from
trusted proxies, argon2 off the event loop, and seeded accounts that must change their
password at the first login."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time

import httpx
import pytest
from pymongo import AsyncMongoClient

from services import cli
from services.demo.seed import seed_demo
from services.demo.staff import DEMO_STAFF, seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.intake.web.ratelimit import RATE_LIMITS
from services.intake.web.staff import users
from services.intake.web.staff.login_throttle import LOGIN_FAILURES
from services.intake.web.staff.pages import LOGIN_FAILED_VI, MUST_CHANGE_VI
from services.intake.web.staff.users import STAFF_USERS
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.integration.helpers import running
from tests.integration.test_web_staff import TOKEN

pytestmark = pytest.mark.integration
PASSWORDS = {username: password for username, password, *_ in DEMO_STAFF}
X, Y = "198.51.100.10", "198.51.100.20"


@contextlib.asynccontextmanager
async def staff_app(make_settings, *, must_change: bool = False, **overrides):
    settings = make_settings(
        DOITHOAI_ROUTING_URL="inprocess", DOITHOAI_REPORTING_URL="inprocess", **overrides
    )
    app = build_app(settings, [intake, routing, reporting], title="t")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        await seed_demo_staff(db, must_change_password=must_change)
        yield app, db


def client(app, address: str = X, headers: dict | None = None) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=(address, 40000)), base_url="http://t", headers=headers
    )


async def login(http: httpx.AsyncClient, username: str, password: str | None = None) -> httpx.Response:
    page = await http.get("/login")
    token = TOKEN.search(page.text).group(1)
    return await http.post(
        "/login",
        data={
            "username": username,
            "password": password or PASSWORDS[username],
            "next": "/staff/",
            "csrf_token": token,
        },
    )


async def test_good_logins_do_not_count_and_a_good_one_after_two_wrong_ones_succeeds(make_settings):
    async with staff_app(make_settings) as (app, _), client(app) as http:
        statuses = [(await login(http, "demo.admin")).status_code for _ in range(8)]
        statuses += [(await login(http, "demo.admin", "wrong-password")).status_code for _ in range(2)]
        assert statuses == [303] * 8 + [401] * 2
        assert (await login(http, "demo.admin")).status_code == 303


async def test_ten_failures_wait_for_that_address_only_and_the_wait_doubles(make_settings):
    async with (
        staff_app(make_settings, DOITHOAI_STAFF_LOGIN_BACKOFF_S=1) as (app, db),
        client(app, X) as from_x,
        client(app, Y) as from_y,
    ):
        wrong = [(await login(from_x, "demo.admin", f"wrong-{i}")).status_code for i in range(10)]
        assert wrong == [401] * 10
        eleventh = await login(from_x, "demo.admin", "wrong-11")
        assert (
            eleventh.status_code == 429
            and "quá nhiều lần" in eleventh.text
            and eleventh.headers["retry-after"] == "1"
        )
        assert LOGIN_FAILED_VI not in eleventh.text  # the password was not even checked
        assert (await login(from_x, "demo.admin")).status_code == 429  # the right one waits too, from X
        assert (await login(from_y, "demo.admin")).status_code == 303  # the owner elsewhere is not locked out

        await asyncio.sleep(1.2)
        again_wrong = await login(from_x, "demo.admin", "wrong-12")
        assert again_wrong.status_code == 401
        doubled = await login(from_x, "demo.admin", "wrong-13")
        assert doubled.status_code == 429 and doubled.headers["retry-after"] == "2"
        await asyncio.sleep(2.2)
        assert (await login(from_x, "demo.admin")).status_code == 303  # after the wait, the right password
        assert await db[LOGIN_FAILURES].count_documents({}) == 0  # and the pair's count is cleared
        stored = str(await db[LOGIN_FAILURES].find({}).to_list()) + str(
            await db[RATE_LIMITS].find({}).to_list()
        )
        assert X not in stored and Y not in stored and "demo.admin" not in stored


async def test_parallel_guesses_cannot_pass_the_limit_together(make_settings):
    async with staff_app(make_settings, DOITHOAI_STAFF_LOGIN_LIMIT=3) as (app, _), client(app) as http:
        await http.get("/login")
        responses = await asyncio.gather(*(login(http, "demo.kinhte", f"guess-{i}") for i in range(20)))
        statuses = [r.status_code for r in responses]
        assert statuses.count(401) <= 3 and set(statuses) <= {401, 429}, statuses


async def test_one_address_trying_many_accounts_is_capped(make_settings):
    async with (
        staff_app(make_settings, DOITHOAI_STAFF_LOGIN_ADDRESS_LIMIT=4) as (app, _),
        client(app, X) as from_x,
        client(app, Y) as from_y,
    ):
        names = ["demo.admin", "demo.kinhte", "demo.apcho", "demo.mattran"]
        assert [(await login(from_x, name, "spray-2017")).status_code for name in names] == [401] * 4
        capped = await login(from_x, "demo.vanphong")
        assert capped.status_code == 429 and int(capped.headers["retry-after"]) >= 1
        assert (await login(from_y, "demo.vanphong")).status_code == 303


async def test_a_forged_forwarded_for_does_not_dodge_the_limit_and_a_trusted_proxys_does_count_apart(
    make_settings,
):
    async with (
        staff_app(make_settings, DOITHOAI_STAFF_LOGIN_LIMIT=2) as (app, _),
        client(app, "127.0.0.1") as http,
    ):
        for i in range(2):
            http.headers["x-forwarded-for"] = f"203.0.113.{i}"
            assert (await login(http, "demo.admin", "wrong")).status_code == 401
        http.headers["x-forwarded-for"] = "203.0.113.99"
        assert (
            await login(http, "demo.admin", "wrong")
        ).status_code == 429  # loopback is not a trusted proxy by default
    async with staff_app(
        make_settings, DOITHOAI_STAFF_LOGIN_LIMIT=2, DOITHOAI_TRUSTED_PROXIES="10.0.0.0/8"
    ) as (app, _):
        async with client(app, "10.0.0.5", {"x-forwarded-for": "203.0.113.1"}) as first:
            assert [(await login(first, "demo.admin", "wrong")).status_code for _ in range(3)] == [
                401,
                401,
                429,
            ]
        async with client(app, "10.0.0.5", {"x-forwarded-for": "203.0.113.1, 203.0.113.2"}) as second:
            assert (
                await login(second, "demo.admin")
            ).status_code == 303  # another resident behind the same proxy


async def test_password_checks_run_off_the_event_loop_and_health_stays_quick(make_settings, monkeypatch):
    loop_thread = threading.get_ident()
    threads: list[int] = []
    verify = users._verify

    def recording(password_hash: str, password: str) -> bool:
        threads.append(threading.get_ident())
        return verify(password_hash, password)

    monkeypatch.setattr(users, "_verify", recording)
    async with staff_app(make_settings, DOITHOAI_STAFF_LOGIN_LIMIT=100) as (app, _), client(app) as http:
        await http.get("/login")

        async def health() -> float:
            await asyncio.sleep(0.05)  # the logins are under way
            started = time.perf_counter()
            assert (await http.get("/healthz")).status_code == 200
            return time.perf_counter() - started

        *bad, took = await asyncio.gather(
            *(login(http, f"user{i}", "wrong-password") for i in range(8)), health()
        )
        assert [r.status_code for r in bad] == [401] * 8
        assert len(threads) == 8 and loop_thread not in threads
        assert len(set(threads)) <= 2  # the pool is bounded
        assert took < 0.3, f"/healthz took {took:.2f} s while logins ran"


async def test_a_seeded_account_changes_its_password_before_anything_else(make_settings):
    async with staff_app(make_settings, must_change=True) as (app, db), client(app) as http:
        assert (await db[STAFF_USERS].find_one({"username": "demo.vanphong"}))["must_change_password"] is True
        first = await login(http, "demo.vanphong")
        assert first.status_code == 303 and first.headers["location"] == "/staff/mat-khau"
        for path in ("/staff/", "/staff/xem-lai", "/staff/y-kien-moi"):
            assert (await http.get(path)).headers.get("location") == "/staff/mat-khau", path
        page = await http.get("/staff/mat-khau")
        assert page.status_code == 200 and MUST_CHANGE_VI in page.text
        csrf = TOKEN.search(page.text).group(1)
        refused = await http.post(
            "/staff/y-kien-moi",
            data={
                "csrf_token": csrf,
                "hamlet": "ấp Chợ",
                "kind": "kien nghi",
                "text": "Đèn đường hư nhiều tháng nay.",
            },
        )
        assert refused.status_code == 303 and refused.headers["location"] == "/staff/mat-khau"
        same = await http.post(
            "/staff/mat-khau",
            data={
                "csrf_token": csrf,
                "current": PASSWORDS["demo.vanphong"],
                "new": PASSWORDS["demo.vanphong"],
                "again": PASSWORDS["demo.vanphong"],
            },
        )
        assert same.status_code == 422
        done = await http.post(
            "/staff/mat-khau",
            data={
                "csrf_token": csrf,
                "current": PASSWORDS["demo.vanphong"],
                "new": "mat-khau-rieng-2017",
                "again": "mat-khau-rieng-2017",
            },
        )
        assert done.status_code == 303
        assert (await http.get("/staff/")).status_code == 200
        assert not (await db[STAFF_USERS].find_one({"username": "demo.vanphong"}))["must_change_password"]
    async with staff_app(make_settings, must_change=True) as (app, _), client(app) as http:
        assert (await login(http, "demo.kinhte")).status_code == 303
        csrf = TOKEN.search((await http.get("/staff/mat-khau")).text).group(1)
        assert (await http.post("/logout", data={"csrf_token": csrf})).headers[
            "location"
        ] == "/login"  # logging out is allowed


def test_seed_demo_creates_staff_logins_only_with_doithoai_demo(mongodb_url, monkeypatch, capsys):
    db_name = f"t_seed_{threading.get_ident() % 100000}_{int(time.time() * 1000) % 100000}"
    monkeypatch.setenv("MONGODB_URL", mongodb_url)
    monkeypatch.setenv("MONGODB_DB", db_name)

    async def staff() -> list[dict]:
        mongo = AsyncMongoClient(mongodb_url)
        try:
            return await mongo[db_name][STAFF_USERS].find({}).to_list()
        finally:
            await mongo.close()

    try:
        monkeypatch.delenv("DOITHOAI_DEMO", raising=False)
        assert cli.main(["seed-demo"]) == 0
        assert asyncio.run(staff()) == []
        assert capsys.readouterr().out.startswith(
            "Đã tạo xã mẫu, không có tài khoản cán bộ (DOITHOAI_DEMO tắt) / "
        )
        monkeypatch.setenv("DOITHOAI_DEMO", "1")
        assert cli.main(["seed-demo"]) == 0
        assert capsys.readouterr().out.startswith(
            "Đã tạo xã mẫu cùng các tài khoản cán bộ mẫu (mỗi tài khoản phải"
        )
        seeded = asyncio.run(staff())
        assert {u["username"] for u in seeded} == set(PASSWORDS) and all(
            u["must_change_password"] for u in seeded
        )
    finally:

        async def drop() -> None:
            mongo = AsyncMongoClient(mongodb_url)
            await mongo.drop_database(db_name)
            await mongo.close()

        asyncio.run(drop())
