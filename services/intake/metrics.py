from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter

from shared.observability import Children


class IntakeMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.submissions = Counter(
            "doithoai_intake_submissions_total",
            "Submissions posted, by commune and outcome (accepted, rejected, unavailable).",
            ["commune_id", "outcome"],
            registry=registry,
        )
        self.status_updates = Counter(
            "doithoai_intake_status_updates_total",
            "Status changes applied to submissions, by commune and status.",
            ["commune_id", "status"],
            registry=registry,
        )
        # Per-request paths count through these (commune ids are the directory's, a bounded set).
        self.submitted = Children(self.submissions)  # (commune_id, outcome)
        self.status_changed = Children(self.status_updates)  # (commune_id, status)
