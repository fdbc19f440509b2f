"""The SMTP sender's connections against a real SMTP server (aiosmtpd, as `make run` captures
mail): a bounded number at once, each e-mail arriving byte for byte as aiosmtplib would have
written it, a connection that failed replaced, and a send that cannot get a connection in time
failing as a transient error."""

from __future__ import annotations

import asyncio
import contextlib
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller
from aiosmtplib.email import flatten_message

from services.local.ports import free_port
from services.notification.headers import new_message, set_address, set_encoded, set_plain, set_text
from services.notification.smtp import SmtpSender
from shared.errors import TransientError
from tests.unit.test_notification_mail_format import office_email

pytestmark = pytest.mark.integration


def mail(n: int) -> EmailMessage:
    message = new_message()
    set_address(message, "From", "Văn phòng Đảng ủy <vp@doithoai.test>")
    set_plain(message, "To", f"office{n}@doithoai.test")
    set_encoded(message, "Subject", f"Thư số {n}")
    set_plain(message, "Message-ID", f"<thu.{n}@demo.doithoai>")
    set_text(message, f"Nội dung thư {n}.\n" + "Dòng dài " * 20)
    return message


class ConnectionCount:
    """Counts the connections aiosmtplib opens and the most open at once."""

    def __init__(self, monkeypatch) -> None:
        self.opened = self.open_now = self.most = 0
        connect, close = aiosmtplib.SMTP.connect, aiosmtplib.SMTP.close

        async def counting(client, *args, **kwargs):
            self.opened += 1
            self.open_now += 1
            self.most = max(self.most, self.open_now)
            return await connect(client, *args, **kwargs)

        def closing(client):
            if client.is_connected:
                self.open_now -= 1
            return close(client)

        monkeypatch.setattr(aiosmtplib.SMTP, "connect", counting)
        monkeypatch.setattr(aiosmtplib.SMTP, "close", closing)


async def test_a_burst_uses_at_most_the_connections_allowed_and_every_mail_arrives_as_written(
    mail_capture, monkeypatch
):
    connections = ConnectionCount(monkeypatch)
    sender = SmtpSender(mail_capture.url, timeout_s=5, connections=3)
    messages = [mail(n) for n in range(20)]
    await asyncio.gather(*(sender.send(m) for m in messages))
    await asyncio.gather(*(sender.send(m) for m in messages[:5]))  # the kept ones again
    await sender.close()
    assert (connections.opened, connections.most) == (3, 3)
    received = sorted(p.read_bytes() for p in mail_capture.folder.glob("*.eml"))
    assert received == sorted(
        [flatten_message(m) for m in messages] + [flatten_message(m) for m in messages[:5]]
    )


async def test_the_office_email_arrives_as_aiosmtplib_would_have_sent_it(mail_capture):
    message = office_email(
        "Cống thoát nước trước chợ bị nghẹt, nước tràn vào nhà dân mỗi khi mưa lớn. " * 5,
        notification_id="e1.email",
        sender="Văn phòng Đảng ủy <vp@doithoai.test>",
        item_url="",
        coordinating_office_ids=(),
    )
    sender = SmtpSender(mail_capture.url, timeout_s=5)
    await sender.send(message)
    await sender.close()
    [received] = mail_capture.messages()
    assert [p.read_bytes() for p in mail_capture.folder.glob("*.eml")] == [flatten_message(message)]
    assert received["Subject"] == str(message["Subject"])
    assert received.get_content() == message.get_content()


class RefuseFirst:
    """Answers the first message's DATA with 451 (try again later), accepts the others."""

    def __init__(self) -> None:
        self.refused = 0
        self.accepted: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if not self.refused:
            self.refused += 1
            return "451 Try again later"
        self.accepted.append(message_from_bytes(envelope.original_content, policy=policy.default))
        return "250 Message accepted for delivery"


async def test_a_connection_whose_send_failed_is_replaced_and_its_turn_given_back(monkeypatch):
    """One connection allowed: the e-mail refused for now is a transient error, its connection
    is not used again, and the next e-mail gets the turn and a new connection."""
    handler = RefuseFirst()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    connections = ConnectionCount(monkeypatch)
    sender = SmtpSender(f"smtp://127.0.0.1:{controller.port}", timeout_s=5, connections=1)
    try:
        with pytest.raises(TransientError, match="451"):
            await sender.send(mail(1))
        await sender.send(mail(2))
        await sender.send(mail(3))
    finally:
        await sender.close()
        controller.stop()
    assert [m["Subject"] for m in handler.accepted] == ["Thư số 2", "Thư số 3"]
    assert connections.opened == 2


async def test_a_send_waits_for_a_free_connection_no_longer_than_the_timeout():
    """A server that answers slowly and then not at all (aiosmtpd cannot be made to stall, so
    a bare TCP server plays it): with one connection allowed, the second e-mail fails as a
    transient error after the timeout while the first still holds the connection."""
    accepted = []

    async def stalling(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(time.monotonic())
        await asyncio.sleep(0.6)
        writer.write(b"220 slow.test ESMTP\r\n")
        await writer.drain()
        await reader.readline()  # EHLO
        await asyncio.sleep(0.6)
        writer.write(b"250 slow.test\r\n")
        await writer.drain()
        with contextlib.suppress(ConnectionError):
            await reader.read()  # MAIL FROM is never answered

    server = await asyncio.start_server(stalling, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sender = SmtpSender(f"smtp://127.0.0.1:{port}", timeout_s=1.0, connections=1)
    try:
        first = asyncio.create_task(sender.send(mail(1)))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(TransientError, match="busy"):
            await sender.send(mail(2))
        assert 0.9 < time.monotonic() - started < 1.5
        assert len(accepted) == 1 and not first.done()
        with pytest.raises(TransientError):
            await first
    finally:
        await sender.close()
        server.close()
        await server.wait_closed()
