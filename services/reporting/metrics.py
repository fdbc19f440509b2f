from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class ReportingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.updates = Counter(
            "doithoai_reporting_read_model_updates_total",
            "Read-model updates applied, by commune and event type.",
            ["commune_id", "event_type"],
            registry=registry,
        )
        self.overdue_tasks = Gauge(
            "doithoai_reporting_overdue_followup_tasks",
            "Conclusions past their due date and not resolved, by commune (as of the last follow-up scan).",
            ["commune_id"],
            registry=registry,
        )
        self.renders = Counter(
            "doithoai_reporting_documents_rendered_total",
            "Documents rendered, by commune and document kind.",
            ["commune_id", "document"],
            registry=registry,
        )
