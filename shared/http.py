"""HTTP plumbing shared by the services: bilingual validation errors, health and metrics."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from pymongo.errors import ConnectionFailure
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth.guard import GuardedRoute
from shared.auth.policy import OPERATIONS, PUBLIC
from shared.ids import new_id
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest

# pydantic error type -> (Vietnamese, English) message. Anything else falls back to pydantic's text.
_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Thiếu thông tin bắt buộc.", "This field is required."),
    "string_too_long": ("Nội dung quá dài: tối đa {max_length} ký tự.", "Too long: at most {max_length} characters."),
    "string_too_short": ("Nội dung quá ngắn: tối thiểu {min_length} ký tự.", "Too short: at least {min_length} characters."),
    "enum": ("Giá trị không hợp lệ; chọn một trong: {expected}.", "Invalid value; expected one of: {expected}."),
    "literal_error": ("Giá trị không hợp lệ; chọn một trong: {expected}.", "Invalid value; expected one of: {expected}."),
    "string_type": ("Phải là chuỗi ký tự.", "Must be a string."),
    "json_invalid": ("Dữ liệu gửi lên không phải JSON hợp lệ (hoặc không phải UTF-8).", "The body is not valid JSON (or not UTF-8)."),
    "model_attributes_type": ("Dữ liệu gửi lên phải là một đối tượng JSON.", "The body must be a JSON object."),
    "dict_type": ("Dữ liệu gửi lên phải là một đối tượng JSON.", "The body must be a JSON object."),
    "extra_forbidden": ("Trường này không được chấp nhận.", "This field is not accepted."),
    "string_pattern_mismatch": ("Định dạng không hợp lệ.", "Invalid format."),
    "value_error": ("{reason_vi}", "{reason_en}"),
}


class BilingualError(ValueError):
    """Raised by validators with a message for residents (Vietnamese) and for developers."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def _describe(error: dict) -> dict:
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body",)]
    if error.get("type") == "json_invalid":  # loc holds the character offset, not a field
        loc = []
    ctx = dict(error.get("ctx") or {})
    cause = ctx.get("error")
    if isinstance(cause, BilingualError):
        vi, en = cause.vi, cause.en
    else:
        vi_t, en_t = _MESSAGES.get(error.get("type", ""), ("{reason_vi}", "{reason_en}"))
        ctx.setdefault("reason_vi", "Giá trị không hợp lệ.")
        ctx.setdefault("reason_en", error.get("msg", "Invalid value."))
        try:
            vi, en = vi_t.format(**ctx), en_t.format(**ctx)
        except (KeyError, IndexError):
            vi, en = vi_t, error.get("msg", en_t)
    return {"field": ".".join(loc) or "body", "type": error.get("type"), "message_vi": vi, "message_en": en}


def error_body(errors: list[dict]) -> dict:
    described = [_describe(e) for e in errors]
    return {
        "error": "validation_failed",
        "message_vi": "Dữ liệu không hợp lệ: " + "; ".join(f"{d['field']}: {d['message_vi']}" for d in described),
        "message_en": "Invalid input: " + "; ".join(f"{d['field']}: {d['message_en']}" for d in described),
        "detail": described,
    }


def problem(status: int, code: str, vi: str, en: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": code, "message_vi": vi, "message_en": en})


def install_error_handlers(app: FastAPI) -> None:
    async def on_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content=error_body(list(exc.errors())))

    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI reports a body it cannot decode (e.g. invalid UTF-8) as a bare 400.
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            return JSONResponse(status_code=422, content=error_body([{"loc": ("body",), "type": "json_invalid", "msg": "invalid JSON or UTF-8"}]))
        return await http_exception_handler(request, exc)

    async def on_store_down(_: Request, exc: Exception) -> JSONResponse:
        # Nothing can be stored or read: say so and when to retry, rather than a bare 500.
        response = problem(503, "store_unavailable", "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút.", "The store is unavailable; nothing was changed. Retry later.")
        response.headers["Retry-After"] = "5"
        return response

    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(ConnectionFailure, on_store_down)


# The three middlewares below are plain ASGI: Starlette's `@app.middleware("http")` wraps each
# request in a task group and a memory stream per layer, which cost every POST measurably
# (profiled under the end-to-end benchmark).


def install_body_limit(app: FastAPI, max_bytes: int, larger: Mapping[str, int] | None = None) -> None:
    """Refuse oversized bodies before parsing them (413 with a bilingual message). `larger`
    allows more on exact paths that take uploads."""
    app.add_middleware(_BodyLimit, max_bytes=max_bytes, larger=dict(larger or {}))


class _BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, larger: dict[str, int]) -> None:
        self.app, self.max_bytes, self.larger = app, max_bytes, larger

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            limit = self.larger.get(scope["path"], self.max_bytes)
            length = Headers(scope=scope).get("content-length", "")
            if length.isdigit() and int(length) > limit:
                response = problem(
                    413,
                    "body_too_large",
                    f"Dữ liệu gửi lên quá lớn (tối đa {limit // 1024} kB).",
                    f"Request body too large (at most {limit // 1024} kB).",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


OVERLOADED_VI = "Hệ thống đang quá tải, chưa nhận được; vui lòng gửi lại sau ít giây."
OVERLOADED_PAGE_VI = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">'
    f"<title>Hệ thống đang quá tải</title></head><body><h1>Hệ thống đang quá tải</h1><p>{OVERLOADED_VI} "
    "Nội dung bạn vừa gửi chưa được lưu: hãy bấm quay lại rồi gửi lần nữa.</p></body></html>"
)
_OPERATIONS_PATHS = ("/healthz", "/metrics")


def install_load_shedding(app: FastAPI, max_in_flight: int, registry: CollectorRegistry) -> None:
    """Answer 503 with Retry-After at once when `max_in_flight` requests are already being
    served, instead of queueing them: a store slower than the offered load would otherwise
    hold every waiting request (and its memory) until it gets round to it. Nothing refused
    here was stored, so a client may simply send it again. /healthz and /metrics are never shed."""
    shed = Counter("doithoai_http_requests_shed_total", "Requests answered 503 because too many were already in flight.", registry=registry)
    app.add_middleware(_LoadShedding, max_in_flight=max_in_flight, shed=shed)


class _LoadShedding:
    def __init__(self, app: ASGIApp, max_in_flight: int, shed: Counter) -> None:
        self.app, self.max_in_flight, self.shed = app, max_in_flight, shed
        self.in_flight = 0  # this app's count (one event loop: no lock needed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _OPERATIONS_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            self.shed.inc()
            if "text/html" in Headers(scope=scope).get("accept", ""):  # a person at a browser: a page, not JSON
                response: Response = HTMLResponse(OVERLOADED_PAGE_VI, status_code=503)
            else:
                response = problem(503, "overloaded", OVERLOADED_VI, "Too many requests in progress; nothing was stored. Retry in a few seconds.")
            response.headers["Retry-After"] = "2"
            await response(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def install_request_context(app: FastAPI) -> None:
    """One correlation id per request (the caller's `X-Correlation-ID`, else a new one): it is
    returned in the response, written in the access log line, and carried by the events the
    request causes, so one id follows a submission from the HTTP request to the last event."""
    app.add_middleware(_RequestContext)


class _RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.access = logging.getLogger("doithoai.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        supplied = Headers(scope=scope).get("x-correlation-id", "")
        correlation_id = supplied if 0 < len(supplied) <= 64 and supplied.isprintable() else new_id()
        scope.setdefault("state", {})["correlation_id"] = correlation_id  # request.state.correlation_id
        started = time.perf_counter()
        status = 500  # what the server answers if the app raises before it starts a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"x-correlation-id"]
                message = {**message, "headers": [*headers, (b"x-correlation-id", correlation_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["path"] not in _OPERATIONS_PATHS:
                self.access.info(
                    "%s %s %d", scope["method"], scope["path"], status,
                    extra={"correlation_id": correlation_id, "status": status, "duration_ms": round((time.perf_counter() - started) * 1000, 1)},
                )


OPERATIONS_ACCESS = {"GET /healthz": PUBLIC, "GET /metrics": OPERATIONS}


def ops_router(registry: CollectorRegistry, ready: Callable[[], Awaitable[dict[str, bool]]]) -> APIRouter:
    router = APIRouter(tags=["operations"], route_class=GuardedRoute)

    @router.get("/healthz", summary="Liveness and readiness: store and broker reachable")
    async def healthz() -> JSONResponse:
        checks = await ready()
        ok = all(checks.values())
        return JSONResponse(status_code=200 if ok else 503, content={"status": "ok" if ok else "degraded", "checks": checks})

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
