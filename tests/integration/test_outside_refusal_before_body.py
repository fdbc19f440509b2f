"""A caller a protected route refuses is answered 401/403 before the size of its body is
judged: an oversize body without credentials, with a wrong credential, with a principal the
route does not name or of another commune gets the refusal, not 413; the same body with a
credential the route accepts gets 413. Public routes (the residents' form, the submissions API)
and Open311's POST without a key in headers or query (the key may be in the unread body) still
answer 413; a staff page posted without its session cookie is 401, with a session 413. Every
service's protected routes are taken from the app's own access table."""

from __future__ import annotations

import re

import httpx
import pytest

from services.demo.staff import seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import RULES_MAX_BYTES
from services.routing.app import build_service as routing
from shared.auth.guard import GuardedPolicy
from shared.auth.policy import Gate
from shared.auth.principal import Scope, service_principal
from shared.auth.tokens import Tokens, parse_keys
from tests.auth import key_headers, staff_headers
from tests.conftest import TEST_AUTH_KEYS
from tests.integration.helpers import running
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration

# Over every API route's limit (routing's rules take the most): no declared length passes.
OVERSIZE = b"{" + b" " * max(64 * 1024, RULES_MAX_BYTES) + b"}"
BODY_METHODS = ("POST", "PUT", "PATCH")
PARAMETER = re.compile(r"\{([^/{}]+)\}")


@pytest.fixture
async def stack(make_settings, mail_capture):
    settings = make_settings(SMTP_URL=mail_capture.url, DOITHOAI_REPORTING_URL="inprocess")
    app = build_app(settings, [intake, routing, notification, reporting], title="t")
    async with running(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield app, client


def protected_routes(app) -> list[tuple[str, str, GuardedPolicy]]:
    """(method, path with its parameters filled for commune demo, policy) of every route that
    takes a body and wants a principal."""
    table: dict[str, GuardedPolicy] = app.state.guard.table
    routes = []
    for key, guarded in sorted(table.items()):
        method, _, template = key.partition(" ")
        if method in BODY_METHODS and guarded.policy.gate is Gate.PRINCIPAL:
            path = PARAMETER.sub(lambda m: "demo" if m.group(1) == "commune_id" else "x1", template)
            routes.append((method, path, guarded))
    return routes


def admitted(guarded: GuardedPolicy, commune_id: str = "demo") -> dict[str, str]:
    """Headers of a principal the policy lets in: one of its roles, else one of its scopes, else
    one of the services it names."""
    policy = guarded.policy
    if policy.roles:
        return staff_headers(sorted(policy.roles)[0], commune_id)
    if policy.scopes:
        return key_headers(commune_id, sorted(policy.scopes)[0])
    service = sorted(policy.services)[0]
    token = Tokens(parse_keys(TEST_AUTH_KEYS), 900).issue(service_principal(service, commune_id))
    return {"authorization": f"Bearer {token}"}


async def send(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str] | None = None):
    return await client.request(
        method, path, content=OVERSIZE, headers={"content-type": "application/json", **(headers or {})}
    )


async def test_every_services_protected_routes_refuse_an_oversize_body_without_credentials_401(stack):
    app, client = stack
    routes = protected_routes(app)
    services = {guarded.service for _, _, guarded in routes}
    assert {"intake", "routing", "reporting"} <= services  # notification serves no protected body route
    for method, path, guarded in routes:
        if guarded.policy.key_param:
            continue  # its key may be in the body (Open311): below
        response = await send(client, method, path)
        assert response.status_code == 401, (method, path, response.status_code, response.text[:200])
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_wrong_or_expired_credential_is_401_before_the_size(stack):
    app, client = stack
    forged = Tokens(parse_keys("other:" + "z" * 40), 900).issue(service_principal("routing", "demo"))
    for method, path, _ in protected_routes(app):
        for headers in ({"authorization": f"Bearer {forged}"}, {"x-api-key": "dtk_not-a-key"}):
            response = await send(client, method, path, headers)
            refused = 403 if path.startswith("/open311/") else 401  # GeoReport v2: an invalid api_key
            assert response.status_code == refused, (method, path, headers, response.text[:200])


async def test_a_principal_the_route_does_not_name_is_403_and_another_commune_403(stack):
    app, client = stack
    for method, path, guarded in protected_routes(app):
        nobody = key_headers("demo")  # an integration of the commune with no scope at all
        response = await send(client, method, path, nobody)
        assert response.status_code == 403, (method, path, response.text[:200])
        if "/demo" in path:
            elsewhere = await send(client, method, path, admitted(guarded, "other-commune"))
            assert elsewhere.status_code == 403, (method, path, elsewhere.text[:200])


async def test_a_credential_the_route_accepts_gets_413_for_the_same_body(stack):
    app, client = stack
    for method, path, guarded in protected_routes(app):
        response = await send(client, method, path, admitted(guarded))
        assert response.status_code == 413, (method, path, response.status_code, response.text[:200])
        assert response.json()["error"] == "body_too_large"


async def test_a_page_caller_refused_gets_the_vietnamese_401_page(stack):
    _, client = stack
    response = await send(client, "PUT", "/api/v1/communes/demo/routing/rules", {"accept": "text/html"})
    assert response.status_code == 401 and "text/html" in response.headers["content-type"]


async def test_public_routes_still_answer_413(stack):
    _, client = stack
    form = await client.post(
        "/xa/demo/gui-y-kien",
        content=b"text=" + b"a" * (64 * 1024),
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
    )
    assert form.status_code == 413 and "text/html" in form.headers["content-type"]
    api = await send(client, "POST", "/api/v1/communes/demo/submissions")
    assert api.status_code == 413 and api.json()["error"] == "body_too_large"
    # Another commune's credential is refused first (403), a wrong one 401, demo's own gets 413.
    path = "/api/v1/communes/demo/submissions"
    foreign = await send(client, "POST", path, key_headers("other-commune", Scope.SUBMIT))
    assert foreign.status_code == 403 and foreign.json()["error"] == "forbidden"
    assert (await send(client, "POST", path, {"authorization": "Bearer nonsense"})).status_code == 401
    assert (await send(client, "POST", path, key_headers("demo", Scope.SUBMIT))).status_code == 413


async def test_open311_post_413_without_a_key_outside_the_body_403_with_a_wrong_one(stack):
    _, client = stack
    path = "/open311/v2/demo/requests.json"
    body = b"api_key=dtk_x&description=" + b"a" * (64 * 1024)
    form = {"content-type": "application/x-www-form-urlencoded"}
    assert (await client.post(path, content=body, headers=form)).status_code == 413
    wrong = await client.post(path + "?api_key=dtk_wrong", content=body, headers=form)
    assert wrong.status_code == 403  # GeoReport v2: "api_key was not provided or is invalid"
    assert wrong.json()[0]["code"] == 403  # Open311's own error form
    submitter = await client.post(path, content=body, headers={**form, **key_headers("demo", Scope.SUBMIT)})
    assert submitter.status_code == 413


async def test_a_chunked_oversize_body_without_credentials_is_401(stack):
    _, client = stack

    async def chunks():
        for _ in range(4):
            yield b" " * (64 * 1024)

    response = await client.put(
        "/api/v1/communes/demo/routing/rules",
        content=chunks(),
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 401


async def test_a_staff_page_without_its_session_cookie_is_401_before_the_size(stack):
    app, client = stack
    await seed_demo_staff(app.state.runtime.db, must_change_password=False)
    page = "/staff/items/x1/phan-loai"
    body = b"csrf_token=x&reason=" + b"a" * (64 * 1024)
    form = {"content-type": "application/x-www-form-urlencoded", "accept": "text/html"}
    refused = await client.post(page, content=body, headers=form)
    assert refused.status_code == 401 and "text/html" in refused.headers["content-type"]
    async with logged_in(app, "demo.vanphong") as staff:  # a session: the size is judged
        assert (await staff.post(page, content=body, headers=form)).status_code == 413
