"""The scheduler's pass goes on when intake, which owns the registrants' phones, does not answer:
the delegates' invitations go out, the residents' texts wait for a later pass.

Fakes, because this is the scheduler's own decision and needs no broker or store: the directory,
the delivery log and the senders are in-memory stand-ins; intake's API is a stand-in that fails
as `shared.service_api.ServiceApi` fails when intake is down (`TransientError`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry

from services.demo.seed import demo_commune, demo_dialogue
from services.notification.deliveries import DeliveryMetrics
from services.notification.messages import environment
from services.notification.scheduler import Scheduler
from services.notification.settings import NotificationSettings
from shared.errors import TransientError


class Directory:
    def __init__(self) -> None:
        self.commune_, self.dialogue_ = demo_commune(), demo_dialogue()

    async def active_dialogues(self) -> list[Any]:
        return [self.dialogue_]

    async def commune(self, commune_id: str) -> Any:
        return self.commune_

    async def dialogue(self, commune_id: str, dialogue_id: str) -> Any:
        return self.dialogue_

    async def deadline_marks(self, commune_id: str, dialogue_id: str) -> dict[str, dict]:
        return {}


class Log:
    async def sent_recipients(self, commune_id: str, dialogue_id: str, kind: str) -> set[str]:
        return set()


class Deliverer:
    """Sends every item at once, as the real one does for an item nobody else holds."""

    def __init__(self) -> None:
        self.log = Log()
        self.metrics = DeliveryMetrics(CollectorRegistry())
        self.kinds: list[str] = []

    async def once(self, record: dict, send: Any, *, raise_transient: bool = False) -> bool:
        await send()
        self.kinds.append(record["kind"])
        return True


class IntakeDown:
    async def registrants(self, commune_id: str, dialogue_id: str) -> list[Any]:
        raise TransientError("intake API unavailable: ConnectError")


class Mail:
    def __init__(self) -> None:
        self.sent: list[Any] = []

    async def send(self, message: Any) -> None:
        self.sent.append(message)


class Sms:
    def __init__(self) -> None:
        self.sent: list[str] = []

    async def send(self, to: str, text: str, *, idempotency_key: str) -> None:
        self.sent.append(to)


async def test_delegates_are_invited_while_intake_is_down_and_residents_wait():
    deliverer, mail, sms = Deliverer(), Mail(), Sms()
    scheduler = Scheduler(
        directory=Directory(),  # type: ignore[arg-type]
        registrants=IntakeDown(),
        deliverer=deliverer,  # type: ignore[arg-type]
        mail=mail,
        sms=sms,
        env=environment(),
        settings=NotificationSettings(),
    )
    # Five days before the 2017 demo meeting: the delegates' invitations are due.
    delivered = await scheduler.scan(now=datetime(2017, 3, 20, 3, 0, tzinfo=UTC))

    assert delivered == len(deliverer.kinds) > 0
    assert "invitation" in deliverer.kinds
    assert len(mail.sent) == deliverer.kinds.count("invitation") + deliverer.kinds.count("reminder") + (
        deliverer.kinds.count("overdue")
    )
    assert sms.sent == []  # residents' phones were not read: their texts go on a later pass
