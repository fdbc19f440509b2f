"""Reporting: the dialogue read model and the documents rendered from it."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.reporting.api import build_router
from services.reporting.metrics import ReportingMetrics
from services.reporting.repository import ItemRepository
from services.reporting.subscribers import read_model_consumer
from shared.runtime import Runtime, ServiceParts, build_app as build_runtime_app, service_base
from shared.settings import Settings
from shared.templates import make_environment

NAME = "reporting"
TEMPLATES = Path(__file__).parent / "templates"


def build_service(rt: Runtime) -> ServiceParts:
    metrics, publisher = service_base(rt, NAME)
    repo = ItemRepository(rt.db)
    reporting_metrics = ReportingMetrics(rt.registry)
    router = build_router(repo, rt.directory, make_environment([TEMPLATES]), reporting_metrics)
    return ServiceParts(NAME, metrics, publisher, router=router, consumers=[read_model_consumer(repo, reporting_metrics)], ensure_indexes=repo.ensure_indexes)


def build_app(settings: Settings) -> FastAPI:
    return build_runtime_app(settings, [build_service], title="doithoai reporting")
