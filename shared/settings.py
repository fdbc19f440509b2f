"""Settings read from environment variables, with safe local defaults.

`CommonSettings` holds what every service's runtime reads (broker, store, delivery, outbox,
HTTP bounds, authentication, operations). Each service adds its own fields in
`services/<name>/settings.py` (`IntakeSettings`, `RoutingSettings`, ...); a process running
several services uses their union (`services.deployment.Settings`). A process builds its
settings once at start-up and passes them down; nothing reads the environment anywhere else.
Tests construct the classes directly with their own values.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    rabbitmq_url: str = Field("amqp://guest:guest@127.0.0.1:5672/", alias="RABBITMQ_URL")
    mongodb_url: str = Field("mongodb://127.0.0.1:27017", alias="MONGODB_URL")
    mongodb_db: str = Field("doithoai", alias="MONGODB_DB")

    # Prefix of every exchange and queue name: lets tests (or two stacks) share one broker.
    amqp_prefix: str = Field("doithoai", alias="DOITHOAI_AMQP_PREFIX")
    # Deliveries each consumer holds unacknowledged (and handles at once). Measured with
    # bench_pipeline (DOITHOAI_BENCH_ONLY=closed_loop, on a busy 2-core machine): 1 spends ~19
    # store operations and ~42 ms of the services' CPU per item (nothing for the group writers to
    # gather), 10 ~10-11 and ~27-28 ms, 50 ~7.8 and ~21-26 ms, the same as 32 within the noise;
    # routing alone through a backlog (routing_backlog) took ~57/s at 10, 61-90/s at 32 and 50.
    prefetch_count: int = Field(50, alias="DOITHOAI_PREFETCH", ge=1, le=1000)
    retry_delay_ms: int = Field(2000, alias="DOITHOAI_RETRY_DELAY_MS", ge=10)
    max_retries: int = Field(5, alias="DOITHOAI_MAX_RETRIES", ge=0)
    # Safety net for messages that crash a consumer before it can decide (quorum queues).
    delivery_limit: int = Field(20, alias="DOITHOAI_DELIVERY_LIMIT", ge=1)

    outbox_relay_interval_s: float = Field(2.0, alias="DOITHOAI_OUTBOX_INTERVAL_S", gt=0)
    # A pending outbox entry younger than this is still being published by its writer.
    outbox_grace_s: float = Field(5.0, alias="DOITHOAI_OUTBOX_GRACE_S", ge=0)
    processed_ttl_days: int = Field(30, alias="DOITHOAI_PROCESSED_TTL_DAYS", ge=1)
    # Requests served at once per process; more get 503 + Retry-After at once instead of queueing.
    max_in_flight: int = Field(128, alias="DOITHOAI_MAX_IN_FLIGHT", ge=1, le=100_000)
    # Fields (and files) one form-encoded or multipart request may carry; more get 413.
    form_max_fields: int = Field(100, alias="DOITHOAI_FORM_MAX_FIELDS", ge=1, le=10_000)

    # Reverse proxies (comma-separated IPs or CIDRs) whose X-Forwarded-For is believed: the
    # client address is the right-most one in it that is not such a proxy. Empty: nobody's, so
    # the client address is the TCP peer (shared/client_address.py).
    trusted_proxies: str = Field("", alias="DOITHOAI_TRUSTED_PROXIES")

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        for part in value.split(","):
            if part.strip():
                ipaddress.ip_network(part.strip(), strict=False)  # ValueError: refused at start-up
        return value

    log_level: str = Field("INFO", alias="LOG_LEVEL")

    # Authentication (shared/auth): `kid:secret` pairs, the first signs the short-lived tokens
    # the staff pages and integrations carry, every one verifies (rotation: put the new key
    # first, drop the old one after token_ttl_s). Unset: a random key per process, so tokens are
    # valid only in the process that made them (fails closed; `doithoai run` sets one for all).
    auth_keys: str = Field("", alias="DOITHOAI_AUTH_KEYS", repr=False)
    token_ttl_s: int = Field(300, alias="DOITHOAI_TOKEN_TTL_S", ge=30, le=3600)
    # /docs, /redoc and /openapi.json: on for a local run, off in compose and k8s.
    docs_enabled: bool = Field(True, alias="DOITHOAI_DOCS")
    # When set, /metrics wants `Authorization: Bearer <token>` (Prometheus' credentials_file).
    metrics_token: str = Field("", alias="DOITHOAI_METRICS_TOKEN", repr=False)


class DirectoryCacheSettings(CommonSettings):
    """For a service that reads communes, dialogues and routing rules for each event it handles."""

    # How many seconds what was read is kept (0: read every time); an edit reaches the
    # service within it.
    directory_cache_s: float = Field(5.0, alias="DOITHOAI_DIRECTORY_CACHE_S", ge=0, le=300)


class SchedulerSettings(CommonSettings):
    """For a service that scans the store for due work at a fixed interval."""

    scheduler_interval_s: float = Field(30.0, alias="DOITHOAI_SCHEDULER_INTERVAL_S", gt=0)
