"""Follow-up board: every conclusion's task, its status changes (audited), and the scanner that
reminds offices before the due date and escalates overdue tasks to the Standing Committee."""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.reporting.followup import CLOSED, STATUS_LABELS_VI, TRANSITIONS, reminder_due
from services.reporting.followup_repository import FollowUpRepository
from services.reporting.metrics import ReportingMetrics
from shared.auth.guard import GuardedRoute, actor, principal_of
from shared.auth.principal import Role
from shared.clock import iso, utcnow
from shared.contracts import Envelope, FollowUpChangedV1, FollowUpReminderV1
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import DirectoryReader
from shared.http import error_body, problem
from shared.ids import new_id
from shared.outbox import Outbox
from shared.periodic import repeat

log = logging.getLogger(__name__)
CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str = Field(description="in_progress, resolved, escalated, awaiting_higher_level or rejected")
    note: str | None = Field(None, max_length=5000, description="What was done; required to reject")
    by: str | None = Field(
        None, max_length=120, description="Ignored: the author is always the authenticated principal"
    )


def changed_event(
    task: dict, status: str, previous: str | None, note: str | None, by: str, revision: int
) -> Envelope:
    payload = FollowUpChangedV1(
        revision=revision,
        task_id=task["_id"],
        dialogue_id=task["dialogue_id"],
        submission_ids=tuple(task["submission_ids"]),
        office_id=task["office_id"],
        office_name=task["office_name"],
        status=status,
        previous_status=previous,
        due=date.fromisoformat(task["due"]),
        note=note,
        changed_by=by,
    )
    return Envelope.wrap(payload, commune_id=task["commune_id"], correlation_id=new_id())


def _in_scope(request: Request, task: dict) -> bool:
    """Office staff see and change only their own office's tasks (the policy admitted the role)."""
    principal = principal_of(request)
    return (
        principal is None
        or principal.role is not Role.OFFICE_STAFF
        or task.get("office_id") == principal.office_id
    )


def build_followup_router(repo: FollowUpRepository, directory: DirectoryReader, outbox: Outbox) -> APIRouter:
    router = APIRouter(prefix="/api/v1/communes/{commune_id}", tags=["follow-up"], route_class=GuardedRoute)

    @router.get(
        "/dialogues/{dialogue_id}/follow-up", summary="Follow-up board: every conclusion's task and status"
    )
    async def board(request: Request, commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)):
        dialogue = await directory.dialogue(commune_id, dialogue_id)
        if dialogue is None:
            return _not_found()
        today = utcnow().astimezone(ZoneInfo(dialogue.timezone)).date()
        tasks = [t for t in await repo.for_dialogue(commune_id, dialogue_id) if _in_scope(request, t)]
        counts: dict[str, int] = {}
        for task in tasks:
            counts[task["status"]] = counts.get(task["status"], 0) + 1
        return {
            "dialogue_id": dialogue_id,
            "counts": counts,
            "tasks": [_public(t, today) for t in tasks],
        }

    @router.post(
        "/follow-up/{task_id}/status",
        summary="Change a task's status (audited; the resident is told when resolved)",
    )
    async def change(
        request: Request, body: StatusIn, commune_id: str = CommuneId, task_id: str = Path(max_length=160)
    ):
        body = body.model_copy(update={"by": actor(request)})
        task = await repo.get(commune_id, task_id)
        if task is None or not _in_scope(request, task):
            return _not_found()
        allowed = TRANSITIONS[task["status"]]
        if body.status not in allowed:
            names = ", ".join(allowed) or "không có"
            return problem(
                409,
                "bad_transition",
                f"Không chuyển được từ '{task['status']}' sang '{body.status}'. Được phép: {names}.",
                f"Cannot go from {task['status']!r} to {body.status!r}.",
            )
        if body.status == "rejected" and not body.note:
            error = {"loc": ("body", "note"), "type": "missing", "msg": "a reason is required to reject"}
            return JSONResponse(status_code=422, content=error_body([error]))
        event = changed_event(task, body.status, task["status"], body.note, body.by, task["revision"] + 1)
        entry = {
            "at": iso(utcnow()),
            "status": body.status,
            "previous_status": task["status"],
            "note": body.note,
            "by": body.by,
        }
        if not await repo.change_status(task, body.status, event, entry):
            return problem(
                409,
                "task_changed",
                "Nhiệm vụ vừa được cập nhật; tải lại rồi thử lại.",
                "The task changed meanwhile; reload and retry.",
            )
        await _flush(outbox, repo.tasks, commune_id, task_id)
        today = utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        return {
            **_public(await repo.get(commune_id, task_id), today),
            "history": await repo.task_history(commune_id, task_id),
        }

    return router


def _public(task: dict, today: date) -> dict:
    overdue = task["status"] not in CLOSED and date.fromisoformat(task["due"]) < today
    return {k: v for k, v in task.items() if k not in ("outbox", "outbox_pending", "outbox_at")} | {
        "id": task["_id"],
        "status_label": STATUS_LABELS_VI[task["status"]],
        "overdue": overdue,
    }


async def _flush(outbox: Outbox, collection, commune_id: str, doc_id: str) -> None:
    try:
        await outbox.flush_document(collection, commune_id, doc_id)
    except Exception:  # stored; the relay publishes it
        log.warning("publish after store failed; relay will retry", exc_info=True)


class FollowUpScanner:
    """Runs in every reporting replica; a reminder is recorded once under its id, so replicas
    never send the same one twice."""

    def __init__(
        self,
        repo: FollowUpRepository,
        directory: DirectoryReader,
        outbox: Outbox,
        metrics: ReportingMetrics,
        *,
        interval_s: float,
        remind_days_before: int,
    ) -> None:
        self._repo, self._directory, self._outbox, self._metrics = repo, directory, outbox, metrics
        self._interval, self._days = interval_s, remind_days_before

    async def run_forever(self) -> None:
        await repeat(self.scan, self._interval, "follow-up scan")

    async def scan(self, today: date | None = None) -> int:
        sent = 0
        overdue: dict[str, int] = {}
        local_today = today or utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        for task in await self._repo.open_tasks():
            overdue[task["commune_id"]] = overdue.get(task["commune_id"], 0) + (
                date.fromisoformat(task["due"]) < local_today
            )
            kind = reminder_due(task["status"], date.fromisoformat(task["due"]), local_today, self._days)
            if kind is None:
                continue
            payload = FollowUpReminderV1(
                task_id=task["_id"],
                dialogue_id=task["dialogue_id"],
                office_id=task["office_id"],
                office_name=task["office_name"],
                kind=kind,
                due=date.fromisoformat(task["due"]),
                summary=task["text"][:1000],
            )
            event = Envelope.wrap(payload, commune_id=task["commune_id"], correlation_id=new_id())
            reminder_id = f"{task['_id']}:{kind}:{task['due']}"
            if await self._repo.record_reminder(task["commune_id"], reminder_id, event):
                sent += 1
                await _flush(self._outbox, self._repo.reminders, task["commune_id"], reminder_id)
                if kind == "overdue" and task["status"] != "escalated":
                    escalated = changed_event(
                        task,
                        "escalated",
                        task["status"],
                        "Quá hạn: báo cáo Ban Thường vụ Đảng ủy",
                        "system",
                        task["revision"] + 1,
                    )
                    entry = {
                        "at": iso(utcnow()),
                        "status": "escalated",
                        "previous_status": task["status"],
                        "note": "overdue",
                        "by": "system",
                    }
                    if await self._repo.change_status(task, "escalated", escalated, entry):
                        await _flush(self._outbox, self._repo.tasks, task["commune_id"], task["_id"])
        for commune_id, count in overdue.items():
            self._metrics.overdue_tasks.labels(commune_id).set(count)
        return sent


def _not_found() -> JSONResponse:
    return problem(
        404,
        "not_found",
        "Không tìm thấy xã/phường, đợt đối thoại hoặc nhiệm vụ.",
        "Unknown commune, dialogue or task.",
    )
