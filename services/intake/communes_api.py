"""The commune's own working-day calendar and who signs its Party documents, editable without a
deploy."""

from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.intake.handlers.plans import PlanDeps, replace_calendar, replace_office_holders
from shared.auth.guard import GuardedRoute
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import CalendarOverrides, DirectoryReader, OfficeHolders
from shared.http import problem


class OfficeHoldersIn(BaseModel):
    """A replacement of the whole set: every field is stated, so an empty or partial body can
    never erase the names printed under the commune's documents."""

    model_config = ConfigDict(extra="forbid")

    secretary: str = Field(min_length=1, max_length=120, pattern=r"\S", description="Bí thư")
    deputy_secretaries: list[str] = Field(max_length=10, description="Phó Bí thư (may be none)")
    chief_of_office: str = Field(max_length=120, description="Chánh Văn phòng (may be blank)")


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

    @router.get(
        "/office-holders",
        response_model=OfficeHolders,
        summary="Who signs the commune's Party documents: Secretary, deputies, Chánh Văn phòng",
    )
    async def holders(commune_id: str = commune_path):
        commune = await directory.commune(commune_id)
        return commune.office_holders if commune else _unknown()

    @router.put(
        "/office-holders",
        response_model=OfficeHolders,
        summary="Replace the office holders (documents issued from now on print their names)",
    )
    async def replace_holders(body: OfficeHoldersIn, commune_id: str = commune_path):
        if not await replace_office_holders(plans, commune_id, OfficeHolders(**body.model_dump())):
            return _unknown()
        commune = await directory.commune(commune_id)
        return commune.office_holders if commune else _unknown()

    return router


def _unknown() -> JSONResponse:
    return problem(404, "unknown_commune", "Không tìm thấy xã/phường.", "Unknown commune.")
