"""Reporting: the dialogue read model, the documents issued from it, and the follow-up of
every conclusion until it is closed."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from services.reporting.access import ACCESS
from services.reporting.api import build_router
from services.reporting.documents_repository import DocumentRepository
from services.reporting.followup_api import FollowUpScanner, build_followup_router
from services.reporting.followup_repository import FollowUpRepository
from services.reporting.issuing import Issuer, build_issuing_router
from services.reporting.metrics import ReportingMetrics
from services.reporting.numbering import DocumentNumbers
from services.reporting.open_data import build_open_data_router
from services.reporting.rendering import DocumentRenderer
from services.reporting.repository import ItemRepository
from services.reporting.settings import ReportingSettings
from services.reporting.subscribers import read_model_consumer
from shared.outbox import Outbox
from shared.runtime import Runtime, ServiceParts, service_base
from shared.templates import make_environment

NAME = "reporting"
TEMPLATES = Path(__file__).parent / "templates"


def build_service(rt: Runtime[ReportingSettings]) -> ServiceParts:
    metrics, publisher = service_base(rt, NAME)
    items = ItemRepository(rt.db)
    documents = DocumentRepository(rt.db)
    tasks = FollowUpRepository(rt.db)
    outbox = Outbox(publisher, [documents.documents, tasks.tasks, tasks.reminders])
    reporting_metrics = ReportingMetrics(rt.registry)
    templates = make_environment([TEMPLATES])
    renderer = DocumentRenderer(rt.settings.templates_dir)
    issuer = Issuer(
        items=items,
        documents=documents,
        tasks=tasks,
        numbers=DocumentNumbers(rt.db),
        directory=rt.directory,
        outbox=outbox,
        renderer=renderer,
    )
    scanner = FollowUpScanner(
        tasks,
        rt.directory,
        outbox,
        reporting_metrics,
        interval_s=rt.settings.scheduler_interval_s,
        remind_days_before=rt.settings.followup_remind_days,
    )

    router = APIRouter()
    router.include_router(build_router(items, rt.directory, templates, renderer, reporting_metrics))
    router.include_router(build_issuing_router(issuer))
    router.include_router(build_followup_router(tasks, rt.directory, outbox))
    router.include_router(build_open_data_router(items, tasks, rt.directory, templates))

    async def ensure_indexes() -> None:
        for repository in (items, documents, tasks):
            await repository.ensure_indexes()

    return ServiceParts(
        NAME,
        metrics,
        publisher,
        router=router,
        consumers=[read_model_consumer(items, reporting_metrics)],
        outbox=outbox,
        ensure_indexes=ensure_indexes,
        extra_tasks=[scanner.run_forever],
        components={"issuer": issuer, "scanner": scanner},
        access=ACCESS,
    )
