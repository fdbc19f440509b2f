"""HTTP API of registrations to attend a dialogue: register (the use case is in
`handlers.registrations`), attendance per hamlet against the plan's minimum, the speaking order."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from services.intake.access import registrations_hamlet
from services.intake.closing import CLOSED_EN, closed_vi, ended
from services.intake.dialogue_routes import commune_and_dialogue, hamlet_check, unknown_dialogue
from services.intake.handlers.registrations import (
    HAMLET_REQUIRED,
    AlreadyRegistered,
    RegistrationDeps,
    register_attendee,
)
from services.intake.logic import SubmissionRejected
from services.intake.public_limits import REGISTRATION, check_public_limit
from services.intake.registrations import (
    RegistrationIn,
    RegistrationRepository,
    hamlet_counts,
    speaking_order,
)
from shared.auth.guard import GuardedRoute, principal_of
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import DirectoryReader
from shared.http import checks_body_with, error_body, problem


def build_registrations_router(
    repo: RegistrationRepository, directory: DirectoryReader, attendees: RegistrationDeps
) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/communes/{commune_id}/dialogues/{dialogue_id}",
        tags=["registrations"],
        route_class=GuardedRoute,
    )
    commune_path, dialogue_path = Path(pattern=COMMUNE_ID_PATTERN), Path(max_length=64)

    @router.post(
        "/registrations", status_code=201, summary="Đăng ký tham dự (register to attend, optionally to speak)"
    )
    @checks_body_with(hamlet_check(directory, required=HAMLET_REQUIRED))
    async def register(
        request: Request,
        body: RegistrationIn,
        commune_id: str = commune_path,
        dialogue_id: str = dialogue_path,
    ):
        if limited := await check_public_limit(request, commune_id, REGISTRATION):
            return limited
        commune, dialogue = await commune_and_dialogue(directory, commune_id, dialogue_id)
        if commune is None or dialogue is None:
            return unknown_dialogue()
        if ended(dialogue):
            return problem(409, "dialogue_ended", closed_vi(commune, dialogue), CLOSED_EN)
        # the author is who is signed in (staff for a resident), never what the body says
        principal = principal_of(request)
        entered = body.entered_by(principal.name if principal else None)
        try:
            doc = await register_attendee(attendees, commune, dialogue_id, entered)
        except SubmissionRejected as rejected:
            return JSONResponse(status_code=422, content=error_body([rejected.as_error()]))
        except AlreadyRegistered:
            return problem(
                409,
                "already_registered",
                f"{body.name} ({body.phone}) đã đăng ký tham dự buổi đối thoại này.",
                "This person (same name and phone) is already registered.",
            )
        return {"id": doc["_id"], "hamlet": doc["hamlet"], "registered_at": doc["registered_at"]}

    @router.get(
        "/registrations/summary", summary="Registered attendees per hamlet against the plan's minimum"
    )
    async def summary(commune_id: str = commune_path, dialogue_id: str = dialogue_path):
        commune, dialogue = await commune_and_dialogue(directory, commune_id, dialogue_id)
        if commune is None or dialogue is None:
            return unknown_dialogue()
        rows = await repo.for_dialogue(commune_id, dialogue_id)
        return {
            "dialogue_id": dialogue_id,
            "total": len(rows),
            "hamlets": hamlet_counts(commune, dialogue, rows),
        }

    @router.get("/speaking-order", summary="Thứ tự phát biểu: the plan's topic order, then registration time")
    async def order(request: Request, commune_id: str = commune_path, dialogue_id: str = dialogue_path):
        commune, dialogue = await commune_and_dialogue(directory, commune_id, dialogue_id)
        if commune is None or dialogue is None:
            return unknown_dialogue()
        principal = principal_of(request)
        # staff of the commune see names as registered (a hamlet cell its own hamlet's alone);
        # anyone else as the commune shows them
        reads = principal is not None and principal.reads_commune(commune_id)
        own_hamlet = registrations_hamlet(principal) if reads else None
        shown = None if reads and own_hamlet is None else commune.public_speaker_names
        rows = await repo.for_dialogue(commune_id, dialogue_id)
        speakers = speaking_order(dialogue, rows, shown, whole_for_hamlet=own_hamlet)
        return {"dialogue_id": dialogue_id, "speakers": speakers}

    return router
