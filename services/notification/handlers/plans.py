"""A changed plan is scanned at once, so invitation updates and cancellations do not wait for
the scheduler's timer."""

from __future__ import annotations

from services.notification.handlers.ports import Deps
from shared.contracts import DialoguePlanChangedV1, Envelope


async def on_plan_changed(deps: Deps, envelope: Envelope, changed: DialoguePlanChangedV1) -> None:
    await deps.plans.scan_dialogue(envelope.commune_id, changed.dialogue_id)
