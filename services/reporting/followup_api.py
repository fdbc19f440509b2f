"""HTTP adapter for the follow-up board: every conclusion's task and its status changes. Office
staff see and change only their own office's tasks (the access policy admitted the role). The
board is every task unless the caller asks one page (`?limit=`, with `offset` or `around`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.reporting import handlers
from services.reporting.handlers import (
    BadTransition,
    BoardPage,
    ChangeFollowUp,
    FollowUpDeps,
    NotFound,
    ReasonRequired,
    ReopenFollowUp,
    TaskChanged,
    Viewer,
)
from services.reporting.handlers.followup import TakenOver
from shared.auth.guard import GuardedRoute, actor, principal_of
from shared.auth.principal import Role
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.http import error_body, problem
from shared.personal_data import mask_personal_data

CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str | None = Field(
        None,
        description=(
            "in_progress, resolved, escalated, awaiting_higher_level or rejected; none (or null) "
            "with a note: a progress note on an open task, its status kept"
        ),
    )
    note: str | None = Field(
        None, max_length=5000, description="What was done; required to reject and for a progress note"
    )
    by: str | None = Field(
        None, max_length=120, description="Ignored: the author is always the authenticated principal"
    )


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=5000, description="Why the settled task goes back to work (staff only)")


def viewer(request: Request) -> Viewer:
    principal = principal_of(request)
    if principal is None or principal.role is not Role.OFFICE_STAFF:
        return Viewer()
    return Viewer(office_only=True, office_id=principal.office_id)


# A task's texts: the conclusion's (or the as the resident typed it) and the issue's.
TASK_TEXTS = ("text", "issue_text")
MAX_TASKS = 200  # tasks of one page (`?limit=`); without a limit, every task


def as_read_by(request: Request, task: dict[str, Any]) -> dict[str, Any]:
    """A task as the caller reads it: its texts as typed for the Party office and the commune
    admin, with personal data masked for everyone else (an office's staff, an integration's key),
    as intake's and reporting's other APIs give them residents' texts."""
    principal = principal_of(request)
    if principal is not None and principal.reads_as_typed:
        return task
    return task | {
        field: mask_personal_data(task[field]) for field in TASK_TEXTS if task.get(field) is not None
    }


def build_followup_router(deps: FollowUpDeps) -> APIRouter:
    router = APIRouter(prefix="/api/v1/communes/{commune_id}", tags=["follow-up"], route_class=GuardedRoute)

    @router.get(
        "/dialogues/{dialogue_id}/follow-up", summary="Follow-up board: every conclusion's task and status"
    )
    async def board(
        request: Request,
        commune_id: str = CommuneId,
        dialogue_id: str = Path(max_length=64),
        offset: int = Query(0, ge=0, le=1_000_000_000, description="With limit: the first task's index"),
        limit: int | None = Query(
            None, ge=1, le=MAX_TASKS, description="Tasks at most, in the board's order; none: every task"
        ),
        around: str | None = Query(
            None, max_length=160, description="With limit: the page (of limit) holding this task id"
        ),
    ):
        page = None if limit is None else BoardPage(offset, limit, around)
        try:
            board = await handlers.follow_up_board(deps, commune_id, dialogue_id, viewer(request), page)
        except NotFound:
            return _not_found()
        return {**board, "tasks": [as_read_by(request, task) for task in board["tasks"]]}

    @router.post(
        "/follow-up/{task_id}/status",
        summary="Change a task's status, or add a progress note (audited; the resident's page shows it)",
    )
    async def change(
        request: Request, body: StatusIn, commune_id: str = CommuneId, task_id: str = Path(max_length=160)
    ):
        command = ChangeFollowUp(commune_id, task_id, body.status, body.note, actor(request))
        try:
            return as_read_by(request, await handlers.change_follow_up(deps, command, viewer(request)))
        except NotFound:
            return _not_found()
        except BadTransition as refused:
            return _bad_transition(refused)
        except ReasonRequired:
            return _reason_required("note")
        except TaskChanged:
            return _task_changed()

    @router.post(
        "/follow-up/{task_id}/reopen",
        summary="Reopen a resolved or rejected task with a reason (audited in the task's history)",
    )
    async def reopen(
        request: Request, body: ReopenIn, commune_id: str = CommuneId, task_id: str = Path(max_length=160)
    ):
        command = ReopenFollowUp(commune_id, task_id, body.reason, actor(request))
        try:
            return as_read_by(request, await handlers.reopen_follow_up(deps, command, viewer(request)))
        except NotFound:
            return _not_found()
        except BadTransition as refused:
            return _bad_transition(refused)
        except ReasonRequired:
            return _reason_required("reason")
        except TaskChanged:
            return _task_changed()

    return router


def _bad_transition(refused: BadTransition) -> JSONResponse:
    if isinstance(refused, TakenOver):
        return problem(409, "taken_over", refused.message_vi, refused.message_en)
    names = ", ".join(refused.allowed) or "không có"
    return problem(
        409,
        "bad_transition",
        f"Không chuyển được từ '{refused.current}' sang '{refused.wanted}'. Được phép: {names}.",
        f"Cannot go from {refused.current!r} to {refused.wanted!r}.",
    )


def _reason_required(field: str) -> JSONResponse:
    error = {"loc": ("body", field), "type": "missing", "msg": "a reason is required"}
    return JSONResponse(status_code=422, content=error_body([error]))


def _task_changed() -> JSONResponse:
    return problem(
        409,
        "task_changed",
        "Nhiệm vụ vừa được cập nhật; tải lại rồi thử lại.",
        "The task changed meanwhile; reload and retry.",
    )


def _not_found() -> JSONResponse:
    return problem(
        404,
        "not_found",
        "Không tìm thấy xã/phường, đợt đối thoại hoặc nhiệm vụ.",
        "Unknown commune, dialogue or task.",
    )
