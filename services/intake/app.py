"""Intake: receives submissions over HTTP, stores them, publishes `submission.received.v1`."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.api import build_router
from services.intake.metrics import IntakeMetrics
from services.intake.repository import SubmissionRepository
from services.intake.subscribers import status_consumer
from shared.outbox import Outbox
from shared.runtime import Runtime, ServiceParts, build_app as build_runtime_app, service_base
from shared.settings import Settings

NAME = "intake"


def build_service(rt: Runtime) -> ServiceParts:
    metrics, publisher = service_base(rt, NAME)
    intake_metrics = IntakeMetrics(rt.registry)
    repo = SubmissionRepository(rt.db)
    outbox = Outbox(publisher, [repo.submissions])
    return ServiceParts(
        name=NAME,
        metrics=metrics,
        publisher=publisher,
        router=build_router(repo, rt.directory, outbox, intake_metrics),
        consumers=[status_consumer(repo, intake_metrics)],
        outbox=outbox,
        ensure_indexes=repo.ensure_indexes,
    )


def build_app(settings: Settings) -> FastAPI:
    return build_runtime_app(settings, [build_service], title="doithoai intake")
