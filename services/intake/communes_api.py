"""The commune's own working-day calendar, editable without a deploy."""

from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse

from services.intake.handlers.plans import PlanDeps, replace_calendar
from shared.auth.guard import GuardedRoute
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import CalendarOverrides, DirectoryReader
from shared.http import problem


def build_communes_router(directory: DirectoryReader, plans: PlanDeps) -> APIRouter:
    router = APIRouter(prefix="/api/v1/communes/{commune_id}", tags=["communes"], route_class=GuardedRoute)
    commune_path = Path(pattern=COMMUNE_ID_PATTERN)

    @router.get(
        "/calendar", response_model=CalendarOverrides, summary="The commune's extra days off and working days"
    )
    async def read(commune_id: str = commune_path):
        commune = await directory.commune(commune_id)
        return commune.calendar if commune else _unknown()

    @router.put(
        "/calendar",
        response_model=CalendarOverrides,
        summary="Replace the commune's calendar overrides (deadlines follow at once)",
    )
    async def replace(body: CalendarOverrides, commune_id: str = commune_path):
        return body if await replace_calendar(plans, commune_id, body) else _unknown()

    return router


def _unknown() -> JSONResponse:
    return problem(404, "unknown_commune", "Không tìm thấy xã/phường.", "Unknown commune.")
