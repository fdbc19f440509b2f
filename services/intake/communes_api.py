"""The commune's own working-day calendar, editable without a deploy."""

from __future__ import annotations

from fastapi import APIRouter, Path
from pymongo.asynchronous.database import AsyncDatabase

from shared.auth.guard import GuardedRoute
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import COMMUNES, CalendarOverrides, DirectoryReader
from shared.http import problem


def build_communes_router(db: AsyncDatabase, directory: DirectoryReader) -> APIRouter:
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
        result = await db[COMMUNES].update_one(
            {"_id": commune_id}, {"$set": {"calendar": body.model_dump(mode="json")}}
        )
        return body if result.matched_count else _unknown()

    return router


def _unknown():
    return problem(404, "unknown_commune", "Không tìm thấy xã/phường.", "Unknown commune.")
