"""Intake's router holds its parts' routes themselves (`services.intake.app.merged`) instead of
including each part: the same routes in the same order, the same API description, and a part
with settings that apply only when it is included (dependencies, a body limit) still gets them."""

from __future__ import annotations

import httpx
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request

import services.intake.app as intake_app
from services.deployment import build_service_app
from services.intake.settings import IntakeSettings
from shared.auth.guard import GuardedRoute


def _routes(app: FastAPI) -> list[tuple[str, list[str], str, bool | None, str]]:
    """Every route as FastAPI matches them, included routers walked in order."""

    def walk(routes):
        for route in routes:
            if hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)
            else:
                yield route

    return [
        (
            getattr(r, "path", ""),
            sorted(getattr(r, "methods", None) or ()),
            getattr(r, "name", ""),
            getattr(r, "include_in_schema", None),
            type(r).__name__,
        )
        for r in walk(app.routes)
    ]


def _included(*routers: APIRouter) -> APIRouter:
    router = APIRouter()
    for part in routers:
        router.include_router(part)
    return router


def _intake_app(monkeypatch, combine) -> FastAPI:
    monkeypatch.setattr(intake_app, "merged", combine)
    settings = IntakeSettings(
        MONGODB_URL="mongodb://127.0.0.1:1",
        DOITHOAI_AMQP_PREFIX="unused",
        DOITHOAI_AUTH_KEYS="test:" + "k" * 40,
        DOITHOAI_DOCS=True,
    )
    return build_service_app(settings, "intake")


def test_intakes_routes_and_api_description_are_those_of_its_parts_included(monkeypatch):
    merged_app = _intake_app(monkeypatch, intake_app.merged)
    included_app = _intake_app(monkeypatch, _included)
    assert _routes(merged_app) == _routes(included_app)
    assert len(_routes(merged_app)) > 50
    assert merged_app.openapi() == included_app.openapi()
    assert "/api/v1/communes/{commune_id}/submissions" in merged_app.openapi()["paths"]


async def test_a_part_with_its_own_dependencies_or_body_limit_is_included_so_they_apply():
    def refuse(request: Request) -> None:
        if request.headers.get("x-let-in") != "1":
            raise HTTPException(403)

    guarded = APIRouter(prefix="/guarded", dependencies=[Depends(refuse)])
    bounded = APIRouter(prefix="/bounded", max_body_size=10)
    plain = APIRouter(prefix="/plain", tags=["plain"])
    nested = APIRouter(include_in_schema=False)
    inner = APIRouter(route_class=GuardedRoute)

    @guarded.get("/x")
    async def guarded_x() -> dict[str, str]:
        return {"at": "guarded"}

    @bounded.post("/x")
    async def bounded_x(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @plain.get("/x")
    async def plain_x() -> dict[str, str]:
        return {"at": "plain"}

    @inner.get("/hidden")
    async def hidden() -> dict[str, str]:
        return {"at": "hidden"}

    nested.include_router(inner)
    app = FastAPI()
    app.include_router(intake_app.merged(guarded, bounded, plain, nested))
    reference = FastAPI()
    reference.include_router(_included(guarded, bounded, plain, nested))
    assert _routes(app) == _routes(reference)
    assert app.openapi() == reference.openapi()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client:
        assert (await client.get("/guarded/x")).status_code == 403
        assert (await client.get("/guarded/x", headers={"x-let-in": "1"})).json() == {"at": "guarded"}
        assert (await client.get("/plain/x")).json() == {"at": "plain"}
        assert (await client.post("/bounded/x", content=b"12345")).json() == {"size": 5}
        assert (await client.post("/bounded/x", content=b"x" * 100)).status_code == 413
