"""Per-address limits on anonymous public POSTs (the resident web form, the JSON submissions API,
Open311 requests and registrations to attend) and on look-ups by tracking code.

Each bucket is a fixed-window counter per (commune, client address) in the store
(`web/ratelimit.py`), so every replica counts against the same limit; its limit and window are
settings (services/intake/settings.py). A request whose principal (`request.state.principal`, set by the
access guard) is staff of the commune, a service, or the commune's API key with the scope of what
it sends is never counted (`exempt`). Handlers call
`check_public_limit` first, before anything is stored. A POST that load shedding will refuse
(503 with Retry-After: too much work queued) is not counted either: the resident who waits as
told must not find the limit used up by refusals that stored nothing.
"""

from __future__ import annotations

import logging

from fastapi import Request
from fastapi.responses import Response
from pymongo.errors import PyMongoError

from services.intake.settings import IntakeSettings
from services.intake.web.ratelimit import RateLimiter, Verdict
from shared.auth.guard import principal_of
from shared.auth.principal import PrincipalKind, Scope
from shared.backpressure import Admission
from shared.client_address import client_address
from shared.errors import is_transient
from shared.http import problem

log = logging.getLogger(__name__)

WEB = "web"
API = "api"
OPEN311 = "open311"
REGISTRATION = "registration"
TRACKING = "tracking"
# The buckets of submissions, which load shedding refuses (registrations are not shed).
SHED = frozenset({WEB, API, OPEN311})
# bucket -> (limit setting, window setting)
BUCKETS: dict[str, tuple[str, str]] = {
    WEB: ("web_post_limit", "web_post_window_s"),
    API: ("api_post_limit", "api_post_window_s"),
    OPEN311: ("open311_post_limit", "open311_post_window_s"),
    REGISTRATION: ("registration_limit", "registration_window_s"),
    TRACKING: ("tracking_limit", "tracking_window_s"),
}


def is_authenticated(request: Request) -> bool:
    """True when the access guard found a principal that is not anonymous."""
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return False
    return not getattr(principal, "anonymous", False) and str(getattr(principal, "kind", "")) != "anonymous"


def exempt(request: Request, commune_id: str, bucket: str) -> bool:
    """Who is not counted as anonymous: staff of this commune (and the operator), a service of the
    deployment, and an API key of this commune with the scope of what it sends (`submit` for
    submissions, `plan` for registrations; `read` or `submit` for look-ups). A read-only key
    sending, or another commune's key, is counted like anyone."""
    principal = principal_of(request) if is_authenticated(request) else None
    if principal is None or principal.commune_id not in (None, commune_id):
        return False
    if principal.kind is PrincipalKind.API_KEY:
        if bucket == TRACKING:
            return bool({Scope.READ, Scope.SUBMIT} & set(principal.scopes))
        return Scope.PLAN in principal.scopes if bucket == REGISTRATION else Scope.SUBMIT in principal.scopes
    return True


def _limiter(request: Request, bucket: str) -> RateLimiter:
    state = request.app.state
    limiters: dict[str, RateLimiter] | None = getattr(state, "public_limiters", None)
    if limiters is None:
        limiters = state.public_limiters = {}
    if bucket not in limiters:
        settings: IntakeSettings = state.runtime.settings
        limit, window = BUCKETS[bucket]
        limiters[bucket] = RateLimiter(
            state.runtime.db, getattr(settings, limit), getattr(settings, window), name=bucket
        )
    return limiters[bucket]


async def public_verdict(request: Request, commune_id: str, bucket: str) -> Verdict | None:
    """Count this request in `bucket`; None when the caller is authenticated, or when load
    shedding refuses new work now (not counted: the use case answers 503 and stores nothing)."""
    if exempt(request, commune_id, bucket) or (bucket in SHED and _shedding(request, commune_id)):
        return None
    settings: IntakeSettings = request.app.state.runtime.settings
    verdict = await _limiter(request, bucket).hit(
        commune_id, client_address(request, settings.trusted_proxies)
    )
    if not verdict.allowed:
        log.warning(
            "public request rate limited",
            extra={"commune_id": commune_id, "bucket": bucket, "count": verdict.count},
        )
    return verdict


def _shedding(request: Request, commune_id: str) -> bool:
    parts = getattr(request.app.state, "parts", {})
    admission = parts["intake"].components.get("admission") if "intake" in parts else None
    return isinstance(admission, Admission) and admission.refusal(commune_id=commune_id) is not None


def minutes(retry_after_s: int) -> int:
    return max(1, round(retry_after_s / 60))


async def check_public_limit(request: Request, commune_id: str, bucket: str) -> Response | None:
    """None when this request may go on; else the 429 (bilingual JSON, Retry-After) to answer."""
    try:
        verdict = await public_verdict(request, commune_id, bucket)
    except PyMongoError as exc:
        if not is_transient(exc):
            raise
        response = problem(
            503,
            "store_unavailable",
            "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút.",
            "The store is unavailable; nothing was stored. Retry later.",
        )
        response.headers["Retry-After"] = "5"
        return response
    if verdict is None or verdict.allowed:
        return None
    wait = minutes(verdict.retry_after_s)
    if bucket == TRACKING:
        vi = f"Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau khoảng {wait} phút."
        en = f"Too many look-ups from this address. Retry in {verdict.retry_after_s} s."
    else:
        vi = (
            "Bạn đã gửi quá nhiều lần trong thời gian ngắn, chưa có gì được ghi nhận. "
            f"Vui lòng thử lại sau khoảng {wait} phút."
        )
        en = f"Too many requests from this address; nothing was stored. Retry in {verdict.retry_after_s} s."
    response = problem(429, "rate_limited", vi, en)
    response.headers["Retry-After"] = str(verdict.retry_after_s)
    return response
