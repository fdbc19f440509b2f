"""Routing: classifies submissions, assigns the office that prepares the answer."""

from __future__ import annotations

from dataclasses import replace

from services.routing.access import ACCESS
from services.routing.api import build_router
from services.routing.consumers import SUBSCRIPTIONS
from services.routing.handlers import RoutingDeps
from services.routing.metrics import RoutingMetrics
from services.routing.repeat_index import Limits
from services.routing.repository import DecisionOutbox, DecisionRepository
from services.routing.rules_store import RulesStore
from services.routing.settings import RoutingSettings
from shared.outbox import Outbox
from shared.runtime import Runtime, ServiceParts, service_base

NAME = "routing"


def build_service(rt: Runtime[RoutingSettings]) -> ServiceParts:
    metrics, publisher = service_base(rt, NAME)
    settings = rt.settings
    limits = Limits(
        clusters_per_key=settings.repeat_clusters_per_key,
        clusters_per_lookup=settings.repeat_clusters_per_lookup,
        representatives=settings.repeat_representatives,
        earlier=settings.repeat_earlier,
    )
    repo = DecisionRepository(rt.db, limits)
    rules = RulesStore(rt.db, cache_ttl_s=rt.settings.directory_cache_s)
    outbox = Outbox(publisher, [repo.decisions])
    deps = RoutingDeps(
        decisions=repo,
        events=DecisionOutbox(outbox, repo),
        directory=rt.directory.cached(rt.settings.directory_cache_s),  # commune and dialogue of every event
        rules=rules,
        review_threshold=rt.settings.review_confidence_threshold,
        metrics=RoutingMetrics(rt.registry),
    )
    # Staff changes read the directory as it is now: an office added a moment ago is known.
    api_deps = replace(deps, directory=rt.directory)
    return ServiceParts(
        NAME,
        metrics,
        publisher,
        router=build_router(api_deps, rules),
        consumers=[subscription.bind(deps) for subscription in SUBSCRIPTIONS],
        outbox=outbox,
        ensure_indexes=repo.ensure_indexes,
        access=ACCESS,
    )
