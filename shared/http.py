"""HTTP plumbing shared by the services: bilingual validation errors, bounded bodies and forms,
correlation ids, security headers, health and metrics."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from http import HTTPStatus
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from pymongo.errors import ConnectionFailure
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.auth.guard import AccessGuard, GuardedRoute
from shared.auth.policy import OPERATIONS, PUBLIC, AccessTable
from shared.error_pages import error_json, error_page, wants_html
from shared.forms import STARLETTE_TOO_MANY, FormNotUtf8, FormTooLarge
from shared.ids import new_id

# pydantic error type -> (Vietnamese, English) message. Anything else falls back to pydantic's text.
_MESSAGES: Mapping[str, tuple[str, str]] = {
    "missing": ("Thiếu thông tin bắt buộc.", "This field is required."),
    "string_too_long": (
        "Nội dung quá dài: tối đa {max_length} ký tự.",
        "Too long: at most {max_length} characters.",
    ),
    "string_too_short": (
        "Nội dung quá ngắn: tối thiểu {min_length} ký tự.",
        "Too short: at least {min_length} characters.",
    ),
    "enum": (
        "Giá trị không hợp lệ; chọn một trong: {expected}.",
        "Invalid value; expected one of: {expected}.",
    ),
    "literal_error": (
        "Giá trị không hợp lệ; chọn một trong: {expected}.",
        "Invalid value; expected one of: {expected}.",
    ),
    "string_type": ("Phải là chuỗi ký tự.", "Must be a string."),
    "bool_type": ("Phải là true hoặc false.", "Must be true or false."),
    "json_invalid": (
        "Dữ liệu gửi lên không phải JSON hợp lệ (hoặc không phải UTF-8).",
        "The body is not valid JSON (or not UTF-8).",
    ),
    "model_attributes_type": (
        "Dữ liệu gửi lên phải là một đối tượng JSON.",
        "The body must be a JSON object.",
    ),
    "dict_type": ("Dữ liệu gửi lên phải là một đối tượng JSON.", "The body must be a JSON object."),
    "extra_forbidden": ("Trường này không được chấp nhận.", "This field is not accepted."),
    "string_pattern_mismatch": ("Định dạng không hợp lệ.", "Invalid format."),
    "less_than_equal": ("Giá trị phải nhỏ hơn hoặc bằng {le}.", "Must be at most {le}."),
    "less_than": ("Giá trị phải nhỏ hơn {lt}.", "Must be less than {lt}."),
    "greater_than_equal": ("Giá trị phải lớn hơn hoặc bằng {ge}.", "Must be at least {ge}."),
    "greater_than": ("Giá trị phải lớn hơn {gt}.", "Must be greater than {gt}."),
    "int_parsing": ("Phải là một số nguyên.", "Must be a whole number."),
    "int_type": ("Phải là một số nguyên.", "Must be a whole number."),
    "value_error": ("{reason_vi}", "{reason_en}"),
}


class BilingualError(ValueError):
    """Raised by validators with a message for residents (Vietnamese) and for developers."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def _describe(error: Mapping[str, Any]) -> dict[str, Any]:
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
        # pydantic words a choice in English ("'a', 'b' or 'c'"): the Vietnamese reads "hoặc"
        vi_ctx = (
            {**ctx, "expected": str(ctx["expected"]).replace("' or '", "' hoặc '")}
            if "expected" in ctx
            else ctx
        )
        try:
            vi, en = vi_t.format(**vi_ctx), en_t.format(**ctx)
        except (KeyError, IndexError):
            vi, en = vi_t, error.get("msg", en_t)
    return {"field": ".".join(loc) or "body", "type": error.get("type"), "message_vi": vi, "message_en": en}


def error_body(errors: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    described = [_describe(e) for e in errors]
    return {
        "error": "validation_failed",
        "message_vi": "Dữ liệu không hợp lệ: "
        + "; ".join(f"{d['field']}: {d['message_vi']}" for d in described),
        "message_en": "Invalid input: " + "; ".join(f"{d['field']}: {d['message_en']}" for d in described),
        "detail": described,
    }


# Errors a route finds in a body with the app's own data (a hamlet the commune does not have),
# given the request and the body as sent; the same shape as pydantic's (`loc`, `type`, `msg`, `ctx`).
BodyCheck = Callable[[Request, Mapping[str, Any]], Awaitable[Sequence[Mapping[str, Any]]]]
_BODY_CHECK = "doithoai_body_check"
Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def checks_body_with(check: BodyCheck) -> Callable[[Endpoint], Endpoint]:
    """Marks a route's endpoint (put it under the route's decorator): when the body fails
    validation, the 422 adds what `check` finds to the validation errors, so one answer names
    every wrong field rather than the data checks only once the rest is right. When the body
    validates, the endpoint makes the same checks itself."""

    def mark(endpoint: Endpoint) -> Endpoint:
        setattr(endpoint, _BODY_CHECK, check)
        return endpoint

    return mark


async def _with_body_checks(request: Request, exc: RequestValidationError) -> list[Any]:
    errors = list(exc.errors())
    check = getattr(request.scope.get("endpoint"), _BODY_CHECK, None)
    if check is None or not isinstance(exc.body, Mapping):
        return errors
    named = {tuple(e.get("loc", ())) for e in errors}
    try:
        found = await check(request, exc.body)
    except Exception:  # the body's own errors are still worth answering
        _server_errors_log.warning("body check failed", exc_info=True, extra={"path": request.url.path})
        return errors
    return errors + [e for e in found if tuple(e.get("loc", ())) not in named]


def too_many_submissions(limit: int) -> JSONResponse:
    """422 for a `submission_id` query parameter naming more than `limit` submissions."""
    error = {
        "loc": ("query", "submission_id"),
        "type": "too_long",
        "msg": f"At most {limit} submissions.",
        "ctx": {
            "reason_vi": f"Chỉ hỏi tối đa {limit} ý kiến một lần.",
            "reason_en": f"At most {limit} submissions at a time.",
        },
    }
    return JSONResponse(status_code=422, content=error_body([error]))


def problem(status: int, code: str, vi: str, en: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": code, "message_vi": vi, "message_en": en})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(status_code=422, content=error_body(await _with_body_checks(request, exc)))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        # FastAPI reports a body it cannot decode (e.g. invalid UTF-8) as a bare 400.
        if exc.status_code == 400 and exc.detail == "There was an error parsing the body":
            return JSONResponse(
                status_code=422,
                content=error_body(
                    [{"loc": ("body",), "type": "json_invalid", "msg": "invalid JSON or UTF-8"}]
                ),
            )
        # Starlette's form parser refusing a form that holds more fields or files than asked.
        if exc.status_code == 400 and str(exc.detail).startswith(STARLETTE_TOO_MANY):
            return too_many_fields(request, None)
        return error_response(request, exc.status_code, exc.detail, exc.headers)

    @app.exception_handler(FormTooLarge)
    async def on_form_too_large(request: Request, exc: FormTooLarge) -> Response:
        return too_many_fields(request, exc.limit)

    @app.exception_handler(FormNotUtf8)
    async def on_form_not_utf8(request: Request, exc: FormNotUtf8) -> Response:
        return form_not_utf8(request)

    @app.exception_handler(ConnectionFailure)
    async def on_store_down(_: Request, exc: ConnectionFailure) -> JSONResponse:
        # Nothing can be stored or read: say so and when to retry, rather than a bare 500.
        response = problem(
            503,
            "store_unavailable",
            "Hệ thống tạm thời gián đoạn, vui lòng thử lại sau ít phút.",
            "The store is unavailable; nothing was changed. Retry later.",
        )
        response.headers["Retry-After"] = "5"
        return response

    app.add_middleware(_ServerErrors)


def _has_home(app: Any) -> bool:
    """Whether `/` is the residents' home here: intake serves it; a process of another service
    alone has none (an app without service parts is taken to have one)."""
    parts = getattr(getattr(app, "state", None), "parts", None)
    return parts is None or "intake" in parts


def error_response(
    request: Request, status: int, detail: Any = None, headers: Mapping[str, str] | None = None
) -> Response:
    """The answer for an HTTP error no route handled (unknown address, method not allowed…): the
    Vietnamese page for a browser, else bilingual JSON (`error`, `message_vi`, `message_en`).
    A detail other than the status's standard phrase is kept as the English message."""
    response: Response
    if wants_html(request.headers):
        page = error_page(status, request.url.path, has_home=_has_home(request.app))
        response = HTMLResponse(page, status_code=status)
    else:
        body = error_json(status)
        if isinstance(detail, str) and detail and detail != _phrase(status):
            body["message_en"] = detail
        response = JSONResponse(status_code=status, content=body)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


_server_errors_log = logging.getLogger("doithoai.errors")


class _ServerErrors:
    """Any exception no handler answered: logged once with the request's correlation id, and
    answered 500 with that id (the Vietnamese page for a browser, else bilingual JSON), so the
    person can quote it and the operator finds the log line. Installed inside the request
    context (which sets the id) and the security headers (which the answer gets too). When the
    response had already started, the connection is closed instead."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            correlation_id = str(scope.get("state", {}).get("correlation_id", "")) or new_id()
            _server_errors_log.exception(
                "unhandled error in %s %s",
                scope.get("method", ""),
                scope.get("path", ""),
                extra={"correlation_id": correlation_id},
            )
            if started:
                raise
            response: Response
            if wants_html(Headers(scope=scope)):
                page = error_page(
                    500,
                    scope.get("path", ""),
                    correlation_id=correlation_id,
                    has_home=_has_home(scope.get("app")),
                )
                response = HTMLResponse(page, status_code=500)
            else:
                response = JSONResponse(status_code=500, content=error_json(500, correlation_id))
            await response(scope, receive, send)


# ---- forms: a bounded number of fields, in UTF-8 (`shared.forms`) --------------------------------


def form_not_utf8(request: Request) -> Response:
    """400 for a urlencoded form that is not UTF-8 text."""
    vi = "Biểu mẫu gửi lên không phải văn bản UTF-8; vui lòng gửi lại (mã hoá UTF-8)."
    return _form_refused(request, 400, "form_not_utf8", vi, "The form body is not UTF-8 text.")


def too_many_fields(request: Request, limit: int | None) -> Response:
    """413 for a form with too many fields."""
    at_most_vi, at_most_en = (f" (tối đa {limit})", f" (at most {limit})") if limit else ("", "")
    vi = f"Biểu mẫu gửi lên có quá nhiều trường{at_most_vi}; vui lòng gửi lại từ trang biểu mẫu."
    return _form_refused(request, 413, "too_many_fields", vi, f"The form holds too many fields{at_most_en}.")


def _form_refused(request: Request, status: int, code: str, vi: str, en: str) -> Response:
    """A refused form: a page for a browser, else bilingual JSON."""
    if "text/html" in request.headers.get("accept", ""):
        page = (
            '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Biểu mẫu không hợp lệ</title></head>"
            f"<body><h1>Biểu mẫu không hợp lệ</h1><p>{vi}</p></body></html>"
        )
        return HTMLResponse(page, status_code=status)
    return problem(status, code, vi, en)


# The middlewares below are plain ASGI: Starlette's `@app.middleware("http")` wraps each
# request in a task group and a memory stream per layer, a cost on every request that plain
# ASGI does not add.


def install_body_limit(app: FastAPI, max_bytes: int, larger: Mapping[str, int] | None = None) -> None:
    """Refuse oversized bodies before parsing them (413 with a bilingual message). `larger`
    allows more on the paths that take uploads or documents: exact paths, or route templates
    whose `{parameter}` parts stand for one path segment (`/api/v1/communes/{commune_id}/x`)."""
    app.add_middleware(_BodyLimit, max_bytes=max_bytes, larger=_PathLimits(larger or {}))


class _PathLimits:
    """Per-path body limits: exact paths by dictionary look-up, templates by pattern."""

    def __init__(self, limits: Mapping[str, int]) -> None:
        self.exact = {path: size for path, size in limits.items() if "{" not in path}
        self.templates = [
            (re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"), size)
            for path, size in limits.items()
            if "{" in path
        ]

    def get(self, path: str, default: int) -> int:
        size = self.exact.get(path)
        if size is not None:
            return size
        for pattern, limit in self.templates:
            if pattern.match(path):
                return limit
        return default


def _body_too_large(limit: int, scope: Scope) -> Response:
    """413: the Vietnamese page for a browser (a form posted without the page's script), else
    bilingual JSON naming the limit."""
    if wants_html(Headers(scope=scope)):
        return HTMLResponse(error_page(413, scope["path"]), status_code=413)
    return problem(
        413,
        "body_too_large",
        f"Dữ liệu gửi lên quá lớn (tối đa {limit // 1024} kB).",
        f"Request body too large (at most {limit // 1024} kB).",
    )


async def _disconnected() -> Message:
    return {"type": "http.disconnect"}


async def _refusal_before_body(scope: Scope) -> Response | None:
    """The app's access guard (`app.state.guard`) on a request whose body will not be read: a
    caller the route refuses is answered 401/403/404, as without the body, rather than 413."""
    guard = getattr(getattr(scope.get("app"), "state", None), "guard", None)
    return await guard.refusal_before_body(scope) if isinstance(guard, AccessGuard) else None


class _BodyLimit:
    """A declared Content-Length over the limit is refused before the app runs: with the access
    guard's refusal where the route refuses the caller on its headers (a body is judged only for
    callers the route would let in), else 413. Any other body (chunked has no length) is
    counted as the app reads it, which is after the route's guard has let the caller in: once
    past the limit, the client is answered 413 (or, if the app already started its response, the
    rest of it is dropped and the connection closes), the app reads a disconnect, and no more of
    the body is read. Nothing is buffered here."""

    def __init__(self, app: ASGIApp, max_bytes: int, larger: _PathLimits | Mapping[str, int]) -> None:
        self.app, self.max_bytes = app, max_bytes
        self.larger = larger if isinstance(larger, _PathLimits) else _PathLimits(larger)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.max_bytes)
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > limit:
            refused_caller = await _refusal_before_body(scope)
            await (refused_caller or _body_too_large(limit, scope))(scope, receive, send)
            return
        received = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await _body_too_large(limit, scope)(scope, _disconnected, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the client has its 413, or the connection is being closed
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not refused:
                raise
            # The app failed on the disconnect it was handed; the client was answered already.


OVERLOADED_VI = "Hệ thống đang quá tải, chưa nhận được; vui lòng gửi lại sau ít giây."
OVERLOADED_PAGE_VI = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1">'
    "<title>Hệ thống đang quá tải</title></head>"
    f"<body><h1>Hệ thống đang quá tải</h1><p>{OVERLOADED_VI} "
    "Nội dung bạn vừa gửi chưa được lưu: hãy bấm quay lại rồi gửi lần nữa.</p></body></html>"
)
_OPERATIONS_PATHS = ("/healthz", "/metrics")


def install_load_shedding(app: FastAPI, max_in_flight: int, registry: CollectorRegistry) -> None:
    """Answer 503 with Retry-After at once when `max_in_flight` requests are already being
    served, instead of queueing them: a store slower than the offered load would otherwise
    hold every waiting request (and its memory) until it gets round to it. Nothing refused
    here was stored, so a client may simply send it again. /healthz and /metrics are never shed."""
    shed = Counter(
        "doithoai_http_requests_shed_total",
        "Requests answered 503 because too many were already in flight.",
        registry=registry,
    )
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
            if "text/html" in Headers(scope=scope).get(
                "accept", ""
            ):  # a person at a browser: a page, not JSON
                response: Response = HTMLResponse(OVERLOADED_PAGE_VI, status_code=503)
            else:
                response = problem(
                    503,
                    "overloaded",
                    OVERLOADED_VI,
                    "Too many requests in progress; nothing was stored. Retry in a few seconds.",
                )
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


_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def correlation_id_from(supplied: str) -> str:
    """The caller's id when it is 1-64 of [A-Za-z0-9._:-] (what an envelope, a log line and a
    header can carry as is), else a new one."""
    return supplied if _CORRELATION_ID.fullmatch(supplied) else new_id()


class _RequestContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.access = logging.getLogger("doithoai.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = correlation_id_from(Headers(scope=scope).get("x-correlation-id", ""))
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
                    "%s %s %d",
                    scope["method"],
                    scope["path"],
                    status,
                    extra={
                        "correlation_id": correlation_id,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )


# What every HTML page gets unless it set its own: no framing, no plugins, scripts and styles
# only from this site (inline styles allowed: the document previews and public page use them).
HTML_SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
# FastAPI's /docs and /redoc load Swagger UI and ReDoc from jsDelivr (ReDoc also Google Fonts
# and a blob: worker) and start them with an inline script.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; worker-src 'self' blob:; "
    "object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def install_security_headers(app: FastAPI) -> None:
    """Add to every `text/html` response the headers of HTML_SECURITY_HEADERS it lacks (the docs
    pages get DOCS_CSP), and `X-Content-Type-Options: nosniff` to every response. A header the
    app set itself is kept."""
    docs = (app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url if app.docs_url else None)
    app.add_middleware(_SecurityHeaders, docs_paths=frozenset(p for p in docs if p))


def _encoded(headers: Mapping[str, str]) -> tuple[tuple[bytes, bytes], ...]:
    return tuple((name.lower().encode(), value.encode()) for name, value in headers.items())


_NOSNIFF = _encoded({"X-Content-Type-Options": "nosniff"})


class _SecurityHeaders:
    def __init__(self, app: ASGIApp, docs_paths: frozenset[str]) -> None:
        self.app, self.docs_paths = app, docs_paths
        self.html = _encoded(HTML_SECURITY_HEADERS)
        self.docs_html = _encoded({**HTML_SECURITY_HEADERS, "Content-Security-Policy": DOCS_CSP})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        html = self.docs_html if scope["path"] in self.docs_paths else self.html

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                content_type = next(
                    (value for name, value in headers if name.lower() == b"content-type"), b""
                )
                wanted = html if content_type.lower().startswith(b"text/html") else _NOSNIFF
                missing = [(name, value) for name, value in wanted if name not in present]
                if missing:
                    message = {**message, "headers": headers + missing}
            await send(message)

        await self.app(scope, receive, send_with_headers)


OPERATIONS_ACCESS: AccessTable = {"GET /healthz": PUBLIC, "GET /metrics": OPERATIONS}


def ops_router(registry: CollectorRegistry, ready: Callable[[], Awaitable[dict[str, bool]]]) -> APIRouter:
    router = APIRouter(tags=["operations"], route_class=GuardedRoute)

    @router.get("/healthz", summary="Liveness and readiness: store and broker reachable")
    async def healthz() -> JSONResponse:
        checks = await ready()
        ok = all(checks.values())
        return JSONResponse(
            status_code=200 if ok else 503, content={"status": "ok" if ok else "degraded", "checks": checks}
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
