"""Intake: receives submissions over HTTP, stores them, publishes `submission.received.v1`."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter

from services.intake.access import ACCESS, MEETING_RECORDERS
from services.intake.api import build_router
from services.intake.api_keys import ApiKeyStore
from services.intake.api_keys_api import build_api_keys_router
from services.intake.attendance_api import build_attendance_router
from services.intake.communes_api import build_communes_router
from services.intake.consumers import SUBSCRIPTIONS
from services.intake.handlers import AttendanceDeps, PlanDeps, RegistrationDeps, StatusDeps, SubmitDeps
from services.intake.import_jobs import ImportJobs
from services.intake.internal_api import build_internal_router
from services.intake.metrics import IntakeMetrics
from services.intake.open311 import build_open311_router
from services.intake.plan_repository import PlanRepository
from services.intake.plans_api import build_plans_router
from services.intake.registrations import RegistrationRepository
from services.intake.registrations_api import build_registrations_router
from services.intake.reporting_api import ReportingOpenData
from services.intake.repository import SubmissionRepository, ensure_indexes
from services.intake.settings import IntakeSettings
from services.intake.unrouted import UnroutedSubmissions
from services.intake.web.pages import build_web_router
from services.intake.web.staff.pages import build_staff_router
from shared.backpressure import Admission, QueueWatch, watching
from shared.contracts import SubmissionReceivedV1
from shared.outbox import Outbox
from shared.periodic import repeat
from shared.runtime import Runtime, ServiceParts, service_base

NAME = "intake"


def build_service(rt: Runtime[IntakeSettings]) -> ServiceParts:
    metrics, publisher = service_base(rt, NAME)
    intake_metrics = IntakeMetrics(rt.registry)
    repo = SubmissionRepository(rt.db)
    plans = PlanRepository(rt.db)
    registrations = RegistrationRepository(rt.db)
    api_keys = ApiKeyStore(rt.db)
    outbox = Outbox(publisher, [repo.submissions, plans.dialogues, registrations.attendance])
    admission, watch = load_shedding(rt)
    submissions = SubmitDeps(
        repo,
        partial(outbox.publish_written, repo.submissions),
        intake_metrics,
        meeting_recorders=MEETING_RECORDERS,
        admission=admission,
        dialogues=rt.directory.dialogue,
    )
    plan_deps = PlanDeps(plans, rt.directory, partial(outbox.flush_document, plans.dialogues))
    attendees = RegistrationDeps(registrations)
    attendance = AttendanceDeps(registrations, partial(outbox.flush_document, registrations.attendance))
    status = StatusDeps(repo, plans, intake_metrics, plan_changes=plan_deps, dialogues=rt.directory)
    imports = ImportJobs(rt.db, rt.directory, submissions, batch_size=rt.settings.import_batch_size)
    unrouted = UnroutedSubmissions(rt.db)  # reporting lists what routing has not decided yet
    open_data = ReportingOpenData.for_intake(rt)  # the residents' conclusions page and Open311 read it
    router = merged(
        build_router(repo, rt.directory, submissions),
        build_plans_router(rt.directory, plan_deps),
        build_registrations_router(registrations, rt.directory, attendees),
        build_attendance_router(rt.directory, attendance),
        build_internal_router(repo, registrations, unrouted),
        build_communes_router(rt.directory, plan_deps),
        build_api_keys_router(api_keys, rt.directory, rt.tokens),
        build_open311_router(repo, rt.directory, submissions, open_data),
        build_web_router(rt, repo, registrations, submissions, attendees, open_data),
        build_staff_router(rt, repo, imports, submissions, attendance, plan_deps),
    )
    return ServiceParts(
        name=NAME,
        metrics=metrics,
        publisher=publisher,
        router=router,
        consumers=[sub.bind(status) for sub in SUBSCRIPTIONS],
        outbox=outbox,
        ensure_indexes=partial(ensure_indexes, repo, plans, registrations, imports, api_keys, unrouted),
        extra_tasks=[
            partial(repeat, imports.resume_stalled, rt.settings.outbox_relay_interval_s, "import-resume"),
            *([watch.run] if watch else []),
        ],
        body_limits={"/staff/nhap": rt.settings.import_max_bytes + 64 * 1024},
        components={"imports": imports, "api_keys": api_keys, "admission": admission},
        access=ACCESS,
        api_keys=api_keys.resolve,
        on_shutdown=[open_data.aclose],
    )


def merged(*routers: APIRouter) -> APIRouter:
    """One router holding the given routers' routes themselves, in order. FastAPI matches a
    request to an included router by walking the inclusion tree (and checking it for changes) at
    every level on every request; the routes' own settings (path prefix, tags, route class,
    responses, schema) were fixed when each route was declared, so they are the same either way.
    A router with settings that apply only when it is included (dependencies, body or form
    limits, routes kept aside) is included as before."""
    router = APIRouter()
    for part in routers:
        if (
            part.dependencies
            or part.max_body_size is not None
            or part.form_limits
            or getattr(part, "_low_priority_routes", None)
        ):
            router.include_router(part)
        else:
            router.routes.extend(part.routes)
    return router


def load_shedding(rt: Runtime[IntakeSettings]) -> tuple[Admission, QueueWatch | None]:
    """New submissions wait on routing's queue of received submissions: its depth is watched."""
    settings = rt.settings
    queues = [
        rt.topology.queue_name(spec)
        for spec in rt.topology.consumers
        if spec.service == "routing" and SubmissionReceivedV1.routing_key() in spec.routing_keys
    ]
    if rt.in_memory or not settings.max_queued_s or not queues:
        return Admission.always(), None
    admission = watching(
        queues,
        max_queued_s=settings.max_queued_s,
        floor_rate=settings.shed_floor_rate,
        stale_s=max(5.0, 5 * settings.shed_sample_s),
        service=NAME,
        registry=rt.registry,
    )
    watch = QueueWatch(
        settings.rabbitmq_url, admission, settings.shed_sample_s, service=NAME, registry=rt.registry
    )
    return admission, watch
