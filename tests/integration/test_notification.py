"""Notification on the real broker and store: one e-mail per routed event, even when copies of
the event are delivered at the same time."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib
import pytest
from prometheus_client import CollectorRegistry

from services.intake.demo import demo_dialogue, seed_demo
from services.notification.app import build_service as notification
from services.notification.repository import OUTCOMES
from services.notification.smtp import SmtpSender
from shared.contracts import Envelope, Kind, SubmissionRoutedV1
from shared.messaging import BusPublisher
from shared.observability import ConsumerMetrics
from shared.runtime import build_app
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration


def routed_envelope() -> Envelope:
    payload = SubmissionRoutedV1(
        submission_id="s1", dialogue_id="demo-2017", tracking_code="DT-AAAA", kind=Kind.PETITION, text="Đèn đường hư",
        hamlet="ấp Chợ", topic=5, topic_name=demo_dialogue().topic_name(5), office_id="cong-an-xa", office_name="Công an xã", confidence=0.8,
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
        bus = BusPublisher(publisher, app.state.runtime.topology, ConsumerMetrics("test", CollectorRegistry()))
        for _ in range(3):
            await bus.publish(envelope)
        outcome = await eventually(lambda: db[OUTCOMES].find_one({"_id": f"{envelope.event_id}.email"}))
        registry = app.state.runtime.registry
        await eventually(lambda: sum(registry.get_sample_value("doithoai_notification_events_consumed_total", {"event_type": "submission.routed.v1", "outcome": o}) or 0 for o in ("processed", "duplicate")) == 3)
    assert outcome["status"] == "sent"
    assert len(mail_capture.messages()) == 1


async def test_the_smtp_client_names_itself_without_a_lookup_per_email(mail_capture, monkeypatch):
    """aiosmtplib, left to itself, runs socket.getfqdn() in a worker thread for every connection;
    the sender looks its name up once and passes it (the capture server's own look-ups, in this
    process, are why the count is taken inside aiosmtplib and not of socket.getfqdn)."""
    per_connection = []

    async def default_local_hostname(self) -> str:
        per_connection.append(1)
        return "doithoai.test"

    monkeypatch.setattr(aiosmtplib.SMTP, "_get_default_local_hostname", default_local_hostname)
    sender = SmtpSender(mail_capture.url, timeout_s=5)
    for n in range(3):
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@doithoai.test", "b@doithoai.test", f"Thư {n}"
        message.set_content("Nội dung")
        await sender.send(message)
    assert len(mail_capture.messages()) == 3
    assert per_connection == []
