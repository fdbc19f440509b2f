"""Routing: classifies submissions, assigns the office that prepares the answer."""

from __future__ import annotations

from services.routing.access import ACCESS
from services.routing.api import build_router
from services.routing.metrics import RoutingMetrics
from services.routing.repeats import Repeats
from services.routing.repository import DecisionRepository
from services.routing.rules_store import RulesStore
from services.routing.settings import RoutingSettings
from services.routing.subscribers import submissions_consumer
from shared.outbox import Outbox
from shared.runtime import Runtime, ServiceParts, service_base

NAME = "routing"


def build_service(rt: Runtime[RoutingSettings]) -> ServiceParts:
    metrics, publisher = service_base(rt, NAME)
    repo = DecisionRepository(rt.db)
    rules = RulesStore(rt.db, cache_ttl_s=rt.settings.directory_cache_s)
    outbox = Outbox(publisher, [repo.decisions])
    repeats = Repeats(repo)
    directory = rt.directory.cached(rt.settings.directory_cache_s)  # commune and dialogue of every event
    consumer = submissions_consumer(
        repo,
        directory,
        outbox,
        rules,
        repeats,
        RoutingMetrics(rt.registry),
        rt.settings.review_confidence_threshold,
    )
    return ServiceParts(
        NAME,
        metrics,
        publisher,
        router=build_router(repo, rules, repeats, rt.directory, outbox),
        consumers=[consumer],
        outbox=outbox,
        ensure_indexes=repo.ensure_indexes,
        access=ACCESS,
    )
