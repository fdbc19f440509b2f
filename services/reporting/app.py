"""Reporting: the dialogue read model, the documents issued from it, and the follow-up of
every conclusion until it is closed."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter

from services.reporting.access import ACCESS
from services.reporting.api import build_router
from services.reporting.consumers import MEETING, READ_MODEL
from services.reporting.documents_repository import DocumentRepository
from services.reporting.followup_api import build_followup_router
from services.reporting.followup_repository import FollowUpRepository
from services.reporting.handlers import DocumentDeps, FollowUpDeps, ReadModelDeps
from services.reporting.handlers.ports import AttendanceDeps, MeetingDeps
from services.reporting.intake_api import IntakeSubmissions
from services.reporting.issuing import build_issuing_router
from services.reporting.meeting_api import build_meeting_router
from services.reporting.meeting_repository import MeetingRepository
from services.reporting.metrics import ReportingMetrics
from services.reporting.numbering import DocumentNumbers
from services.reporting.open_data import build_open_data_router
from services.reporting.published import ReadLimits
from services.reporting.rendering import DocumentRenderer
from services.reporting.repository import ItemRepository
from services.reporting.scanner import FollowUpScanner
from services.reporting.settings import ReportingSettings
from shared.outbox import Outbox
from shared.runtime import Runtime, ServiceParts, service_base
from shared.templates import make_environment

NAME = "reporting"
TEMPLATES = Path(__file__).parent / "templates"


def build_service(rt: Runtime[ReportingSettings]) -> ServiceParts:
    metrics, publisher = service_base(rt, NAME)
    items, documents, tasks = ItemRepository(rt.db), DocumentRepository(rt.db), FollowUpRepository(rt.db)
    meetings = MeetingRepository(rt.db)
    outbox = Outbox(publisher, [documents.documents, tasks.tasks, tasks.reminders, meetings.meetings])
    reporting_metrics = ReportingMetrics(rt.registry)
    templates = make_environment([TEMPLATES])
    renderer = DocumentRenderer(rt.settings.templates_dir)
    numbers = DocumentNumbers(rt.db)
    submissions = IntakeSubmissions.for_caller(NAME, rt.settings, rt.tokens, rt.local_app)
    document_deps = DocumentDeps(
        rt.directory,
        items,
        documents,
        tasks,
        numbers,
        outbox,
        renderer,
        reporting_metrics,
        templates,
        meetings=meetings,
        intake=submissions,
    )
    meeting_deps = MeetingDeps(rt.directory, items, meetings, submissions, outbox, tasks=tasks)
    remind_days = rt.settings.followup_remind_days
    followup_deps = FollowUpDeps(
        rt.directory, items, tasks, outbox, reporting_metrics, remind_days, meetings=meetings
    )
    scanner = FollowUpScanner(followup_deps, interval_s=rt.settings.scheduler_interval_s)

    router = APIRouter()
    router.include_router(build_router(document_deps))
    router.include_router(build_issuing_router(document_deps))
    router.include_router(build_followup_router(followup_deps))
    public_reads = ReadLimits()  # this process's public reads: the store is every commune's
    router.include_router(build_meeting_router(meeting_deps, public_reads))
    router.include_router(build_open_data_router(followup_deps, templates, public_reads))

    async def ensure_indexes() -> None:
        for repository in (items, documents, tasks, meetings):
            await repository.ensure_indexes()

    return ServiceParts(
        NAME,
        metrics,
        publisher,
        router=router,
        consumers=[
            READ_MODEL.bind(ReadModelDeps(items, reporting_metrics)),
            MEETING.bind(AttendanceDeps(meetings)),
        ],
        outbox=outbox,
        ensure_indexes=ensure_indexes,
        extra_tasks=[scanner.run_forever],
        components={"scanner": scanner},
        access=ACCESS,
        on_shutdown=[submissions.aclose],
    )
