"""Notification: tells offices what to prepare, records every notification's status."""

from __future__ import annotations

from services.notification.deliveries import Deliverer, DeliveryLog, DeliveryMetrics
from services.notification.followup import documents_consumer, followup_consumer
from services.notification.messages import environment
from services.notification.metrics import NotificationMetrics
from services.notification.repository import NotificationRepository
from services.notification.scheduler import Scheduler
from services.notification.settings import NotificationSettings
from services.notification.sms import WebhookSmsSender
from services.notification.smtp import SmtpSender
from services.notification.subscribers import assignments_consumer, plans_consumer
from shared.outbox import Outbox
from shared.runtime import Runtime, ServiceParts, service_base

NAME = "notification"


def build_service(rt: Runtime[NotificationSettings]) -> ServiceParts:
    metrics, publisher = service_base(rt, NAME)
    repo = NotificationRepository(rt.db)
    outbox = Outbox(publisher, [repo.outcomes])
    sender = SmtpSender(rt.settings.smtp_url, rt.settings.smtp_timeout_s)
    env = environment()
    consumer = assignments_consumer(
        repo,
        rt.directory.cached(rt.settings.directory_cache_s),
        outbox,
        sender,
        env,
        NotificationMetrics(rt.registry),
        rt.settings.smtp_from,
        claim_lease_s=rt.settings.smtp_timeout_s + 5,  # longer than one SMTP attempt can take
    )
    deliveries = DeliveryLog(rt.db)
    sms = (
        WebhookSmsSender(
            rt.settings.sms_webhook_url, rt.settings.smtp_timeout_s, rt.settings.sms_webhook_token
        )
        if rt.settings.sms_webhook_url
        else None
    )
    deliverer = Deliverer(
        deliveries,
        DeliveryMetrics(rt.registry),
        lease_s=rt.settings.smtp_timeout_s + 5,
        max_attempts=rt.settings.max_retries + 1,
    )
    scheduler = Scheduler(
        directory=rt.directory, deliverer=deliverer, mail=sender, sms=sms, env=env, settings=rt.settings
    )

    async def ensure_indexes() -> None:
        await repo.ensure_indexes()
        await deliveries.ensure_indexes()

    return ServiceParts(
        NAME,
        metrics,
        publisher,
        consumers=[
            consumer,
            plans_consumer(scheduler),
            followup_consumer(rt.directory, deliverer, sender, sms, env, rt.settings.smtp_from),
            documents_consumer(rt.directory, deliverer, sender, env, rt.settings.smtp_from),
        ],
        outbox=outbox,
        ensure_indexes=ensure_indexes,
        extra_tasks=[scheduler.run_forever],
        components={"scheduler": scheduler, "deliveries": deliveries},
        on_shutdown=[sender.close],
    )
