"""The staff area on the real broker and store: login (argon2, no user enumeration, per-IP
limit), server-side sessions and logout, the session and CSRF guard on every `/staff` route,
the audit trail, who sees the submitter's identity, office scoping, the operator's counts, and
a walk over every `/staff` route as a user of another commune."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote

import httpx
import pytest
from fastapi.routing import iter_route_contexts

from services.demo.seed import demo_commune, seed_demo
from services.demo.staff import DEMO_STAFF, seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.intake.import_jobs import IMPORT_JOBS
from services.intake.repository import SUBMISSIONS
from services.intake.web.staff.pages import LOGIN_FAILED_VI, SESSION_COOKIE
from services.intake.web.staff.users import STAFF_AUDIT, STAFF_SESSIONS, STAFF_USERS, add_user
from services.reporting.app import build_service as reporting
from services.reporting.followup_repository import TASKS
from services.routing.app import build_service as routing
from shared.directory import COMMUNES, commune_document
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')
PASSWORDS = {username: password for username, password, *_ in DEMO_STAFF}
OTHER = "khac"  # commune B
B_PASSWORD = "b-vanphong-secret"


def _item(
    commune_id: str,
    n: int,
    *,
    office_id: str,
    office_name: str,
    topic: int,
    name: str,
    phone: str,
    hamlet: str = "ấp Chợ",
    status: str = "office_notified",
) -> dict:
    return {
        "_id": f"{commune_id}-item-{n}",
        "commune_id": commune_id,
        "dialogue_id": "demo-2017",
        "tracking_code": f"DT-{commune_id.upper()[:4]}{n:04d}",
        "source": "citizen",
        "organisation": None,
        "kind": "petition",
        "text": f"Nội dung kiến nghị số {n} của {commune_id}: cống nghẹt, đường ngập.",
        "hamlet": hamlet,
        "submitter": {"name": name, "contact": phone},
        "status": status,
        "status_rank": 3,
        "routing_revision": 0,
        "received_at": datetime(2017, 3, 1, 1, n, tzinfo=UTC),
        "topic": topic,
        "topic_name": f"Tên nội dung {topic}",
        "office_id": office_id,
        "office_name": office_name,
    }


A_KINHTE = _item(
    "demo",
    1,
    office_id="phong-kinh-te",
    office_name="Phòng Kinh tế",
    topic=3,
    name="Nguyễn Văn Bảy",
    phone="0912 345 678",
)
A_VANPHONG = _item(
    "demo",
    2,
    office_id="van-phong-hdnd-ubnd",
    office_name="Văn phòng HĐND và UBND",
    topic=6,
    name="Lê Thị Tám",
    phone="0987 654 321",
    hamlet="ấp Căn Cứ",
    status="routed",
)
B_ITEM = _item(
    OTHER,
    3,
    office_id="phong-kinh-te",
    office_name="Phòng Kinh tế",
    topic=3,
    name="Trần Văn Bê",
    phone="0933 111 222",
)
B_FILE = "bien-ban-hop-ap-cua-xa-khac.csv"
B_SECRETS = (B_ITEM["tracking_code"], B_ITEM["text"], "Trần Văn Bê", "0933 111 222", B_ITEM["_id"], B_FILE)


@pytest.fixture
async def staff(make_settings):
    async for pair in _app(make_settings):
        yield pair


@pytest.fixture
async def strict_staff(make_settings):
    async for pair in _app(make_settings, DOITHOAI_STAFF_LOGIN_LIMIT=2):
        yield pair


async def _app(make_settings, **overrides):
    """Intake with routing and reporting in the same app: the staff pages reach their APIs in process."""
    settings = make_settings(
        DOITHOAI_ROUTING_URL="inprocess", DOITHOAI_REPORTING_URL="inprocess", **overrides
    )
    app = build_app(settings, [intake, routing, reporting], title="t")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        await seed_demo_staff(
            db, must_change_password=False
        )  # these tests log in with the demo passwords as they are
        other = demo_commune().model_copy(update={"id": OTHER, "name": "Khác Xa"})
        await db[COMMUNES].replace_one({"_id": OTHER}, commune_document(other), upsert=True)
        await add_user(db, "b.vanphong", B_PASSWORD, "party_office", OTHER, must_change_password=False)
        await db[SUBMISSIONS].insert_many([A_KINHTE, A_VANPHONG, B_ITEM])
        # commune B's import job and follow-up task: ids the cross-commune walk asks for as A
        await db[IMPORT_JOBS].insert_one(
            {
                "_id": B_VALUES["job_id"],
                "commune_id": OTHER,
                "dialogue_id": "demo-2017",
                "filename": B_FILE,
                "uploaded_by": "b.vanphong",
                "created_at": "2017-03-01T00:00:00+00:00",
                "state": "done",
                "lease_until": 0.0,
                "total": 1,
                "valid": 1,
                "stored": 1,
                "rows": [],
                "errors": [],
                "errors_total": 0,
                "finished_at": "2017-03-01T00:00:01+00:00",
            }
        )
        await db[TASKS].insert_one(
            {
                "_id": B_VALUES["task_id"],
                "commune_id": OTHER,
                "dialogue_id": "demo-2017",
                "cluster_id": "b-cluster",
                "submission_ids": [B_ITEM["_id"]],
                "text": B_ITEM["text"],
                "hamlet": "ấp Chợ",
                "topic": 3,
                "topic_name": "x",
                "office_id": "phong-kinh-te",
                "office_name": "Phòng Kinh tế",
                "authority_level": "commune",
                "authority_body": None,
                "times_raised": 1,
                "status": "assigned",
                "due": "2017-05-01",
                "revision": 0,
            }
        )
        yield app, db


def client_for(app, scheme: str = "http") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"{scheme}://t")


async def token_of(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return TOKEN.search(page.text).group(1)


async def login(
    client: httpx.AsyncClient, username: str, password: str | None = None, next_url: str = ""
) -> httpx.Response:
    token = await token_of(client, f"/login?next={quote(next_url)}" if next_url else "/login")
    return await client.post(
        "/login",
        data={
            "username": username,
            "password": password or PASSWORDS[username],
            "next": next_url,
            "csrf_token": token,
        },
    )


@contextlib.asynccontextmanager
async def logged_in(app, username: str, password: str | None = None):
    async with client_for(app) as client:
        response = await login(client, username, password)
        assert response.status_code == 303, response.text
        yield client


def staff_routes(app) -> list[tuple[str, set[str]]]:
    """(path, methods) of every route of the app whose path starts with /staff, however deeply
    its router is included (FastAPI includes routers lazily: `app.routes` alone does not list them)."""
    routes = [
        (c.path, set(c.methods or ()))
        for c in iter_route_contexts(app.routes)
        if (c.path or "").startswith("/staff")
    ]
    assert len(routes) >= 4  # the dashboard, an item, the password form and its POST: the walk is not empty
    return routes


def fill(path: str, values: dict[str, str]) -> str:
    """The route's path with each parameter replaced; a parameter this test does not know fails
    loudly, so whoever adds a route with a new kind of id adds commune B's value for it here."""

    def one(match: re.Match) -> str:
        name = match.group(1).split(":")[0]
        if name not in values:
            pytest.fail(
                f"{path}: no commune-B value for path parameter {name!r}; add it to the cross-commune walk"
            )
        return quote(values[name], safe="")

    return re.sub(r"\{([^}]+)\}", one, path)


B_VALUES = {
    "submission_id": B_ITEM["_id"],
    "item_id": B_ITEM["_id"],
    "commune_id": OTHER,
    "dialogue_id": "demo-2017",
    "code": B_ITEM["tracking_code"],
    "tracking_code": B_ITEM["tracking_code"],
    "document_id": f"{OTHER}:demo-2017:thong-bao-ket-luan:v1",
    "task_id": "demo-2017:b-cluster",
    "job_id": "imp-b0000000000000000000",
    "issue_key": B_ITEM["_id"],
    # not ids of a commune: a document kind and a file format are the same words in every commune
    "kind": "bao-cao-tong-hop",
    "fmt": "pdf",
}
NEUTRAL = frozenset({"kind", "fmt"})


async def test_login_succeeds_with_the_right_password_and_fails_alike_for_a_wrong_one_or_an_unknown_name(
    staff,
):
    app, db = staff
    async with client_for(app) as client:
        page = await client.get("/login")
        assert (
            page.status_code == 200
            and 'type="password"' in page.text
            and 'autocomplete="current-password"' in page.text
        )
        wrong = await login(client, "demo.vanphong", "not-the-password")
        unknown = await login(client, "nobody.here", "not-the-password")
        for response in (wrong, unknown):
            assert response.status_code == 401 and LOGIN_FAILED_VI in response.text
            assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
        # Nothing tells a wrong password from an unknown name (only the typed name differs).
        assert wrong.text.replace("demo.vanphong", "X") == unknown.text.replace("nobody.here", "X")
        assert await db[STAFF_SESSIONS].count_documents({}) == 0

        ok = await login(
            client, "Demo.VanPhong", PASSWORDS["demo.vanphong"], next_url="/staff/items/demo-item-1"
        )  # names are not case-sensitive
        assert ok.status_code == 303 and ok.headers["location"] == "/staff/items/demo-item-1"
        cookie = next(c for c in ok.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}="))
        assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" not in cookie
        token = client.cookies[SESSION_COOKIE]
        assert len(token) >= 43  # 32 random bytes, base64url
        [session] = await db[STAFF_SESSIONS].find({}).to_list()
        assert session["_id"] != token and token not in str(session)  # only the token's hash is stored
        assert session["expires_at"] > datetime.now(UTC) + timedelta(hours=11)
        ttl = [
            i for i in (await db[STAFF_SESSIONS].index_information()).values() if "expireAfterSeconds" in i
        ]
        assert ttl and ttl[0]["key"] == [("expires_at", 1)]
        assert (await client.get("/staff/")).status_code == 200
        assert (await db[STAFF_AUDIT].find_one({"action": "login"}))["username"] == "demo.vanphong"

        # Somewhere else: an open redirect is refused, the session goes to the staff area.
        again = await login(client, "demo.vanphong", next_url="https://evil.example/staff/")
        assert again.headers["location"] == "/staff/"
        assert await db[STAFF_SESSIONS].count_documents({}) == 1  # the old session was replaced, not kept
    async with client_for(app, "https") as secure:
        response = await login(secure, "demo.vanphong")
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith(f"{SESSION_COOKIE}=")
        )
        assert "Secure" in cookie


async def test_passwords_are_stored_as_argon2_hashes_only_and_seeding_is_idempotent(staff):
    _, db = staff
    users = await db[STAFF_USERS].find({}).to_list()
    assert {u["username"] for u in users} >= set(PASSWORDS)
    for user in users:
        assert user["password_hash"].startswith("$argon2id$")
        assert not any(password in str(user) for password in (*PASSWORDS.values(), B_PASSWORD))
    operator = next(u for u in users if u["role"] == "operator")
    assert operator["commune_id"] is None
    assert next(u for u in users if u["username"] == "demo.kinhte")["office_id"] == "phong-kinh-te"
    assert await seed_demo_staff(db) == []
    assert await db[STAFF_USERS].count_documents({}) == len(users)


async def test_too_many_login_attempts_from_one_address_get_429(strict_staff):
    app, _ = strict_staff
    async with client_for(app) as client:
        assert [(await login(client, "demo.admin", "wrong-password")).status_code for _ in range(2)] == [
            401,
            401,
        ]
        limited = await login(
            client, "demo.admin"
        )  # even the right password, from this address, until the wait ends
        assert (
            limited.status_code == 429
            and "quá nhiều lần" in limited.text
            and int(limited.headers["retry-after"]) >= 1
        )


async def test_every_staff_route_without_a_session_redirects_to_the_login_page(staff):
    app, db = staff
    async with client_for(app) as client:
        await token_of(client, "/login")  # a CSRF cookie, so that only the session is missing
        token = client.cookies["doithoai_csrf"]
        for route_path, methods in staff_routes(app):
            path = fill(route_path, B_VALUES)
            for method in methods:
                response = await client.request(
                    method, path, data={"csrf_token": token} if method == "POST" else None
                )
                assert response.status_code == 303, (method, path)
                assert response.headers["location"] == f"/login?next={quote(unquote(path), safe='/')}", (
                    method,
                    path,
                )
        client.cookies.set(SESSION_COOKIE, "forged-" + "x" * 40)
        assert (await client.get("/staff/")).headers["location"] == "/login?next=/staff/"
    assert await db[STAFF_AUDIT].count_documents({}) == 0


async def test_a_staff_post_without_the_csrf_token_is_refused(staff):
    app, db = staff
    async with logged_in(app, "demo.admin") as client:
        await client.get("/staff/")
        bad = {"current": PASSWORDS["demo.admin"], "new": "a-new-password-1", "again": "a-new-password-1"}
        for data in (bad, {**bad, "csrf_token": "y" * 43}):
            refused = await client.post("/staff/mat-khau", data=data)
            assert refused.status_code == 403 and "tải lại trang" in refused.text
        assert (await client.post("/logout")).status_code == 403
        assert (
            await client.post("/login", data={"username": "demo.admin", "password": PASSWORDS["demo.admin"]})
        ).status_code == 403
        assert (await client.get("/staff/")).status_code == 200  # still logged in
    assert await db[STAFF_AUDIT].count_documents({"action": {"$ne": "login"}}) == 0
    async with logged_in(app, "demo.admin") as client:  # the password did not change
        assert (await client.get("/staff/")).status_code == 200


async def test_logout_deletes_the_session_everywhere(staff):
    app, db = staff
    async with logged_in(app, "demo.vanphong") as client:
        token = client.cookies[SESSION_COOKIE]
        csrf = await token_of(client, "/staff/")
        out = await client.post("/logout", data={"csrf_token": csrf})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        assert await db[STAFF_SESSIONS].count_documents({}) == 0
        assert (await client.get("/staff/")).status_code == 303
    async with client_for(app) as replay:  # the old cookie, kept by someone: dead too
        replay.cookies.set(SESSION_COOKIE, token)
        assert (await replay.get("/staff/")).status_code == 303
    record = await db[STAFF_AUDIT].find_one({"action": "logout"})
    assert (record["username"], record["role"], record["commune_id"], record["status"]) == (
        "demo.vanphong",
        "party_office",
        "demo",
        303,
    )
    assert isinstance(record["at"], datetime)


async def test_party_office_sees_the_identity_and_office_staff_see_only_their_office_without_it(staff):
    app, _ = staff
    async with logged_in(app, "demo.vanphong") as party:
        home = await party.get("/staff/")
        assert home.status_code == 200 and "Tổng quan ý kiến" in home.text and "Đối thoại" in home.text
        assert A_KINHTE["tracking_code"] in home.text and A_VANPHONG["tracking_code"] in home.text
        assert "Nguyễn Văn Bảy" in home.text and "0912 345 678" in home.text
        assert re.search(r"data-total>2<", home.text)
        assert (
            'data-status="office_notified"><td><a href="/staff/?trang_thai=office_notified">'
            "Đã thông báo cho cơ quan chuẩn bị trả lời</a></td><td>1<" in home.text
        )
        assert not any(secret in home.text for secret in B_SECRETS)
        one = await party.get(f"/staff/items/{A_VANPHONG['_id']}")
        assert (
            one.status_code == 200
            and "Lê Thị Tám" in one.text
            and "0987 654 321" in one.text
            and A_VANPHONG["text"] in one.text
        )
    async with logged_in(app, "demo.admin") as admin:
        assert "Lê Thị Tám" in (await admin.get(f"/staff/items/{A_VANPHONG['_id']}")).text
    async with logged_in(app, "demo.kinhte") as office:
        home = await office.get("/staff/")
        assert home.status_code == 200 and "Phòng Kinh tế" in home.text
        assert A_KINHTE["tracking_code"] in home.text and A_VANPHONG["tracking_code"] not in home.text
        assert re.search(r"data-total>1<", home.text)
        assert "Nguyễn Văn Bảy" not in home.text and "0912" not in home.text and "Người gửi" not in home.text
        mine = await office.get(f"/staff/items/{A_KINHTE['_id']}")
        assert mine.status_code == 200 and A_KINHTE["text"] in mine.text
        assert (
            "Nguyễn Văn Bảy" not in mine.text and "0912" not in mine.text and "data-identity" not in mine.text
        )
        other_office = await office.get(f"/staff/items/{A_VANPHONG['_id']}")
        assert other_office.status_code == 404 and A_VANPHONG["text"] not in other_office.text
    async with logged_in(app, "demo.apcho") as cell:  # a hamlet cell: its hamlet only, no identity
        home = (await cell.get("/staff/")).text
        assert (
            A_KINHTE["tracking_code"] in home
            and A_VANPHONG["tracking_code"] not in home
            and "Nguyễn Văn Bảy" not in home
        )
    async with logged_in(app, "demo.mattran") as front:  # the Front: what it and the organisations sent
        home = (await front.get("/staff/")).text
        assert A_VANPHONG["tracking_code"] not in home and "Lê Thị Tám" not in home


async def test_a_hamlet_filter_links_back_to_the_whole_commune_under_the_hamlet_chart(staff):
    app, _ = staff
    async with logged_in(app, "demo.vanphong") as party:
        whole = (await party.get("/staff/")).text
        assert "data-whole-commune" not in whole and 'href="/staff/?ap=ap-can-cu"' in whole
        one = (await party.get("/staff/?ap=ap-can-cu&trang_thai=routed")).text
        assert A_VANPHONG["tracking_code"] in one and A_KINHTE["tracking_code"] not in one
        chart = one[one.index('id="theo-ap-cap"') :]
        back = re.search(r"<p class=\"chart-links\" data-whole-commune>(.*?)</p>", chart)
        assert back is not None and chart.index("data-whole-commune") < chart.index("</section>")
        assert (
            back.group(1)
            == 'Danh sách đang lọc theo ấp Căn Cứ: <a href="/staff/?trang_thai=routed">Toàn xã (mọi ấp)</a>'
        )
        again = (await party.get("/staff/?trang_thai=routed")).text
        assert A_VANPHONG["tracking_code"] in again and "data-whole-commune" not in again
    async with logged_in(app, "demo.apcho") as cell:  # a hamlet cell sees its hamlet only: no way out
        assert "data-whole-commune" not in (await cell.get("/staff/?ap=ap-cho")).text


async def test_the_operator_sees_every_communes_counts_and_no_personal_data(staff):
    app, _ = staff
    async with logged_in(app, "demo.operator") as operator:
        home = await operator.get("/staff/")
        assert home.status_code == 200 and "Tổng quan các xã" in home.text
        assert re.search(r'data-commune="demo">.*?data-total>2<', home.text) and re.search(
            rf'data-commune="{OTHER}">.*?data-total>1<', home.text
        )
        for doc in (A_KINHTE, A_VANPHONG, B_ITEM):
            assert (
                doc["tracking_code"] not in home.text
                and doc["text"] not in home.text
                and doc["submitter"]["name"] not in home.text
            )
        assert (await operator.get(f"/staff/items/{A_KINHTE['_id']}")).status_code == 404


async def test_a_user_of_commune_a_gets_nothing_of_commune_b_on_any_staff_route(staff):
    app, _ = staff
    for username in ("demo.vanphong", "demo.admin", "demo.kinhte"):
        async with logged_in(app, username) as client:
            csrf = await token_of(client, "/staff/")
            for route_path, methods in staff_routes(app):
                path = fill(route_path, B_VALUES)
                for method in sorted(methods):
                    response = await client.request(
                        method, path, data={"csrf_token": csrf} if method == "POST" else None
                    )
                    leaked = [s for s in B_SECRETS if s in response.text]
                    assert not leaked, (username, method, path, leaked)
                    if (
                        set(re.findall(r"\{([^}:]+)", route_path)) - NEUTRAL
                    ):  # the route names something of commune B: it must not exist for A
                        assert response.status_code in (403, 404), (
                            username,
                            method,
                            path,
                            response.status_code,
                        )
                    else:
                        assert response.status_code < 500, (username, method, path, response.status_code)
    async with logged_in(app, "b.vanphong", B_PASSWORD) as b_client:  # the same item is there for B
        assert (await b_client.get(f"/staff/items/{B_ITEM['_id']}")).status_code == 200


async def test_changing_the_password_is_audited_and_logs_out_the_other_sessions(staff):
    app, db = staff
    other_device = client_for(app)
    assert (await login(other_device, "demo.kinhte")).status_code == 303
    async with logged_in(app, "demo.kinhte") as client:
        csrf = await token_of(client, "/staff/mat-khau")
        short = await client.post(
            "/staff/mat-khau",
            data={"current": PASSWORDS["demo.kinhte"], "new": "ngan", "again": "ngan", "csrf_token": csrf},
        )
        assert short.status_code == 422 and "ít nhất 10 ký tự" in short.text
        done = await client.post(
            "/staff/mat-khau",
            data={
                "current": PASSWORDS["demo.kinhte"],
                "new": "mat-khau-moi-2017",
                "again": "mat-khau-moi-2017",
                "csrf_token": csrf,
            },
        )
        assert (
            done.status_code == 303 and "Đã đổi mật khẩu" in (await client.get(done.headers["location"])).text
        )
    try:
        assert (await other_device.get("/staff/")).status_code == 303
    finally:
        await other_device.aclose()
    async with client_for(app) as fresh:
        assert (await login(fresh, "demo.kinhte")).status_code == 401
        assert (await login(fresh, "demo.kinhte", "mat-khau-moi-2017")).status_code == 303
    records = await db[STAFF_AUDIT].find({"action": "change_password"}).sort("at", 1).to_list()
    assert [r["status"] for r in records] == [422, 303]
    assert all(
        (r["username"], r["role"], r["commune_id"]) == ("demo.kinhte", "office_staff", "demo")
        for r in records
    )
    assert not any("mat-khau-moi-2017" in str(r) for r in await db[STAFF_AUDIT].find({}).to_list())
