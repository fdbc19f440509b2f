"""What several use cases share: the commune an event is about, and an e-mail built under its
delivery's claim."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email.message import EmailMessage

from services.notification.handlers.ports import Directory
from services.notification.smtp import EmailSender
from shared.directory import Commune
from shared.errors import PermanentError


async def commune_of(directory: Directory, commune_id: str) -> Commune:
    commune = await directory.commune(commune_id)
    if commune is None:
        raise PermanentError(f"unknown commune {commune_id}")
    return commune


def built_then_sent(mail: EmailSender, build: Callable[[], EmailMessage]) -> Callable[[], Awaitable[None]]:
    """The e-mail is built under the delivery's claim: an address refused while building it
    (`headers.recipient`) fails that one delivery, not the event's other recipients."""

    async def send() -> None:
        await mail.send(build())

    return send
