"""HTTP for the commune's learnt model, under routing's auth (`ACCESS` below): its state and
versions, retraining now, rolling back to the version active before, or choosing a version
(or none: the rules alone). Each route parses, calls one use case and renders."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.routing import handlers
from services.routing.handlers import NoModel, RoutingDeps
from shared.auth.guard import GuardedRoute
from shared.auth.policy import allow
from shared.auth.principal import MANAGERS, Scope
from shared.http import problem

C = "/api/v1/communes/{commune_id}"
ACCESS = {
    f"GET {C}/routing/model": allow(MANAGERS, [Scope.READ]),
    f"POST {C}/routing/model/retrain": allow(MANAGERS, [Scope.ROUTE]),
    f"POST {C}/routing/model/rollback": allow(MANAGERS, [Scope.ROUTE]),
    f"PUT {C}/routing/model/active": allow(MANAGERS, [Scope.ROUTE]),
}


class ActiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | None = Field(
        description="A stored version of the commune's model; null: the rules alone", ge=1
    )


def build_learning_router(deps: RoutingDeps) -> APIRouter:
    from services.routing.api import CommuneId

    router = APIRouter(prefix=C, tags=["routing"], route_class=GuardedRoute)

    @router.get("/routing/model", summary="The commune's learnt model: examples, active version, versions")
    async def status(commune_id: str = CommuneId):
        try:
            return await handlers.model_status(deps, commune_id)
        except NoModel:
            return _no_model()

    @router.post("/routing/model/retrain", summary="Retrain the commune's model from its examples now")
    async def retrain(commune_id: str = CommuneId):
        try:
            return asdict(await handlers.retrain(deps, commune_id))
        except NoModel:
            return _no_model()

    @router.post("/routing/model/rollback", summary="Go back to the model active before (or to the rules)")
    async def rollback(commune_id: str = CommuneId):
        try:
            version = await handlers.rollback_model(deps, commune_id)
        except NoModel:
            return _no_model()
        return {"commune_id": commune_id, "active_version": version}

    @router.put("/routing/model/active", summary="Choose the model version routing uses (null: the rules)")
    async def choose(body: ActiveIn, commune_id: str = CommuneId):
        try:
            await handlers.activate_model(deps, commune_id, body.version)
        except NoModel:
            return _no_model()
        return {"commune_id": commune_id, "active_version": body.version}

    return router


def _no_model():  # type: ignore[no-untyped-def]
    return problem(
        404,
        "no_model",
        "Xã chưa có mô hình học từ chỉnh sửa (hoặc không có phiên bản này).",
        "The commune has no learnt model (or no such version).",
    )
