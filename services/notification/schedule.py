"""What is due for a dialogue on a given day (pure): invitations on their date, updates after
the plan changed, cancellations, reminders before each deadline and notices of overdue ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from shared.contracts import PlanStatus
from shared.directory import Commune, Dialogue
from shared.plan_deadlines import body_address, plan_deadlines

INVITING = (PlanStatus.COLLECTING, PlanStatus.CLASSIFIED, PlanStatus.INVITED)
REMINDING = (*INVITING, PlanStatus.HELD)


@dataclass(frozen=True)
class Work:
    id: str  # the delivery id: never delivered twice
    kind: Literal[
        "invitation", "cancellation", "reminder", "overdue", "resident_invitation", "resident_cancellation"
    ]
    channel: Literal["email", "sms"]
    recipient_id: str
    address: str
    method: Literal["REQUEST", "CANCEL"] | None = None
    deadline_key: str | None = None
    due: date | None = None
    hamlet: str | None = None


@dataclass(frozen=True)
class Registrant:
    id: str
    phone: str
    hamlet: str
    hamlet_id: str


def _send_on(due: date, lead_days: int) -> date:
    return due - timedelta(days=lead_days)


def due_work(
    commune: Commune,
    dialogue: Dialogue,
    *,
    today: date,
    done: set[str],
    invited: set[str],
    residents_invited: set[str],
    registrants: Sequence[Registrant],
    reminder_offsets: Sequence[int],
    lead_days: int,
    overdue_window_days: int,
) -> list[Work]:
    deadlines = {d.key: d for d in plan_deadlines(commune, dialogue)}
    work: list[Work] = []
    base = f"{commune.id}:{dialogue.id}"  # delivery ids are unique across communes
    version = f"v{dialogue.version}"
    if dialogue.status == PlanStatus.CANCELLED:
        for delegate in dialogue.delegates:
            if delegate.id in invited and delegate.email:
                work.append(
                    Work(
                        f"{base}:cancellation:{delegate.id}",
                        "cancellation",
                        "email",
                        delegate.id,
                        delegate.email,
                        method="CANCEL",
                    )
                )
        for person in registrants:
            if person.id in residents_invited:
                work.append(
                    Work(
                        f"{base}:resident_cancellation:{person.id}",
                        "resident_cancellation",
                        "sms",
                        person.id,
                        person.phone,
                        hamlet=person.hamlet,
                    )
                )
        return work

    if dialogue.status in INVITING and today <= dialogue.meeting_date:
        send_on = _send_on(deadlines["delegate_invitations"].due, lead_days)
        resident_due = {
            key.split(":")[-1]: d.due
            for key, d in deadlines.items()
            if key.startswith("resident_invitations")
        }
        for delegate in dialogue.delegates:
            if delegate.email and (today >= send_on or delegate.id in invited):
                work.append(
                    Work(
                        f"{base}:invitation:{version}:{delegate.id}",
                        "invitation",
                        "email",
                        delegate.id,
                        delegate.email,
                        method="REQUEST",
                    )
                )
        for person in registrants:
            due = resident_due.get(person.hamlet_id) or min(
                resident_due.values()
            )  # each hamlet cell invites its own
            if today >= _send_on(due, lead_days) or person.id in residents_invited:
                work.append(
                    Work(
                        f"{base}:resident_invitation:{version}:{person.id}",
                        "resident_invitation",
                        "sms",
                        person.id,
                        person.phone,
                        hamlet=person.hamlet,
                    )
                )

    if dialogue.status in REMINDING:
        for deadline in deadlines.values():
            address = body_address(commune, deadline.responsible)
            if deadline.key in done or not address:
                continue
            if today > deadline.due:
                if (today - deadline.due).days > overdue_window_days:
                    continue  # long past: the plan shows it overdue; nobody is mailed years later
                work.append(
                    Work(
                        f"{base}:overdue:{deadline.key}:{deadline.due}",
                        "overdue",
                        "email",
                        deadline.responsible,
                        address,
                        deadline_key=deadline.key,
                        due=deadline.due,
                    )
                )
                continue
            applicable = [o for o in reminder_offsets if deadline.due - timedelta(days=o) <= today]
            if applicable:
                offset = min(applicable)  # after a pause, only the nearest reminder goes out
                work.append(
                    Work(
                        f"{base}:reminder:{deadline.key}:{deadline.due}:d-{offset}",
                        "reminder",
                        "email",
                        deadline.responsible,
                        address,
                        deadline_key=deadline.key,
                        due=deadline.due,
                    )
                )
    return work
