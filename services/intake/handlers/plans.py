"""Dialogue plans: create, edit, move through statuses, delete a draft, record a duty done, the
plan as it is read with its deadlines, and the commune's working-day calendar they follow.

Every change of a plan stores the new version with its `dialogue.plan_changed.v1` in the plan's
own outbox, only if nobody changed the plan since it was read, and then publishes it (a failed
publish is left to the outbox relay)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from services.intake.logic import SubmissionRejected
from services.intake.plan_logic import deadline_views, delegates_from, new_plan
from services.intake.plan_schemas import TRANSITIONS, PlanIn, PlanPatch
from shared.clock import utcnow
from shared.contracts import DialoguePlanChangedV1, Envelope, PlanStatus
from shared.directory import CalendarOverrides, Commune, Dialogue, OfficeHolders, dialogue_key
from shared.ids import new_id
from shared.plan_deadlines import plan_deadlines

log = logging.getLogger(__name__)

Change = Literal["created", "updated", "status"]
SYSTEM = "system"  # the author of what the services record by themselves (status.record_document_issued)
LOCKED = frozenset({PlanStatus.HELD, PlanStatus.CONCLUDED, PlanStatus.CLOSED, PlanStatus.CANCELLED})
CHANGED_MEANWHILE = (
    "plan_changed",
    "Kế hoạch vừa được người khác sửa; tải lại rồi thử lại.",
    "The plan changed meanwhile; reload and retry.",
)


class PlanStore(Protocol):
    async def create(self, dialogue: Dialogue, event: Envelope) -> bool: ...

    async def replace(
        self, dialogue: Dialogue, expected_version: int, expected_status: str, event: Envelope
    ) -> bool: ...

    async def open_for_submissions(self, commune_id: str, dialogue_id: str) -> None: ...

    async def close_for_submissions(self, commune_id: str, dialogue_id: str) -> None: ...

    async def delete_draft(self, commune_id: str, dialogue_id: str) -> bool: ...

    async def set_calendar(self, commune_id: str, calendar: dict[str, Any]) -> bool: ...
    async def set_office_holders(self, commune_id: str, holders: dict[str, Any]) -> bool: ...

    async def mark_done(
        self, commune_id: str, dialogue_id: str, key: str, by: str, note: str | None
    ) -> bool: ...

    async def unmark_done(self, commune_id: str, dialogue_id: str, key: str) -> bool:
        """False: this duty was not recorded as done."""
        ...


class PlanDirectory(Protocol):
    async def commune(self, commune_id: str) -> Commune | None: ...

    async def deadline_marks(self, commune_id: str, dialogue_id: str) -> dict[str, dict[str, Any]]: ...


@dataclass(frozen=True)
class PlanDeps:
    plans: PlanStore
    directory: PlanDirectory
    # Publishes the outbox of a stored plan, by commune and document id (`Outbox.flush_document`
    # on the plans' collection).
    publish: Callable[[str, str], Awaitable[int]]
    clock: Callable[[], datetime] = utcnow


@dataclass(frozen=True)
class PlanConflict(Exception):
    """The change does not fit the plan as it stands (answered 409)."""

    code: str
    vi: str
    en: str


def _event(dialogue: Dialogue, change: Change, previous: str | None, by: str) -> Envelope:
    payload = DialoguePlanChangedV1(
        dialogue_id=dialogue.id,
        version=dialogue.version,
        status=PlanStatus(dialogue.status),
        previous_status=PlanStatus(previous) if previous else None,
        change=change,
        changed_by=by,
    )
    return Envelope.wrap(payload, commune_id=dialogue.commune_id, correlation_id=new_id())


async def _publish(deps: PlanDeps, dialogue: Dialogue) -> None:
    try:
        await deps.publish(dialogue.commune_id, dialogue_key(dialogue.commune_id, dialogue.id))
    except Exception:  # stored is what counts; the relay publishes it later
        log.warning(
            "publish after a plan change failed; outbox relay will retry",
            exc_info=True,
            extra={"commune_id": dialogue.commune_id, "dialogue_id": dialogue.id},
        )


async def create_plan(deps: PlanDeps, commune: Commune, body: PlanIn, by: str) -> Dialogue:
    """Raises SubmissionRejected (a hamlet unknown or listed twice) or PlanConflict (it exists)."""
    dialogue = new_plan(body, commune)
    if not await deps.plans.create(dialogue, _event(dialogue, "created", None, by)):
        raise PlanConflict(
            "plan_exists", f"Kế hoạch '{dialogue.id}' đã có.", f"Plan '{dialogue.id}' already exists."
        )
    await _publish(deps, dialogue)
    return dialogue


async def edit_plan(deps: PlanDeps, current: Dialogue, body: PlanPatch, by: str) -> Dialogue:
    """A new version with the fields given (null: unchanged). Raises PlanConflict (the plan is
    over, or changed meanwhile) or SubmissionRejected (a meeting date in another year)."""
    if current.status in LOCKED:
        raise PlanConflict(
            "plan_locked",
            "Kế hoạch đã kết thúc, không sửa được.",
            f"A {current.status} plan cannot be edited.",
        )
    changes = body.model_dump(exclude_unset=True, exclude_none=True, exclude={"changed_by", "delegates"})
    if body.delegates is not None:
        changes["delegates"] = delegates_from(body.delegates)
    if "meeting_date" in changes and changes["meeting_date"].year != current.year:
        raise SubmissionRejected(
            "value_error",
            f"Ngày đối thoại phải thuộc năm {current.year}.",
            f"meeting_date must fall in {current.year}.",
            field="meeting_date",
        )
    # re-validated as a whole
    updated = Dialogue.model_validate({**current.model_dump(), **changes, "version": current.version + 1})
    await _replace(deps, current, updated, _event(updated, "updated", current.status, by))
    await _publish(deps, updated)
    return updated


async def move_plan(deps: PlanDeps, current: Dialogue, to: str, by: str) -> Dialogue:
    """To the next status; opening it (collecting) makes it the dialogue residents' submissions
    go to, and a plan that is over takes none. Raises PlanConflict."""
    if to not in TRANSITIONS[current.status]:
        allowed = ", ".join(TRANSITIONS[current.status]) or "không có"
        raise PlanConflict(
            "bad_transition",
            f"Không chuyển được từ '{current.status}' sang '{to}'. Được phép: {allowed}.",
            f"Cannot go from '{current.status}' to '{to}'.",
        )
    cancelled = to == PlanStatus.CANCELLED
    updated = current.model_copy(update={"status": to, "version": current.version + cancelled})
    await _replace(deps, current, updated, _event(updated, "status", current.status, by))
    if to == PlanStatus.COLLECTING:
        await deps.plans.open_for_submissions(current.commune_id, current.id)
    elif to in LOCKED:
        await deps.plans.close_for_submissions(current.commune_id, current.id)
    await _publish(deps, updated)
    return updated


async def _replace(deps: PlanDeps, current: Dialogue, updated: Dialogue, event: Envelope) -> None:
    if not await deps.plans.replace(updated, current.version, current.status, event):
        raise PlanConflict(*CHANGED_MEANWHILE)


async def delete_draft(deps: PlanDeps, dialogue: Dialogue) -> None:
    """Only a draft is deleted (a plan past draft is cancelled instead). Raises PlanConflict."""
    if dialogue.status != PlanStatus.DRAFT or not await deps.plans.delete_draft(
        dialogue.commune_id, dialogue.id
    ):
        raise PlanConflict(
            "not_a_draft",
            "Chỉ xóa được kế hoạch dự thảo; kế hoạch đã triển khai thì chuyển sang hủy.",
            "Only a draft plan can be deleted; cancel it instead.",
        )


async def plan_view(deps: PlanDeps, dialogue: Dialogue, *, contacts: bool) -> dict[str, Any]:
    """The plan with its deadlines and their states; delegates' contacts and who marked a duty
    done only with `contacts` (the commune's own staff and integrations)."""
    commune = await deps.directory.commune(dialogue.commune_id)
    marks = await deps.directory.deadline_marks(dialogue.commune_id, dialogue.id)
    deadlines = deadline_views(commune, dialogue, marks, _today(deps, dialogue)) if commune else []
    plan = dialogue.model_dump(mode="json")
    if not contacts:
        plan["delegates"] = [
            {k: v for k, v in d.items() if k not in ("email", "phone")} for d in plan["delegates"]
        ]
        for deadline in deadlines:
            deadline.pop("done_by", None)
            deadline.pop("done_note", None)
    return {**plan, "deadlines": deadlines, "allowed_transitions": list(TRANSITIONS[dialogue.status])}


async def mark_duty_done(deps: PlanDeps, dialogue: Dialogue, key: str, by: str, note: str | None) -> bool:
    """Record the plan's duty `key` as done (once); False when the plan has no such deadline."""
    commune = await deps.directory.commune(dialogue.commune_id)
    if commune is None or key not in {deadline.key for deadline in plan_deadlines(commune, dialogue)}:
        return False
    await deps.plans.mark_done(dialogue.commune_id, dialogue.id, key, by, note)
    return True


async def undo_duty_done(deps: PlanDeps, dialogue: Dialogue, key: str) -> None:
    """The duty `key` is no longer recorded as done: its deadline counts again (and reminders
    resume). A duty recorded by the system (a document issued) stays done: it is undone only by
    what recorded it. Raises PlanConflict."""
    marks = await deps.directory.deadline_marks(dialogue.commune_id, dialogue.id)
    mark = marks.get(key)
    if mark is None:
        raise PlanConflict(
            "not_done", "Việc này chưa được ghi là đã xong.", f"Duty '{key}' is not recorded as done."
        )
    if mark.get("by") == SYSTEM:
        raise PlanConflict(
            "done_by_system",
            "Việc này được ghi tự động khi ban hành văn bản ("
            + str(mark.get("note") or "văn bản đã ban hành")
            + "), nên không hoàn tác được ở đây.",
            f"Duty '{key}' was recorded by the system when a document was issued.",
        )
    if not await deps.plans.unmark_done(dialogue.commune_id, dialogue.id, key):
        raise PlanConflict(*CHANGED_MEANWHILE)


def _today(deps: PlanDeps, dialogue: Dialogue) -> date:
    return deps.clock().astimezone(ZoneInfo(dialogue.timezone)).date()


async def replace_calendar(deps: PlanDeps, commune_id: str, overrides: CalendarOverrides) -> bool:
    """The commune's extra days off and working days; every deadline follows at once. False: no
    such commune."""
    return await deps.plans.set_calendar(commune_id, overrides.model_dump(mode="json"))


async def replace_office_holders(deps: PlanDeps, commune_id: str, holders: OfficeHolders) -> bool:
    """Who signs the commune's Party documents (Secretary, deputies, Chánh Văn phòng), names
    trimmed and blanks dropped; documents issued from now on carry them. False: no such commune."""
    cleaned = OfficeHolders(
        secretary=" ".join(holders.secretary.split()),
        deputy_secretaries=tuple(" ".join(n.split()) for n in holders.deputy_secretaries if n.strip()),
        chief_of_office=" ".join(holders.chief_of_office.split()),
    )
    return await deps.plans.set_office_holders(commune_id, cleaned.model_dump(mode="json"))
