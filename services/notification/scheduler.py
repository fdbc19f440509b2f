"""The notification scheduler: scans active dialogues, works out what is due today in each
commune's time zone (`schedule.due_work`) and delivers each item at most once.

It runs in every notification replica, on a timer and whenever a plan changes. Replicas do not
coordinate beyond the delivery log: each item is opened under its delivery id and sent only by
the replica holding its claim, so two replicas never send the same thing."""

from __future__ import annotations

import logging
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from jinja2 import Environment

from services.notification.deliveries import Deliverer
from services.notification.handlers.ports import RegistrantPhones
from services.notification.headers import new_message, recipient, set_address, set_encoded, stable_message_id
from services.notification.ics import invitation_email, invitation_ics, invitation_sequence
from services.notification.schedule import Work, due_work
from services.notification.settings import NotificationSettings
from services.notification.sms import SmsSender, resident_cancellation_text, resident_invitation_text
from services.notification.smtp import EmailSender
from shared.clock import utcnow
from shared.directory import Commune, Dialogue, DirectoryReader
from shared.errors import PermanentError, TransientError
from shared.periodic import repeat
from shared.plan_deadlines import body_name, plan_deadlines

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(
        self,
        *,
        directory: DirectoryReader,
        registrants: RegistrantPhones,
        deliverer: Deliverer,
        mail: EmailSender,
        sms: SmsSender | None,
        env: Environment,
        settings: NotificationSettings,
    ) -> None:
        self._directory, self._registrants = directory, registrants
        self._deliverer, self._mail, self._sms, self._env = deliverer, mail, sms, env
        self._log = deliverer.log
        self._settings = settings

    async def run_forever(self) -> None:
        await repeat(self.scan, self._settings.scheduler_interval_s, "scheduler")

    async def scan(self, now: datetime | None = None) -> int:
        delivered = 0
        for dialogue in await self._directory.active_dialogues():
            try:
                delivered += await self._scan(dialogue, now)
            except Exception:  # one broken plan must not stop every commune's reminders
                log.exception(
                    "scheduler pass failed for a dialogue",
                    extra={"commune_id": dialogue.commune_id, "dialogue_id": dialogue.id},
                )
        return delivered

    async def scan_dialogue(self, commune_id: str, dialogue_id: str, now: datetime | None = None) -> int:
        dialogue = await self._directory.dialogue(commune_id, dialogue_id)
        return await self._scan(dialogue, now) if dialogue else 0

    async def _scan(self, dialogue: Dialogue, now: datetime | None) -> int:
        commune = await self._directory.commune(dialogue.commune_id)
        if commune is None:
            return 0
        today = (now or utcnow()).astimezone(ZoneInfo(dialogue.timezone)).date()
        marks = await self._directory.deadline_marks(commune.id, dialogue.id)
        # Residents are texted only where an SMS gateway is configured: only then are their
        # phones asked of intake. Intake unavailable delays the residents' texts to a later pass,
        # never the delegates' invitations and the reminders.
        registrants = []
        if self._sms:
            try:
                registrants = await self._registrants.registrants(commune.id, dialogue.id)
            except TransientError as exc:
                log.warning(
                    "registrants not read, residents are texted on a later pass: %s",
                    exc,
                    extra={"commune_id": commune.id, "dialogue_id": dialogue.id},
                )
        work = due_work(
            commune,
            dialogue,
            today=today,
            done=set(marks),
            invited=await self._log.sent_recipients(commune.id, dialogue.id, "invitation"),
            residents_invited=await self._log.sent_recipients(commune.id, dialogue.id, "resident_invitation"),
            registrants=registrants,
            reminder_offsets=self._settings.reminder_offsets,
            lead_days=self._settings.invitation_lead_days,
            overdue_window_days=self._settings.overdue_window_days,
        )
        overdue = sum(1 for d in plan_deadlines(commune, dialogue) if d.key not in marks and today > d.due)
        self._deliverer.metrics.overdue_deadlines.labels(commune.id).set(overdue)
        results = [await self._deliver(commune, dialogue, item) for item in work]
        return sum(results)

    async def _deliver(self, commune: Commune, dialogue: Dialogue, work: Work) -> bool:
        record = {
            "_id": work.id,
            "commune_id": commune.id,
            "dialogue_id": dialogue.id,
            "kind": work.kind,
            "channel": work.channel,
            "recipient_id": work.recipient_id,
            "address": work.address,
            "version": dialogue.version,
        }
        return await self._deliverer.once(record, lambda: self._send(commune, dialogue, work))

    async def _send(self, commune: Commune, dialogue: Dialogue, work: Work) -> None:
        if work.channel == "sms":
            if self._sms is None:
                raise PermanentError("no SMS gateway configured")
            text = (
                resident_cancellation_text(commune, dialogue)
                if work.kind == "resident_cancellation"
                else resident_invitation_text(commune, dialogue, work.hamlet or "")
            )
            return await self._sms.send(work.address, text, idempotency_key=work.id)
        if work.kind in ("invitation", "cancellation"):
            if work.method is None:
                raise PermanentError(f"delivery {work.id} has no iCalendar method")
            delegate = next(d for d in dialogue.delegates if d.id == work.recipient_id)
            sequence = invitation_sequence(dialogue)
            organizer = parseaddr(self._settings.smtp_from)[1] or "doithoai@localhost"
            ics = invitation_ics(
                commune,
                dialogue,
                attendee_name=delegate.name,
                attendee_email=work.address,
                organizer_email=organizer,
                sequence=sequence,
                method=work.method,
            )
            message = invitation_email(
                self._env,
                commune,
                dialogue,
                delegate,
                sender=self._settings.smtp_from,
                sequence=sequence,
                method=work.method,
                ics=ics,
            )
        else:
            message = self._reminder(commune, dialogue, work)
        await self._mail.send(message)

    def _reminder(self, commune: Commune, dialogue: Dialogue, work: Work) -> EmailMessage:
        deadline = next(d for d in plan_deadlines(commune, dialogue) if d.key == work.deadline_key)
        context = {
            "work": work,
            "deadline": deadline,
            "commune": commune,
            "dialogue": dialogue,
            "body_name": body_name(commune, work.recipient_id),
        }
        message = new_message()
        set_address(message, "From", self._settings.smtp_from)
        message["To"] = recipient(work.address)
        set_encoded(
            message,
            "Subject",
            self._env.get_template("deadline_reminder.subject.txt").render(context).strip(),
        )
        message["Message-ID"] = stable_message_id(work.id, domain=commune.id)
        message["X-Doithoai-Delivery"] = work.id
        message.set_content(self._env.get_template("deadline_reminder.txt").render(context))
        return message
