"""Routing: classifies submissions, assigns the office that prepares the answer."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter

from services.routing.access import ACCESS
from services.routing.api import build_router
from services.routing.consumers import SUBSCRIPTIONS
from services.routing.handlers import RoutingDeps, retrain_due
from services.routing.learning import Learning, ModelCache, Policy
from services.routing.learning.api import ACCESS as LEARNING_ACCESS
from services.routing.learning.api import build_learning_router
from services.routing.learning.store import MongoLearningStore
from services.routing.metrics import RoutingMetrics
from services.routing.repeat_index import Limits
from services.routing.repository import DecisionOutbox, DecisionRepository
from services.routing.rules_store import RulesStore
from services.routing.settings import RoutingSettings
from shared.outbox import Outbox
from shared.periodic import repeat
from shared.runtime import Runtime, ServiceParts, service_base

NAME = "routing"
# A commune's rules file is a document, larger than the 64 KiB other requests may carry.
RULES_MAX_BYTES = 1024 * 1024


def build_service(rt: Runtime[RoutingSettings]) -> ServiceParts:
    metrics, publisher = service_base(rt, NAME)
    settings = rt.settings
    limits = Limits(
        clusters_per_key=settings.repeat_clusters_per_key,
        clusters_per_lookup=settings.repeat_clusters_per_lookup,
        representatives=settings.repeat_representatives,
        earlier=settings.repeat_earlier,
        reached_bands=settings.repeat_reached_bands,
    )
    repo = DecisionRepository(rt.db, limits)
    rules = RulesStore(rt.db, cache_ttl_s=rt.settings.directory_cache_s)
    outbox = Outbox(publisher, [repo.decisions])
    learning_store = MongoLearningStore(rt.db)
    learning = Learning(
        store=learning_store,
        cache=ModelCache(
            learning_store,
            max_communes=settings.learning_cached_communes,
            state_ttl_s=settings.learning_state_ttl_s,
        ),
        policy=Policy(min_examples=settings.learning_min_examples, confidence=settings.learning_confidence),
        debounce_s=settings.learning_debounce_s,
        max_examples=settings.learning_max_examples,
    )
    deps = RoutingDeps(
        decisions=repo,
        events=DecisionOutbox(outbox, repo),
        directory=rt.directory.cached(rt.settings.directory_cache_s),  # commune and dialogue of every event
        rules=rules,
        review_threshold=rt.settings.review_confidence_threshold,
        metrics=RoutingMetrics(rt.registry),
        learning=learning,
    )
    # Staff changes read the directory as it is now: an office added a moment ago is known.
    api_deps = replace(deps, directory=rt.directory)
    router = APIRouter()
    router.include_router(build_router(api_deps, rules))
    router.include_router(build_learning_router(api_deps))

    async def ensure_indexes() -> None:
        await repo.ensure_indexes()
        await learning_store.ensure_indexes()

    return ServiceParts(
        NAME,
        metrics,
        publisher,
        router=router,
        consumers=[subscription.bind(deps) for subscription in SUBSCRIPTIONS],
        outbox=outbox,
        ensure_indexes=ensure_indexes,
        body_limits={"/api/v1/communes/{commune_id}/routing/rules": RULES_MAX_BYTES},
        access={**ACCESS, **LEARNING_ACCESS},
        # Retrains the communes whose staff changes paused (each change marks its commune).
        extra_tasks=[lambda: repeat(lambda: retrain_due(deps), settings.learning_poll_s, "retraining")],
        components={"learning": learning},
    )
