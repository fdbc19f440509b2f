"""Intake's settings: the resident front, the per-address limits on public posts, the staff
area's logins, the staff pages' backends and the bulk import."""

from __future__ import annotations

from pydantic import Field

from shared.settings import CommonSettings


class IntakeSettings(CommonSettings):
    # The resident web front: the commune `/` shows, and the per-IP limit on its public POSTs:
    # enough for a hamlet cell typing residents' opinions on one phone (one every 20 s), or for
    # neighbours behind one mobile network address; posts it refused are not counted.
    default_commune: str = Field("demo", alias="DOITHOAI_DEFAULT_COMMUNE")
    web_post_limit: int = Field(30, alias="DOITHOAI_WEB_POST_LIMIT", ge=1)
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
    # Anonymous look-ups by tracking code (the JSON API, the residents' page, Open311's tokens)
    # per client address and commune per window: generous for people behind one carrier's NAT,
    # and a guesser of codes is slowed to a few a second.
    tracking_limit: int = Field(300, alias="DOITHOAI_TRACKING_LIMIT", ge=1)
    tracking_window_s: int = Field(600, alias="DOITHOAI_TRACKING_WINDOW_S", ge=1, le=86400)

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

    # The staff pages act through routing's and reporting's HTTP APIs (reclassify, answers,
    # documents, follow-up): where those services answer inside the deployment, or `inprocess`
    # when this same process serves them (make run without RabbitMQ, tests). A read that builds a
    # page gives up after `page_read_timeout_s` (the page then says the service did not answer);
    # changes, issuing and rendered drafts wait `backend_timeout_s` (a read never waits longer).
    routing_url: str = Field("http://127.0.0.1:8001", alias="DOITHOAI_ROUTING_URL")
    reporting_url: str = Field("http://127.0.0.1:8003", alias="DOITHOAI_REPORTING_URL")
    backend_timeout_s: float = Field(30.0, alias="DOITHOAI_BACKEND_TIMEOUT_S", gt=0)
    page_read_timeout_s: float = Field(5.0, alias="DOITHOAI_PAGE_READ_TIMEOUT_S", gt=0, le=300)
    # Where residents' browsers reach reporting's public conclusions page ("" = the same site).
    public_reporting_url: str = Field("", alias="DOITHOAI_PUBLIC_REPORTING_URL")

    # Bulk import (CSV/XLSX of a hamlet meeting's opinions): the largest file, the most rows, and
    # rows per store write.
    import_max_bytes: int = Field(5_000_000, alias="DOITHOAI_IMPORT_MAX_BYTES", ge=1000)
    import_max_rows: int = Field(20_000, alias="DOITHOAI_IMPORT_MAX_ROWS", ge=1)
    import_batch_size: int = Field(500, alias="DOITHOAI_IMPORT_BATCH_SIZE", ge=1, le=5000)

    # Load shedding (shared/backpressure.py): while the work queued ahead of routing would take
    # more than `max_queued_s` seconds (queue depth sampled every `shed_sample_s`, divided by the
    # measured drain rate, never below `shed_floor_rate` items/s), new submissions get 503 with
    # Retry-After and nothing is stored; bulk imports pause. 0 turns shedding off.
    max_queued_s: float = Field(30.0, alias="DOITHOAI_MAX_QUEUED_SECONDS", ge=0, le=3600)
    shed_floor_rate: float = Field(5.0, alias="DOITHOAI_SHED_FLOOR_RATE", gt=0, le=100_000)
    shed_sample_s: float = Field(1.0, alias="DOITHOAI_SHED_SAMPLE_S", ge=0.1, le=60)
