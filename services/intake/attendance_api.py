"""HTTP API of attendance at the meeting: check-in at the door (a registration, or walk-ins of a
hamlet), the count per hamlet against the plan's minimum, and the staff's look-up of a
registration by name or phone (the use cases are in `handlers.attendance`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field, model_validator

from services.intake.access import registrations_hamlet
from services.intake.dialogue_routes import commune_and_dialogue, unknown_dialogue
from services.intake.handlers.attendance import (
    AttendanceConflict,
    AttendanceDeps,
    OutsideHamlet,
    UnknownRegistration,
    add_walk_ins,
    attendance_view,
    check_in,
    find_registrations,
)
from services.intake.logic import SubmissionRejected
from services.intake.plan_schemas import _In
from shared.auth.guard import GuardedRoute, actor, principal_of
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import DirectoryReader
from shared.http import error_body, problem


class WalkInIn(_In):
    hamlet: str = Field(min_length=1, max_length=100, description="Hamlet (ấp); diacritics optional")
    count: int = Field(ge=1, le=1000, description="People from the floor, counted in together")
    key: str | None = Field(
        None,
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="A key the client makes for this count: the same count sent again with it "
        "(a retry) is counted once and answered 200",
    )


class CheckInIn(_In):
    """One registered resident (`registration_id`) or walk-ins of one hamlet (`walk_in`)."""

    registration_id: str | None = Field(None, min_length=1, max_length=64)
    walk_in: WalkInIn | None = None

    @model_validator(mode="after")
    def exactly_one(self) -> CheckInIn:
        if (self.registration_id is None) == (self.walk_in is None):
            raise ValueError("give either registration_id or walk_in")
        return self


def build_attendance_router(directory: DirectoryReader, attendance: AttendanceDeps) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/communes/{commune_id}/dialogues/{dialogue_id}",
        tags=["attendance"],
        route_class=GuardedRoute,
    )
    commune_path, dialogue_path = Path(pattern=COMMUNE_ID_PATTERN), Path(max_length=64)

    @router.post(
        "/check-ins",
        status_code=201,
        summary="Điểm danh tại hội nghị (check a registered resident, or walk-ins of a hamlet, in)",
        responses={
            200: {"description": "This registration or walk-in key was counted already: nothing changed"},
            404: {"description": "Unknown commune, plan or registration"},
            409: {"description": "The plan has no meeting (draft, cancelled, closed)"},
        },
    )
    async def check_in_route(
        request: Request, body: CheckInIn, commune_id: str = commune_path, dialogue_id: str = dialogue_path
    ) -> Any:
        commune, dialogue = await commune_and_dialogue(directory, commune_id, dialogue_id)
        if commune is None or dialogue is None:
            return unknown_dialogue()
        own = registrations_hamlet(principal_of(request))  # a hamlet cell counts its own people in
        try:
            if body.walk_in is not None:
                walk_in = body.walk_in
                done = await add_walk_ins(
                    attendance,
                    commune,
                    dialogue,
                    walk_in.hamlet,
                    walk_in.count,
                    actor(request),
                    walk_in.key,
                    only_hamlet=own,
                )
            else:
                done = await check_in(
                    attendance, commune, dialogue, body.registration_id or "", actor(request), own
                )
            return done.attendance if done.new else JSONResponse(status_code=200, content=done.attendance)
        except OutsideHamlet:
            return problem(
                403,
                "outside_hamlet",
                "Tài khoản chi bộ ấp chỉ điểm danh người của ấp mình.",
                "A hamlet cell's account checks in its own hamlet's people only.",
            )
        except UnknownRegistration:
            return problem(
                404,
                "unknown_registration",
                "Không tìm thấy đăng ký tham dự này trong buổi đối thoại.",
                "No such registration for this dialogue.",
            )
        except SubmissionRejected as rejected:
            return JSONResponse(status_code=422, content=error_body([rejected.as_error()]))
        except AttendanceConflict as conflict:
            return problem(409, conflict.code, conflict.vi, conflict.en)

    @router.get("/attendance", summary="Số người dự theo ấp so với số tối thiểu (attendance per hamlet)")
    async def attendance_route(commune_id: str = commune_path, dialogue_id: str = dialogue_path) -> Any:
        commune, dialogue = await commune_and_dialogue(directory, commune_id, dialogue_id)
        if commune is None or dialogue is None:
            return unknown_dialogue()
        return await attendance_view(attendance, commune, dialogue)

    @router.get(
        "/registrations",
        summary="Tìm người đăng ký theo tên hoặc số điện thoại (look a registration up; at most 20)",
    )
    async def lookup_route(
        request: Request,
        commune_id: str = commune_path,
        dialogue_id: str = dialogue_path,
        q: str = Query(min_length=1, max_length=60, description="A fragment of the name or the phone"),
    ) -> Any:
        commune, dialogue = await commune_and_dialogue(directory, commune_id, dialogue_id)
        if commune is None or dialogue is None:
            return unknown_dialogue()
        hamlet_id = registrations_hamlet(principal_of(request))
        return await find_registrations(attendance, commune, dialogue, q, hamlet_id)

    return router
