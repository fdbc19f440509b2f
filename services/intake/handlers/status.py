"""Following submissions downstream (the `intake/status` queue, `services/intake/consumers.py`):
routed, office notified, notification failed, the conclusion's follow-up, duties done by issued
documents, the meeting held. Each handler is `handler(deps, envelope, payload)`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any, Protocol

from services.intake.handlers.plans import PlanConflict, PlanDeps, move_plan
from services.intake.metrics import IntakeMetrics
from services.intake.status import StatusEvent, change_for, follow_up_note
from shared.clock import iso
from shared.contracts import (
    DocumentIssuedV1,
    DocumentKind,
    Envelope,
    FollowUpChangedV1,
    MeetingRecordedV1,
    PlanStatus,
)
from shared.directory import Dialogue
from shared.plan_deadlines import DUTY_DONE_BY_DOCUMENT

Document = dict[str, Any]

# A plan whose meeting has ended moves on to held one status at a time (TRANSITIONS).
TOWARDS_HELD: dict[str, PlanStatus] = {
    PlanStatus.COLLECTING: PlanStatus.CLASSIFIED,
    PlanStatus.CLASSIFIED: PlanStatus.INVITED,
    PlanStatus.INVITED: PlanStatus.HELD,
}
# Issuing the conclusion notice concludes the plan: one step further than held.
TOWARDS_CONCLUDED: dict[str, PlanStatus] = {**TOWARDS_HELD, PlanStatus.HELD: PlanStatus.CONCLUDED}
PLAN_MOVE_ATTEMPTS = 8  # each step or each plan edited meanwhile is one attempt


class StatusStore(Protocol):
    async def record_facts(self, commune_id: str, submission_id: str, facts: Document) -> None: ...

    async def advance(self, commune_id: str, submission_id: str, status: str, rank: int) -> None: ...

    async def record_followup(self, commune_id: str, submission_id: str, facts: Document) -> None:
        """Stores `facts` unless those stored are newer (`repository.followup_wins`)."""
        ...

    async def add_history(self, entry: Document) -> bool:
        """False: an entry with this `_id` is stored already (a redelivered event)."""
        ...

    async def list_history_entry(self, commune_id: str, submission_id: str, entry_id: str) -> None:
        """The submission lists the entry, so its history is read by `_id` (idempotent)."""
        ...


class PlanDuties(Protocol):
    async def mark_done(
        self, commune_id: str, dialogue_id: str, key: str, by: str, note: str | None
    ) -> bool: ...


class PlanReader(Protocol):
    async def dialogue(self, commune_id: str, dialogue_id: str) -> Dialogue | None: ...


@dataclass(frozen=True)
class StatusDeps:
    submissions: StatusStore
    plans: PlanDuties
    metrics: IntakeMetrics
    # Moving a plan to held when its meeting has ended (`record_meeting`); without them the
    # meeting's record moves no plan.
    plan_changes: PlanDeps | None = None
    dialogues: PlanReader | None = None


async def record_status(deps: StatusDeps, envelope: Envelope, payload: StatusEvent) -> bool:
    """Move the status forward and add the history entry keyed by the event: False when the
    entry was there already (status and facts only move forward, so a redelivery changes nothing)."""
    change = change_for(payload)
    repo = deps.submissions
    writes: list[Awaitable[None]] = []
    if change.facts:  # a routing decision: when it was made goes with it (Open311's updated_datetime)
        facts = {**change.facts, "routing_updated_at": envelope.occurred_at}
        writes.append(repo.record_facts(envelope.commune_id, payload.submission_id, facts))
    if change.rank is not None:
        writes.append(repo.advance(envelope.commune_id, payload.submission_id, change.status, change.rank))
    entry = {
        "_id": envelope.event_id,
        "commune_id": envelope.commune_id,
        "submission_id": payload.submission_id,
        "at": envelope.occurred_at,
        "status": change.status,
        "note_vi": change.note_vi,
        "event_type": envelope.routing_key,
        "by": change.by,
    }
    if change.staff_note_vi:
        entry["staff_note_vi"] = change.staff_note_vi
    # The status, the entry's place in the submission's list and the entry itself go at once:
    # the first two in one command of the submissions' group commit, the entry in the history's.
    writes.append(repo.list_history_entry(envelope.commune_id, payload.submission_id, envelope.event_id))
    *_, added = await asyncio.gather(*writes, repo.add_history(entry))
    if added:
        deps.metrics.status_changed(envelope.commune_id, change.status).inc()
    return bool(added)


async def record_follow_up(deps: StatusDeps, envelope: Envelope, changed: FollowUpChangedV1) -> None:
    """Each submission the conclusion answers carries its follow-up and gets one history entry per
    event. The follow-up shown is its task's latest revision, and a task that takes over an earlier
    dialogue's (`supersedes`: a carried-over issue concluded again) wins over that one from its
    first revision, whatever order the events come in (`repository.followup_wins`). Who acts is
    named as the issued notice names it (`responsible_body`: the higher-level body a recommendation
    goes to, else the office by its era's title), in the stored facts and in the history entry."""
    body = changed.responsible_body or changed.office_name  # an event before the body was carried
    note = follow_up_note(changed.status, body, changed.note)
    repo = deps.submissions
    for submission_id in changed.submission_ids:
        entry_id = f"{envelope.event_id}:{submission_id}"
        await asyncio.gather(
            repo.record_followup(
                envelope.commune_id,
                submission_id,
                {
                    "followup_status": changed.status,
                    "followup_task": changed.task_id,
                    "followup_revision": changed.revision,
                    "followup_superseded": list(changed.supersedes),
                    "followup_due": changed.due.isoformat(),
                    "followup_note": changed.note,
                    # who acts, as the issued notice names it; `followup_holder` the task's office
                    "followup_office": body,
                    "followup_holder": changed.office_name,
                    "followup_updated_at": iso(envelope.occurred_at),
                },
            ),
            repo.list_history_entry(envelope.commune_id, submission_id, entry_id),
            repo.add_history(
                {
                    "_id": entry_id,
                    "commune_id": envelope.commune_id,
                    "submission_id": submission_id,
                    "at": envelope.occurred_at,
                    "status": f"followup_{changed.status}",
                    "note_vi": note,
                    "office": body,  # named in the note already: an entry with it is never renamed
                    "event_type": envelope.routing_key,
                    "by": changed.changed_by,
                }
            ),
        )


async def record_document_issued(deps: StatusDeps, envelope: Envelope, issued: DocumentIssuedV1) -> None:
    """The plan's duty this document fulfils is marked done, once; the conclusion notice also
    concludes the plan (held → concluded, as staff would move it by hand)."""
    duty = DUTY_DONE_BY_DOCUMENT.get(issued.kind)
    if duty:
        await deps.plans.mark_done(
            envelope.commune_id,
            issued.dialogue_id,
            duty,
            "system",
            f"Văn bản số {issued.code} ngày {issued.issued_on:%d/%m/%Y}",
        )
    if issued.kind == DocumentKind.CONCLUSION_NOTICE:
        await advance_plan(deps, envelope.commune_id, issued.dialogue_id, TOWARDS_CONCLUDED)


async def record_meeting(deps: StatusDeps, envelope: Envelope, recorded: MeetingRecordedV1) -> None:
    """Once the meeting's end is recorded, a plan still before it (collecting, classified,
    invited) is held."""
    if recorded.ended_at is not None:
        await advance_plan(deps, envelope.commune_id, recorded.dialogue_id, TOWARDS_HELD)


async def advance_plan(
    deps: StatusDeps, commune_id: str, dialogue_id: str, steps: dict[str, PlanStatus]
) -> None:
    """Move the plan step by step along `steps` (status → next) by the plan use case, as
    "system", until its status has no step: a plan there or past it already is left as it is,
    so a redelivered or later event changes nothing."""
    if deps.plan_changes is None or deps.dialogues is None:
        return
    for _ in range(PLAN_MOVE_ATTEMPTS):
        dialogue = await deps.dialogues.dialogue(commune_id, dialogue_id)
        if dialogue is None or dialogue.status not in steps:
            return
        try:
            await move_plan(deps.plan_changes, dialogue, steps[dialogue.status], "system")
        except PlanConflict as conflict:
            if conflict.code != "plan_changed":
                raise
    raise RuntimeError(f"plan {dialogue_id} kept changing; the event is retried")
