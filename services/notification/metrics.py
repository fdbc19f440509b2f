from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter


class NotificationMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.deliveries = Counter(
            "doithoai_notification_deliveries_total",
            "Notification delivery attempts, by commune, channel and outcome (sent, failed, retry).",
            ["commune_id", "channel", "outcome"],
            registry=registry,
        )
