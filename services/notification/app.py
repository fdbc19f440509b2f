"""Notification: tells offices what to prepare, records every notification's status."""

from __future__ import annotations

from fastapi import FastAPI

from services.notification.messages import environment
from services.notification.metrics import NotificationMetrics
from services.notification.repository import NotificationRepository
from services.notification.smtp import SmtpSender
from services.notification.subscribers import assignments_consumer
from shared.outbox import Outbox
from shared.runtime import Runtime, ServiceParts, build_app as build_runtime_app, service_base
from shared.settings import Settings

NAME = "notification"


def build_service(rt: Runtime) -> ServiceParts:
    metrics, publisher = service_base(rt, NAME)
    repo = NotificationRepository(rt.db)
    outbox = Outbox(publisher, [repo.outcomes])
    sender = SmtpSender(rt.settings.smtp_url, rt.settings.smtp_timeout_s)
    consumer = assignments_consumer(
        repo, rt.directory, outbox, sender, environment(), NotificationMetrics(rt.registry), rt.settings.smtp_from,
        claim_lease_s=rt.settings.smtp_timeout_s + 5,  # longer than one SMTP attempt can take
    )
    return ServiceParts(NAME, metrics, publisher, consumers=[consumer], outbox=outbox, ensure_indexes=repo.ensure_indexes)


def build_app(settings: Settings) -> FastAPI:
    return build_runtime_app(settings, [build_service], title="doithoai notification")
