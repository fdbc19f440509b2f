"""Routing's use cases. Every adapter (the consumer, the HTTP API, batch classification and the
CLI) parses, calls one of these, and renders."""

from services.routing.handlers.learning import (
    NoModel,
    Training,
    activate_model,
    learn_from_revision,
    model_status,
    retrain,
    retrain_due,
    rollback_model,
)
from services.routing.handlers.ports import (
    DecisionEvents,
    Decisions,
    Directory,
    OfficeScope,
    RoutingDeps,
    RuleBook,
    RuleSource,
)
from services.routing.handlers.routing import Linked, Routed, link, route, route_received
from services.routing.handlers.staff import (
    INVALID_RULES,
    Conflict,
    NotFound,
    apply_routing_change,
    decision_with_changes,
    record_answer,
    replace_rules,
    reset_rules,
    review_queue,
    rules_document,
)

__all__ = [
    "INVALID_RULES",
    "Conflict",
    "DecisionEvents",
    "Decisions",
    "Directory",
    "Linked",
    "NoModel",
    "NotFound",
    "OfficeScope",
    "Routed",
    "Training",
    "activate_model",
    "learn_from_revision",
    "model_status",
    "retrain",
    "retrain_due",
    "rollback_model",
    "RoutingDeps",
    "RuleBook",
    "RuleSource",
    "apply_routing_change",
    "decision_with_changes",
    "link",
    "record_answer",
    "replace_rules",
    "reset_rules",
    "review_queue",
    "route",
    "route_received",
    "rules_document",
]
