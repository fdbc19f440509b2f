"""HTTP API of dialogue plans: create, read with deadlines, edit, move through statuses,
record duties as done."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from services.intake.logic import SubmissionRejected
from services.intake.plan_logic import deadline_views, delegates_from, new_plan
from services.intake.plan_repository import PlanRepository
from services.intake.plan_schemas import TRANSITIONS, DeadlineDoneIn, PlanIn, PlanPatch, TransitionIn
from shared.auth.guard import GuardedRoute, actor, principal_of
from shared.clock import utcnow
from shared.contracts import DialoguePlanChangedV1, Envelope
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import Dialogue, DirectoryReader, dialogue_key
from shared.http import error_body, problem
from shared.ids import new_id
from shared.outbox import Outbox

CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])
DialogueId = Path(max_length=64, examples=["demo-2017"])


def build_plans_router(repo: PlanRepository, directory: DirectoryReader, outbox: Outbox) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/communes/{commune_id}/dialogues", tags=["dialogue plans"], route_class=GuardedRoute
    )

    def event(dialogue: Dialogue, change: str, previous: str | None, by: str) -> Envelope:
        payload = DialoguePlanChangedV1(
            dialogue_id=dialogue.id,
            version=dialogue.version,
            status=dialogue.status,
            previous_status=previous,
            change=change,
            changed_by=by,
        )
        return Envelope.wrap(payload, commune_id=dialogue.commune_id, correlation_id=new_id())

    async def view(request: Request, dialogue: Dialogue) -> dict:
        """The plan; delegates' contacts only for the commune's own staff and integrations."""
        commune = await directory.commune(dialogue.commune_id)
        marks = await directory.deadline_marks(dialogue.commune_id, dialogue.id)
        today = utcnow().astimezone(ZoneInfo(dialogue.timezone)).date()
        deadlines = deadline_views(commune, dialogue, marks, today)
        plan = dialogue.model_dump(mode="json")
        principal = principal_of(request)
        if principal is None or not principal.reads_commune(dialogue.commune_id):
            plan["delegates"] = [
                {k: v for k, v in d.items() if k not in ("email", "phone")} for d in plan["delegates"]
            ]
            for deadline in deadlines:
                deadline.pop("done_by", None)
        return {**plan, "deadlines": deadlines, "allowed_transitions": list(TRANSITIONS[dialogue.status])}

    async def publish(dialogue: Dialogue) -> None:
        try:
            await outbox.flush_document(
                repo.dialogues, dialogue.commune_id, dialogue_key(dialogue.commune_id, dialogue.id)
            )
        except Exception:  # stored; the relay publishes it
            pass

    @router.post("", status_code=201, summary="Lập kế hoạch đối thoại (create the year's dialogue plan)")
    async def create(request: Request, body: PlanIn, commune_id: str = CommuneId):
        commune = await directory.commune(commune_id)
        if commune is None:
            return _unknown()
        try:
            dialogue = new_plan(body, commune)
        except SubmissionRejected as rejected:
            return JSONResponse(status_code=422, content=error_body([rejected.as_error()]))
        if not await repo.create(dialogue, event(dialogue, "created", None, actor(request))):
            return problem(
                409,
                "plan_exists",
                f"Kế hoạch '{dialogue.id}' đã có.",
                f"Plan '{dialogue.id}' already exists.",
            )
        await publish(dialogue)
        return await view(request, dialogue)

    @router.get("", summary="The commune's dialogue plans, newest year first")
    async def list_plans(commune_id: str = CommuneId):
        if await directory.commune(commune_id) is None:
            return _unknown()
        plans = await directory.dialogues(commune_id)
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
                for d in plans
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
            return _unknown()
        if dialogue.status != "draft" or not await repo.delete_draft(commune_id, dialogue_id):
            return problem(
                409,
                "not_a_draft",
                "Chỉ xóa được kế hoạch dự thảo; kế hoạch đã triển khai thì chuyển sang hủy.",
                "Only a draft plan can be deleted; cancel it instead.",
            )
        return Response(status_code=204)

    @router.get("/{dialogue_id}", summary="The plan with every deadline, its responsible body and state")
    async def read(request: Request, commune_id: str = CommuneId, dialogue_id: str = DialogueId):
        dialogue = await directory.dialogue(commune_id, dialogue_id)
        return await view(request, dialogue) if dialogue else _unknown()

    @router.patch(
        "/{dialogue_id}", summary="Edit the plan (a new version; invitations already sent are updated)"
    )
    async def edit(
        request: Request, body: PlanPatch, commune_id: str = CommuneId, dialogue_id: str = DialogueId
    ):
        current = await directory.dialogue(commune_id, dialogue_id)
        if current is None:
            return _unknown()
        if current.status in ("held", "concluded", "closed", "cancelled"):
            return problem(
                409,
                "plan_locked",
                "Kế hoạch đã kết thúc, không sửa được.",
                f"A {current.status} plan cannot be edited.",
            )
        changes = body.model_dump(
            exclude_unset=True, exclude_none=True, exclude={"changed_by", "delegates"}
        )  # null = unchanged
        if body.delegates is not None:
            changes["delegates"] = delegates_from(body.delegates)
        if "meeting_date" in changes and changes["meeting_date"].year != current.year:
            error = {
                "loc": ("body", "meeting_date"),
                "type": "value_error",
                "msg": "wrong year",
                "ctx": {
                    "reason_vi": f"Ngày đối thoại phải thuộc năm {current.year}.",
                    "reason_en": f"meeting_date must fall in {current.year}.",
                },
            }
            return JSONResponse(status_code=422, content=error_body([error]))
        updated = Dialogue.model_validate(
            {**current.model_dump(), **changes, "version": current.version + 1}
        )  # re-validated
        if not await repo.replace(
            updated,
            current.version,
            current.status,
            event(updated, "updated", current.status, actor(request)),
        ):
            return problem(
                409,
                "plan_changed",
                "Kế hoạch vừa được người khác sửa; tải lại rồi thử lại.",
                "The plan changed meanwhile; reload and retry.",
            )
        await publish(updated)
        return await view(request, updated)

    @router.post("/{dialogue_id}/transitions", summary="Move the plan to its next status")
    async def transition(
        request: Request, body: TransitionIn, commune_id: str = CommuneId, dialogue_id: str = DialogueId
    ):
        current = await directory.dialogue(commune_id, dialogue_id)
        if current is None:
            return _unknown()
        if body.to not in TRANSITIONS[current.status]:
            allowed = ", ".join(TRANSITIONS[current.status]) or "không có"
            return problem(
                409,
                "bad_transition",
                f"Không chuyển được từ '{current.status}' sang '{body.to}'. Được phép: {allowed}.",
                f"Cannot go from '{current.status}' to '{body.to}'.",
            )
        updated = current.model_copy(
            update={"status": body.to, "version": current.version + (body.to == "cancelled")}
        )
        if not await repo.replace(
            updated, current.version, current.status, event(updated, "status", current.status, actor(request))
        ):
            return problem(
                409,
                "plan_changed",
                "Kế hoạch vừa được người khác sửa; tải lại rồi thử lại.",
                "The plan changed meanwhile; reload and retry.",
            )
        if body.to == "collecting":  # residents' submissions now go to this dialogue
            await repo.open_for_submissions(commune_id, dialogue_id)
        elif body.to in ("held", "concluded", "closed", "cancelled"):
            await repo.close_for_submissions(commune_id, dialogue_id)
        await publish(updated)
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
            return _unknown()
        if key not in {d["key"] for d in (await view(request, dialogue))["deadlines"]}:
            return problem(
                404,
                "unknown_deadline",
                f"Không có thời hạn '{key}' trong kế hoạch.",
                f"No deadline '{key}' in this plan.",
            )
        await repo.mark_done(commune_id, dialogue_id, key, actor(request), body.note)
        return await view(request, dialogue)

    return router


def _unknown() -> JSONResponse:
    return problem(
        404,
        "not_found",
        "Không tìm thấy xã/phường hoặc kế hoạch đối thoại.",
        "Unknown commune or dialogue plan.",
    )
