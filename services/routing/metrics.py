from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class RoutingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.routed = Counter(
            "doithoai_routing_submissions_routed_total",
            "Submissions routed, by commune, topic, authority level and outcome (auto, review).",
            ["commune_id", "topic", "authority_level", "outcome"],
            registry=registry,
        )
