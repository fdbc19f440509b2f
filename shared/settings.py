"""Settings read from environment variables, in one place, with safe local defaults.

Every service builds one `Settings` at start-up and passes it down; nothing reads the
environment anywhere else. Tests construct `Settings(...)` directly with their own values.
"""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    rabbitmq_url: str = Field("amqp://guest:guest@127.0.0.1:5672/", alias="RABBITMQ_URL")
    mongodb_url: str = Field("mongodb://127.0.0.1:27017", alias="MONGODB_URL")
    mongodb_db: str = Field("doithoai", alias="MONGODB_DB")
    smtp_url: str = Field("smtp://127.0.0.1:1025", alias="SMTP_URL")
    smtp_from: str = Field("Văn phòng Đảng ủy <doithoai@localhost>", alias="SMTP_FROM")
    smtp_timeout_s: float = Field(10.0, alias="SMTP_TIMEOUT_S")

    # Prefix of every exchange and queue name: lets tests (or two stacks) share one broker.
    amqp_prefix: str = Field("doithoai", alias="DOITHOAI_AMQP_PREFIX")
    prefetch_count: int = Field(32, alias="DOITHOAI_PREFETCH", ge=1, le=1000)
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
    # Routing and notification keep the commune, dialogue and routing rules they read for each
    # event this many seconds (0: read them every time); an edit reaches them within it.
    directory_cache_s: float = Field(5.0, alias="DOITHOAI_DIRECTORY_CACHE_S", ge=0, le=300)

    scheduler_interval_s: float = Field(30.0, alias="DOITHOAI_SCHEDULER_INTERVAL_S", gt=0)
    reminder_offsets_days: str = Field(
        "3,1,0", alias="DOITHOAI_REMINDER_OFFSETS_DAYS", pattern=r"^\d{1,3}(,\d{1,3})*$"
    )
    # Invitations go out this many days before the last day the plan allows.
    invitation_lead_days: int = Field(2, alias="DOITHOAI_INVITATION_LEAD_DAYS", ge=0, le=60)
    overdue_window_days: int = Field(30, alias="DOITHOAI_OVERDUE_WINDOW_DAYS", ge=0)
    followup_remind_days: int = Field(3, alias="DOITHOAI_FOLLOWUP_REMIND_DAYS", ge=0, le=60)
    # A folder with <commune id>/<template> files that override the built-in document templates.
    templates_dir: str | None = Field(None, alias="DOITHOAI_TEMPLATES_DIR")
    sms_webhook_url: str | None = Field(None, alias="SMS_WEBHOOK_URL")
    sms_webhook_token: str | None = Field(None, alias="SMS_WEBHOOK_TOKEN")

    @property
    def reminder_offsets(self) -> tuple[int, ...]:
        return tuple(sorted({int(x) for x in self.reminder_offsets_days.split(",")}, reverse=True))

    # The resident web front: the commune `/` shows, and the per-IP limit on its public POSTs.
    default_commune: str = Field("demo", alias="DOITHOAI_DEFAULT_COMMUNE")
    web_post_limit: int = Field(10, alias="DOITHOAI_WEB_POST_LIMIT", ge=1)
    web_post_window_s: int = Field(600, alias="DOITHOAI_WEB_POST_WINDOW_S", ge=1, le=86400)
    # Anonymous callers' POSTs per client address and commune per window (authenticated callers
    # are not counted): the JSON submissions API, Open311 requests, and registrations to attend
    # (the JSON API and the web form share this last one).
    api_post_limit: int = Field(30, alias="DOITHOAI_API_POST_LIMIT", ge=1)
    api_post_window_s: int = Field(600, alias="DOITHOAI_API_POST_WINDOW_S", ge=1, le=86400)
    open311_post_limit: int = Field(30, alias="DOITHOAI_OPEN311_POST_LIMIT", ge=1)
    open311_post_window_s: int = Field(600, alias="DOITHOAI_OPEN311_POST_WINDOW_S", ge=1, le=86400)
    registration_limit: int = Field(10, alias="DOITHOAI_REGISTRATION_LIMIT", ge=1)
    registration_window_s: int = Field(600, alias="DOITHOAI_REGISTRATION_WINDOW_S", ge=1, le=86400)
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

    # The staff area: how long a login lasts. Failed logins of one account from one client
    # address: after `limit` of them that pair waits `backoff_s`, doubling with each further
    # failure up to `backoff_max_s`; a successful login clears them, and they are forgotten
    # `window_s` after the last one (or after the wait ends). Failed logins from one address
    # over all accounts (password spraying): `address_limit` per `window_s`.
    staff_session_hours: int = Field(12, alias="DOITHOAI_STAFF_SESSION_HOURS", ge=1, le=24 * 30)
    staff_login_limit: int = Field(10, alias="DOITHOAI_STAFF_LOGIN_LIMIT", ge=1)
    staff_login_window_s: int = Field(600, alias="DOITHOAI_STAFF_LOGIN_WINDOW_S", ge=1, le=86400)
    staff_login_backoff_s: int = Field(60, alias="DOITHOAI_STAFF_LOGIN_BACKOFF_S", ge=1, le=86400)
    staff_login_backoff_max_s: int = Field(
        3600, alias="DOITHOAI_STAFF_LOGIN_BACKOFF_MAX_S", ge=1, le=7 * 86400
    )
    staff_login_address_limit: int = Field(100, alias="DOITHOAI_STAFF_LOGIN_ADDRESS_LIMIT", ge=1)
    # Demo data with published staff passwords (`doithoai seed-demo`): only when this is on.
    # `make run` turns it on; compose and k8s leave it off.
    demo: bool = Field(False, alias="DOITHOAI_DEMO")
    # The staff pages are served by intake and act through routing's and reporting's HTTP APIs
    # (reclassify, answers, documents, follow-up): where those services answer inside the deployment,
    # or `inprocess` when this same process serves them (make run without RabbitMQ, tests).
    routing_url: str = Field("http://127.0.0.1:8001", alias="DOITHOAI_ROUTING_URL")
    reporting_url: str = Field("http://127.0.0.1:8003", alias="DOITHOAI_REPORTING_URL")
    backend_timeout_s: float = Field(30.0, alias="DOITHOAI_BACKEND_TIMEOUT_S", gt=0)
    # Where residents' browsers reach reporting's public conclusions page ("" = the same site).
    public_reporting_url: str = Field("", alias="DOITHOAI_PUBLIC_REPORTING_URL")
    # Bulk import (CSV/XLSX of a hamlet meeting's opinions): the largest file and rows per store write.
    import_max_bytes: int = Field(5_000_000, alias="DOITHOAI_IMPORT_MAX_BYTES", ge=1000)
    import_max_rows: int = Field(20_000, alias="DOITHOAI_IMPORT_MAX_ROWS", ge=1)
    import_batch_size: int = Field(500, alias="DOITHOAI_IMPORT_BATCH_SIZE", ge=1, le=5000)

    review_confidence_threshold: float = Field(0.5, alias="DOITHOAI_REVIEW_THRESHOLD", ge=0, le=1)
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
