"""Metrics and logs shared by the services.

Metric names follow `doithoai_<service>_<thing>_<unit>`; every metric lives in a registry the
service owns (no global default registry), so tests and the embedded runner can build many
services in one process. Labels stay bounded: commune ids are validated against the directory,
submission ids never become labels.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Generic, TypeVar

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.metrics import MetricWrapperBase

M = TypeVar("M", bound=MetricWrapperBase)

HANDLER_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Children(Generic[M]):
    """A labelled metric's children, each looked up once (`metric.labels(...)` takes a lock and
    builds the key on every call; on a per-message path that adds up). The label values are a
    bounded set (event types x outcomes), so is this cache."""

    def __init__(self, metric: M) -> None:
        self._metric = metric
        self._children: dict[tuple[str, ...], M] = {}

    def __call__(self, *values: str) -> M:
        child = self._children.get(values)
        if child is None:
            child = self._children[values] = self._metric.labels(*values)
        return child


class ConsumerMetrics:
    """What every consuming and publishing service reports about its messages."""

    def __init__(self, service: str, registry: CollectorRegistry) -> None:
        prefix = f"doithoai_{service}"
        self.consumed = Counter(
            f"{prefix}_events_consumed_total",
            "Events taken from the service's queue, by event type and outcome "
            "(processed, duplicate, retried, dead_lettered; "
            "retired: a key the consumer no longer takes, dropped).",
            ["event_type", "outcome"],
            registry=registry,
        )
        self.handler_seconds = Histogram(
            f"{prefix}_handler_duration_seconds",
            "Time spent handling one event, store writes and publishing included.",
            ["event_type"],
            buckets=HANDLER_BUCKETS,
            registry=registry,
        )
        self.published = Counter(
            f"{prefix}_events_published_total",
            "Events published to the bus, by routing key.",
            ["routing_key"],
            registry=registry,
        )
        self.outbox_backlog = Gauge(
            f"{prefix}_outbox_backlog",
            "Documents whose events were stored longer ago than the outbox grace period "
            "and not yet published, whose writer is gone (found by the last relay pass).",
            registry=registry,
        )
        self.outbox_republished = Counter(
            f"{prefix}_outbox_republished",
            "Events the outbox relay published again for a writer that was gone (copies that "
            "consumers drop by event id).",
            registry=registry,
        )
        # The per-message paths (shared/messaging.py) count through these.
        self.consumed_as = Children(self.consumed)  # (event_type, outcome)
        self.handled_in = Children(self.handler_seconds)  # (event_type,)
        self.published_as = Children(self.published)  # (routing_key,)


_STANDARD_RECORD_KEYS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys()) | {
    "message",
    "asctime",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the `extra` fields (ids) as top-level keys."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD_RECORD_KEYS})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", service: str | None = None) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if sys.stderr.isatty():
        prefix = f"[{service}] " if service else ""
        handler.setFormatter(logging.Formatter(f"%(asctime)s %(levelname)s {prefix}%(name)s: %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # FastStream logs every message at INFO, which costs throughput and says little.
    logging.getLogger("faststream").setLevel(logging.WARNING)
    logging.getLogger("pymongo").setLevel(logging.WARNING)
