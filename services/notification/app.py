"""Notification: tells offices what to prepare, residents what became of their issue, recipients
what was issued, delegates and residents when the dialogue meets; records every delivery."""

from __future__ import annotations

from services.notification.consumers import SUBSCRIPTIONS
from services.notification.deliveries import Deliverer, DeliveryLog, DeliveryMetrics
from services.notification.handlers import Deps
from services.notification.messages import environment
from services.notification.metrics import NotificationMetrics
from services.notification.owners import owner_apis
from services.notification.repository import NotificationRepository
from services.notification.scheduler import Scheduler
from services.notification.settings import NotificationSettings
from services.notification.sms import WebhookSmsSender
from services.notification.smtp import SmtpSender
from shared.outbox import Outbox
from shared.runtime import Runtime, ServiceParts, service_base

NAME = "notification"


def build_service(rt: Runtime[NotificationSettings]) -> ServiceParts:
    settings = rt.settings
    metrics, publisher = service_base(rt, NAME)
    repo, deliveries = NotificationRepository(rt.db), DeliveryLog(rt.db)
    outbox = Outbox(publisher, [repo.outcomes])
    mail = SmtpSender(settings.smtp_url, settings.smtp_timeout_s, connections=settings.smtp_connections)
    sms = (
        WebhookSmsSender(settings.sms_webhook_url, settings.smtp_timeout_s, settings.sms_webhook_token)
        if settings.sms_webhook_url
        else None
    )
    env = environment()
    intake, reporting = owner_apis(NAME, settings, rt.tokens, rt.local_app)
    lease_s = settings.smtp_timeout_s + 5  # longer than one SMTP attempt can take
    deliverer = Deliverer(
        deliveries, DeliveryMetrics(rt.registry), lease_s=lease_s, max_attempts=settings.max_retries + 1
    )
    scheduler = Scheduler(
        directory=rt.directory,
        registrants=intake,
        deliverer=deliverer,
        mail=mail,
        sms=sms,
        env=env,
        settings=settings,
    )
    deps = Deps(
        directory=rt.directory.cached(settings.directory_cache_s),
        notifications=repo,
        outbox=outbox,
        deliverer=deliverer,
        plans=scheduler,
        submitters=intake,
        documents=reporting,
        mail=mail,
        sms=sms,
        env=env,
        metrics=NotificationMetrics(rt.registry),
        sender=settings.smtp_from,
        claim_lease_s=lease_s,
        public_url=settings.public_url,
    )

    async def ensure_indexes() -> None:
        await repo.ensure_indexes()
        await deliveries.ensure_indexes()

    return ServiceParts(
        NAME,
        metrics,
        publisher,
        consumers=[subscription.bind(deps) for subscription in SUBSCRIPTIONS],
        outbox=outbox,
        ensure_indexes=ensure_indexes,
        extra_tasks=[scheduler.run_forever],
        components={"scheduler": scheduler, "deliveries": deliveries},
        on_shutdown=[mail.close, intake.aclose, reporting.aclose],
    )
