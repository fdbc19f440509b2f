"""Notification on the real broker and store: one e-mail per routed event, even when copies of
the event are delivered at the same time."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import pytest
from aiosmtplib.email import extract_sender
from prometheus_client import CollectorRegistry

from services.demo.seed import demo_dialogue, seed_demo
from services.deployment import build_app
from services.local.mail_capture import MailCapture
from services.notification.app import build_service as notification
from services.notification.headers import new_message, set_address
from services.notification.repository import OUTCOMES
from services.notification.smtp import SmtpSender
from shared.contracts import Envelope, Kind, SubmissionRoutedV1
from shared.messaging import BusPublisher
from shared.observability import ConsumerMetrics
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration


def routed_envelope() -> Envelope:
    payload = SubmissionRoutedV1(
        submission_id="s1",
        dialogue_id="demo-2017",
        tracking_code="DT-AAAA",
        kind=Kind.PETITION,
        text="Đèn đường hư",
        hamlet="ấp Chợ",
        topic=5,
        topic_name=demo_dialogue().topic_name(5),
        office_id="cong-an-xa",
        office_name="Công an xã",
        confidence=0.8,
    )
    return Envelope.wrap(payload, commune_id="demo", correlation_id="c")


async def test_concurrent_copies_of_one_event_send_one_email(make_settings, mail_capture):
    settings = make_settings(SMTP_URL=mail_capture.url, DOITHOAI_MAX_RETRIES=5)
    app = build_app(settings, [notification], title="t")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        publisher = app.state.runtime.broker
        envelope = routed_envelope()
        bus = BusPublisher(
            publisher, app.state.runtime.topology, ConsumerMetrics("test", CollectorRegistry())
        )
        for _ in range(3):
            await bus.publish(envelope)
        outcome = await eventually(lambda: db[OUTCOMES].find_one({"_id": f"{envelope.event_id}.email"}))
        registry = app.state.runtime.registry
        await eventually(
            lambda: (
                sum(
                    registry.get_sample_value(
                        "doithoai_notification_events_consumed_total",
                        {"event_type": "submission.routed.v1", "outcome": o},
                    )
                    or 0
                    for o in ("processed", "duplicate")
                )
                == 3
            )
        )
    assert outcome["status"] == "sent"
    assert len(mail_capture.messages()) == 1


def mail(n: int) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@doithoai.test", "b@doithoai.test", f"Thư {n}"
    message.set_content("Nội dung")
    return message


class ConnectionCount:
    """Counts the connections aiosmtplib opens (the capture server is the real one)."""

    def __init__(self, monkeypatch) -> None:
        self.opened = 0
        connect = aiosmtplib.SMTP.connect

        async def counting(client, *args, **kwargs):
            self.opened += 1
            return await connect(client, *args, **kwargs)

        monkeypatch.setattr(aiosmtplib.SMTP, "connect", counting)


async def test_the_smtp_client_keeps_its_connection_and_names_itself_once(mail_capture, monkeypatch):
    """aiosmtplib's own `send` opens a connection per e-mail and runs socket.getfqdn() in a worker
    thread for each; the sender keeps the connection and looks its name up once (counted inside
    aiosmtplib: the capture server, in this process, looks up its own name too)."""
    per_connection = []

    async def default_local_hostname(self) -> str:
        per_connection.append(1)
        return "doithoai.test"

    monkeypatch.setattr(aiosmtplib.SMTP, "_get_default_local_hostname", default_local_hostname)
    connections = ConnectionCount(monkeypatch)
    sender = SmtpSender(mail_capture.url, timeout_s=5)
    for n in range(3):
        await sender.send(mail(n))
    await sender.close()
    assert len(mail_capture.messages()) == 3
    assert (connections.opened, per_connection) == (1, [])


async def test_a_connection_the_server_dropped_is_replaced_and_the_mail_sent_once(tmp_path, monkeypatch):
    capture = MailCapture(tmp_path / "mail").start()
    connections = ConnectionCount(monkeypatch)
    sender = SmtpSender(capture.url, timeout_s=5)
    try:
        await sender.send(mail(1))
        capture.stop()  # drops the kept connection
        capture = MailCapture(tmp_path / "mail", port=capture.port).start()
        await sender.send(mail(2))
        assert [m["Subject"] for m in capture.messages()] == ["Thư 1", "Thư 2"]
        assert connections.opened == 2
    finally:
        await sender.close()
        capture.stop()


async def test_a_connection_idle_too_long_is_not_used_again(mail_capture, monkeypatch):
    connections = ConnectionCount(monkeypatch)
    sender = SmtpSender(mail_capture.url, timeout_s=5, idle_s=0)
    for n in range(3):
        await sender.send(mail(n))
    await sender.close()
    assert len(mail_capture.messages()) == 3
    assert connections.opened == 3


async def test_the_envelope_sender_is_the_one_aiosmtplib_reads_from_the_headers(mail_capture, monkeypatch):
    """The sender parses each distinct From (or Sender, or Resent-) once and reuses it: the
    MAIL FROM of every e-mail is still what aiosmtplib's own `extract_sender` gives."""
    used: list[str] = []
    sendmail = aiosmtplib.SMTP.sendmail

    async def recording(self, sender, recipients, message, **kwargs):
        used.append(sender)
        return await sendmail(self, sender, recipients, message, **kwargs)

    monkeypatch.setattr(aiosmtplib.SMTP, "sendmail", recording)
    messages = []
    for n, sender_value in enumerate(
        ["Văn phòng Đảng ủy <vp@doithoai.test>", "Văn phòng Đảng ủy <vp@doithoai.test>", "b@doithoai.test"]
    ):
        message = new_message()
        set_address(message, "From", sender_value)
        message["To"], message["Subject"] = "c@doithoai.test", f"Thư {n}"
        message.set_content("Nội dung")
        messages.append(message)
    with_sender = mail(3)
    with_sender["Sender"] = "d@doithoai.test"
    resent = mail(4)
    resent["Resent-Date"], resent["Resent-From"] = "Sun, 06 Dec 2026 07:00:00 +0000", "e@doithoai.test"
    resent["Resent-To"] = "b@doithoai.test"
    messages += [with_sender, resent, mail(5)]
    sender = SmtpSender(mail_capture.url, timeout_s=5)
    for message in messages:
        await sender.send(message)
    await sender.close()
    assert used == [extract_sender(m) for m in messages]
    assert used == [
        "vp@doithoai.test",
        "vp@doithoai.test",
        "b@doithoai.test",
        "d@doithoai.test",
        "e@doithoai.test",
        "a@doithoai.test",
    ]
    assert len(mail_capture.messages()) == 6
