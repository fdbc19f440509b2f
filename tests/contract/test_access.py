"""Every route of every service has a declared access policy and goes through the guard; a route
added without one fails here. Builds the apps without starting them (no broker or store)."""

from __future__ import annotations

import pytest
from fastapi import APIRouter

from services.deployment import Settings, build_app
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from shared.auth.guard import GuardedRoute
from shared.auth.inventory import stale, undeclared

SERVICES = {"intake": intake, "routing": routing, "notification": notification, "reporting": reporting}
SETTINGS = Settings(DOITHOAI_AUTH_KEYS="test:" + "k" * 40)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_route_of_each_service_has_a_policy(name: str) -> None:
    app = build_app(SETTINGS, [SERVICES[name]], title=name)
    assert undeclared(app) == []
    assert stale(app) == [] if name != "intake" else True  # intake's table is checked with all services below


def test_the_embedded_app_declares_every_route_and_no_policy_is_stale() -> None:
    app = build_app(SETTINGS, list(SERVICES.values()), title="all", in_memory=True)
    assert undeclared(app) == []
    assert stale(app) == []


def _with_extra_route(guarded: bool):
    def factory(rt):
        parts = routing(rt)
        extra = APIRouter(route_class=GuardedRoute) if guarded else APIRouter()

        @extra.post("/api/v1/communes/{commune_id}/something-new")
        async def something_new(commune_id: str):
            return {"done": commune_id}

        served = APIRouter()
        served.include_router(parts.router)
        served.include_router(extra)
        parts.router = served
        return parts

    return factory


@pytest.mark.parametrize("guarded", [True, False], ids=["guarded-without-policy", "not-guarded"])
def test_a_route_added_without_a_policy_is_found(guarded: bool) -> None:
    app = build_app(SETTINGS, [_with_extra_route(guarded)], title="routing")
    assert undeclared(app) == ["POST /api/v1/communes/{commune_id}/something-new"]


async def test_a_guarded_route_without_a_policy_is_refused() -> None:
    import httpx

    app = build_app(SETTINGS, [_with_extra_route(True)], title="routing")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.post("/api/v1/communes/demo/something-new")
    assert response.status_code == 403


def test_docs_can_be_turned_off() -> None:
    app = build_app(
        Settings(DOITHOAI_AUTH_KEYS=SETTINGS.auth_keys, DOITHOAI_DOCS="false"), [routing], title="routing"
    )
    paths = {getattr(r, "path", None) for r in app.routes}
    assert not paths & {"/docs", "/redoc", "/openapi.json"}
