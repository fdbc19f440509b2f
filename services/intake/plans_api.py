"""HTTP API of dialogue plans: create, read with deadlines, edit, move through statuses,
record duties as done (the use cases are in `handlers.plans`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from services.intake.dialogue_routes import unknown_dialogue
from services.intake.handlers.plans import (
    PlanConflict,
    PlanDeps,
    create_plan,
    delete_draft,
    edit_plan,
    mark_duty_done,
    move_plan,
    plan_view,
)
from services.intake.logic import SubmissionRejected
from services.intake.plan_schemas import DeadlineDoneIn, PlanIn, PlanPatch, TransitionIn
from shared.auth.guard import GuardedRoute, actor, principal_of
from shared.contracts import PlanStatus
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import Dialogue, DirectoryReader
from shared.http import error_body, problem

CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])
DialogueId = Path(max_length=64, examples=["demo-2017"])


def shown_to(request: Request, dialogue: Dialogue) -> bool:
    """A draft plan is the commune's own work until it opens: its staff and integrations with
    `read` see it, the public does not (listed, read, or announced)."""
    if dialogue.status != PlanStatus.DRAFT:
        return True
    principal = principal_of(request)
    return principal is not None and principal.reads_commune(dialogue.commune_id)


def build_plans_router(directory: DirectoryReader, plans: PlanDeps) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/communes/{commune_id}/dialogues", tags=["dialogue plans"], route_class=GuardedRoute
    )

    async def view(request: Request, dialogue: Dialogue) -> dict[str, Any]:
        principal = principal_of(request)
        contacts = principal is not None and principal.reads_commune(dialogue.commune_id)
        return await plan_view(plans, dialogue, contacts=contacts)

    @router.post("", status_code=201, summary="Lập kế hoạch đối thoại (create the year's dialogue plan)")
    async def create(request: Request, body: PlanIn, commune_id: str = CommuneId):
        commune = await directory.commune(commune_id)
        if commune is None:
            return unknown_dialogue()
        try:
            dialogue = await create_plan(plans, commune, body, actor(request))
        except SubmissionRejected as rejected:
            return JSONResponse(status_code=422, content=error_body([rejected.as_error()]))
        except PlanConflict as conflict:
            return _conflict(conflict)
        return await view(request, dialogue)

    @router.get("", summary="The commune's dialogue plans, newest year first (drafts: its staff only)")
    async def list_plans(request: Request, commune_id: str = CommuneId):
        if await directory.commune(commune_id) is None:
            return unknown_dialogue()
        found = [d for d in await directory.dialogues(commune_id) if shown_to(request, d)]
        return {
            "commune_id": commune_id,
            "dialogues": [
                {
                    "id": d.id,
                    "year": d.year,
                    "title": d.title,
                    "meeting_date": d.meeting_date.isoformat(),
                    "status": d.status,
                    "version": d.version,
                }
                for d in found
            ],
        }

    @router.delete(
        "/{dialogue_id}",
        status_code=204,
        summary="Delete a draft plan (a plan past draft is cancelled instead)",
    )
    async def delete(commune_id: str = CommuneId, dialogue_id: str = DialogueId):
        dialogue = await directory.dialogue(commune_id, dialogue_id)
        if dialogue is None:
            return unknown_dialogue()
        try:
            await delete_draft(plans, dialogue)
        except PlanConflict as conflict:
            return _conflict(conflict)
        return Response(status_code=204)

    @router.get("/{dialogue_id}", summary="The plan with every deadline, its responsible body and state")
    async def read(request: Request, commune_id: str = CommuneId, dialogue_id: str = DialogueId):
        dialogue = await directory.dialogue(commune_id, dialogue_id)
        if dialogue is None or not shown_to(request, dialogue):
            return unknown_dialogue()
        return await view(request, dialogue)

    @router.patch(
        "/{dialogue_id}", summary="Edit the plan (a new version; invitations already sent are updated)"
    )
    async def edit(
        request: Request, body: PlanPatch, commune_id: str = CommuneId, dialogue_id: str = DialogueId
    ):
        current = await directory.dialogue(commune_id, dialogue_id)
        if current is None:
            return unknown_dialogue()
        try:
            updated = await edit_plan(plans, current, body, actor(request))
        except SubmissionRejected as rejected:
            return JSONResponse(status_code=422, content=error_body([rejected.as_error()]))
        except PlanConflict as conflict:
            return _conflict(conflict)
        return await view(request, updated)

    @router.post("/{dialogue_id}/transitions", summary="Move the plan to its next status")
    async def transition(
        request: Request, body: TransitionIn, commune_id: str = CommuneId, dialogue_id: str = DialogueId
    ):
        current = await directory.dialogue(commune_id, dialogue_id)
        if current is None:
            return unknown_dialogue()
        try:
            updated = await move_plan(plans, current, body.to, actor(request))
        except PlanConflict as conflict:
            return _conflict(conflict)
        return await view(request, updated)

    @router.post(
        "/{dialogue_id}/deadlines/{key}/done", summary="Record a duty as done (e.g. a report received)"
    )
    async def done(
        request: Request,
        body: DeadlineDoneIn,
        key: str = Path(max_length=80),
        commune_id: str = CommuneId,
        dialogue_id: str = DialogueId,
    ):
        dialogue = await directory.dialogue(commune_id, dialogue_id)
        if dialogue is None:
            return unknown_dialogue()
        if not await mark_duty_done(plans, dialogue, key, actor(request), body.note):
            return problem(
                404,
                "unknown_deadline",
                f"Không có thời hạn '{key}' trong kế hoạch.",
                f"No deadline '{key}' in this plan.",
            )
        return await view(request, dialogue)

    return router


def _conflict(conflict: PlanConflict) -> JSONResponse:
    return problem(409, conflict.code, conflict.vi, conflict.en)
