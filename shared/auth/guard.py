"""The guard every route of every service goes through (`GuardedRoute`).

It runs before the route reads its body or parameters: it finds the route's policy in the
service's table, reads the credential (a bearer token, or an API key where the service can
resolve one; a token minted from an API key that is revoked since is refused, `RevokedKeys`),
answers 401/403 as the policy decides, and records every change made through
an API in the service's audit trail with the principal. Handlers read the principal from
`request.state.principal` (`principal_of`, `actor`).
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.types import Scope as AsgiScope

from shared.auth.policy import Gate, Policy, route_key
from shared.auth.principal import Principal, PrincipalKind
from shared.auth.revocation import RevokedKeys
from shared.auth.tokens import TokenInvalid, Tokens
from shared.error_pages import error_page
from shared.forms import FormNotUtf8, FormTooLarge, field_of_any_text, read_form

log = logging.getLogger(__name__)

API_KEY_PREFIX = "dtk_"
# What the request's principal was read from (`credential_of`).
TOKEN, API_KEY = "token", "api_key"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

ApiKeyResolver = Callable[[str], Awaitable[Principal | None]]
# service, principal, action, target (the route's path parameters), status
AuditSink = Callable[[str, Principal, str, dict[str, Any], int], Awaitable[None]]


_OPEN311_KEY_REFUSED = (
    "Thiếu khóa truy cập (api_key), khóa không hợp lệ hoặc không dùng được cho xã/phường này.",
    "api_key was not provided or is invalid for this jurisdiction.",
)
# status -> (Vietnamese, English, error code)
_REFUSALS: dict[int, tuple[str, str, str]] = {
    401: (
        "Cần đăng nhập hoặc khóa truy cập hợp lệ.",
        "Authentication required: a valid token or API key.",
        "unauthenticated",
    ),
    403: (
        "Tài khoản hoặc khóa truy cập không có quyền thực hiện việc này.",
        "This principal may not do this.",
        "forbidden",
    ),
}


def refusal(status: int, path: str = "", accept: str = "") -> Response:
    """The bilingual refusal; Open311's paths answer as GeoReport v2 says (`open311_refusal`), and
    a person at a browser (`accept` names text/html) gets the Vietnamese error page."""
    if path.startswith("/open311/"):
        return open311_refusal(path)
    vi, en, code = _REFUSALS[status]
    content = {"error": code, "message_vi": vi, "message_en": en}
    response: Response
    if "text/html" in accept.lower():
        response = HTMLResponse(error_page(status, path), status_code=status)
    else:
        response = JSONResponse(status_code=status, content=content)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="doithoai"'
    return response


def open311_refusal(path: str) -> Response:
    """GeoReport v2 has one answer for a missing, wrong or another jurisdiction's `api_key`: 403
    ("api_key was not provided or is invalid"), as `[{code, description}]`, in XML for a `.xml`
    path."""
    status = 403
    vi, en = _OPEN311_KEY_REFUSED
    description = f"{vi} / {en}"
    if path.endswith(".xml"):
        root = ElementTree.Element("errors")
        error = ElementTree.SubElement(root, "error")
        ElementTree.SubElement(error, "code").text = str(status)
        ElementTree.SubElement(error, "description").text = description
        body = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
        return Response(body, status_code=status, media_type="application/xml; charset=utf-8")
    return JSONResponse(status_code=status, content=[{"code": status, "description": description}])


@dataclass(frozen=True)
class GuardedPolicy:
    service: str
    policy: Policy


@dataclass(frozen=True)
class _Template:
    """A route key's path template as a pattern; `literal` counts the characters outside its
    parameters, so where two templates match a path the more literal one is the route's."""

    method: str
    pattern: re.Pattern[str]
    literal: int
    guarded: GuardedPolicy


_PARAMETER = re.compile(r"(\{[^/{}]+\})")


def _template(key: str, guarded: GuardedPolicy) -> _Template:
    method, _, path = key.partition(" ")
    parts = _PARAMETER.split(path)
    regex = "".join(
        f"(?P<{part[1:-1].partition(':')[0]}>[^/]+)" if _PARAMETER.fullmatch(part) else re.escape(part)
        for part in parts
    )
    literal = sum(len(part) for part in parts if not _PARAMETER.fullmatch(part))
    return _Template(method, re.compile(f"^{regex}$"), literal, guarded)


class AccessGuard:
    """One per app: the merged access tables of the services it serves."""

    def __init__(
        self,
        tokens: Tokens,
        table: Mapping[str, GuardedPolicy],
        *,
        api_keys: ApiKeyResolver | None = None,
        audit: AuditSink | None = None,
        metrics_token: str = "",
        revoked_keys: RevokedKeys | None = None,
    ) -> None:
        self.tokens = tokens
        # Without one, every API key's token is refused (fails closed): `build_app` passes the store's.
        self.revoked_keys = revoked_keys
        self.table = dict(table)
        self.api_keys = api_keys
        self.audit = audit
        self.metrics_token = metrics_token
        self._templates = [_template(key, guarded) for key, guarded in self.table.items()]

    def _route_of(self, method: str, path: str) -> tuple[GuardedPolicy, dict[str, str]] | None:
        """The policy and path parameters of the route a request goes to, from the table alone."""
        best: tuple[int, GuardedPolicy, dict[str, str]] | None = None
        for template in self._templates:
            if template.method != method:
                continue
            found = template.pattern.match(path)
            if found and (best is None or template.literal > best[0]):
                best = (template.literal, template.guarded, found.groupdict())
        return None if best is None else (best[1], best[2])

    async def refusal_before_body(self, scope: AsgiScope) -> Response | None:
        """For a request whose body will not be read (it is over the size limit): the refusal
        (401/403) its route's policy gives on the headers and query string alone, so a caller
        the route refuses learns that first and nothing about the body (on a public route: a wrong
        credential, or another commune's). None where the policy lets the caller in, on operations,
        and where the credential may be in the unread body (a `key_param` route with no credential
        in headers or query). A staff page is refused 401 when its session cookie was not sent at
        all; a cookie sent is left to the page's own guard, which reads the body only once it
        has taken the session."""
        route = self._route_of(scope["method"], scope["path"])
        if route is None:
            return None
        guarded, path_params = route
        policy = guarded.policy
        request = Request(scope)  # no receive channel: the body cannot be read from here
        accept = request.headers.get("accept", "")
        if policy.gate is Gate.STAFF_PAGE and policy.session_cookie:
            return None if request.cookies.get(policy.session_cookie) else refusal(401, scope["path"], accept)
        if policy.gate not in (Gate.PRINCIPAL, Gate.PUBLIC):
            return None
        principal, presented = await self._credential(request, policy, read_body=False)
        if presented and principal is None:
            return refusal(401, scope["path"], accept)
        if not presented and policy.key_param:
            return None
        status = policy.decide(principal, path_params.get("commune_id"))
        return None if status == 200 else refusal(status, scope["path"], accept)

    async def _credential(
        self, request: Request, policy: Policy, *, read_body: bool = True
    ) -> tuple[Principal | None, bool]:
        """(principal, presented): `presented` is True when a credential was sent at all. Without
        `read_body` a `key_param` is looked for in the query string only."""
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        value = value.strip()
        api_key = request.headers.get("x-api-key", "").strip()
        if scheme.lower() == "apikey":
            api_key = value
        elif scheme.lower() == "bearer" and value.startswith(API_KEY_PREFIX):
            api_key = value
        elif scheme.lower() == "bearer" and value:
            try:
                principal = self.tokens.verify(value[:4096])
            except TokenInvalid:
                return None, True
            if await self._key_revoked(principal):
                return None, True
            request.state.credential = TOKEN
            return principal, True
        elif header:
            return None, True
        if not api_key and policy.key_param:
            if read_body:
                api_key = await _key_param(request, policy.key_param)
            else:
                api_key = request.query_params.get(policy.key_param, "")
        if api_key:
            if (
                self.api_keys is None
            ):  # this service resolves no keys: exchange one at intake's /api/v1/auth/token
                return None, True
            request.state.credential = API_KEY
            return await self.api_keys(api_key[:256]), True
        return None, False

    async def _key_revoked(self, principal: Principal) -> bool:
        """Whether a token was minted from an API key that is revoked since (every service reads
        the keys from the shared store, `RevokedKeys`); with no store to ask, such a token is
        refused (fails closed). Staff users' and services' tokens are not keys'."""
        if principal.kind is not PrincipalKind.API_KEY:
            return False
        if self.revoked_keys is None:
            log.warning("an API key's token refused: no store to read the key's revocation from")
            return True
        return await self.revoked_keys.refused(principal)

    def _operations_allowed(self, request: Request) -> bool:
        if not self.metrics_token:
            return True
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode(), self.metrics_token.encode()
        )

    async def run(
        self, request: Request, path: str, name: str, inner: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        accept = request.headers.get("accept", "")
        shown = request.url.path  # what a refusal answers for (`path` is the route's template)
        guarded = self.table.get(route_key(request.method, path))
        if guarded is None and request.method == "HEAD":
            guarded = self.table.get(route_key("GET", path))
        if guarded is None:
            log.error(
                "route without an access policy refused", extra={"route": route_key(request.method, path)}
            )
            return refusal(403, shown, accept)
        policy = guarded.policy
        if policy.gate is Gate.STAFF_PAGE:
            return await inner(request)
        if policy.gate is Gate.OPERATIONS:
            return await inner(request) if self._operations_allowed(request) else refusal(401, shown, accept)
        principal, presented = await self._credential(request, policy)
        if presented and principal is None:
            return refusal(401, shown, accept)  # a wrong or expired credential is never taken as anonymous
        status = policy.decide(principal, request.path_params.get("commune_id"))
        if status != 200:
            return refusal(status, shown, accept)
        request.state.principal = principal
        response = await inner(request)
        if (
            policy.gate is Gate.PRINCIPAL
            and principal is not None
            and request.method not in SAFE_METHODS
            and self.audit is not None
        ):
            try:
                await self.audit(
                    guarded.service, principal, name, dict(request.path_params), response.status_code
                )
            except Exception:
                log.warning(
                    "audit record failed", exc_info=True, extra={"route": route_key(request.method, path)}
                )
        return response


async def _key_param(request: Request, field: str) -> str:
    if field in request.query_params:
        return request.query_params[field]
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        try:  # the form parsed once: the route reads the same one
            value = (await read_form(request)).get(field)
        except (FormNotUtf8, FormTooLarge):
            # read leniently: a caller with a key is told what is wrong with its form (too many
            # fields, not UTF-8) by the route, after the key was checked
            return field_of_any_text(await request.body(), field)
        return value if isinstance(value, str) else ""
    if content_type.startswith("multipart/form-data"):
        value = (await request.form()).get(field)
        return value if isinstance(value, str) else ""
    if content_type.startswith("application/json"):
        try:
            body = await request.json()
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            return ""
        value = body.get(field) if isinstance(body, dict) else None
        return value if isinstance(value, str) else ""
    return ""


class GuardedRoute(APIRoute):
    """The route class of every router: the app's guard (`app.state.guard`) runs first."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()
        path, name = self.path, self.name

        async def guarded(request: Request) -> Response:
            guard: AccessGuard = request.app.state.guard
            return await guard.run(request, path, name, inner)

        return guarded


def principal_of(request: Request) -> Principal | None:
    return getattr(request.state, "principal", None)


def credential_of(request: Request) -> str | None:
    """`TOKEN` or `API_KEY`: what the principal of the request was read from (None: nothing)."""
    return getattr(request.state, "credential", None)


def actor(request: Request) -> str:
    """What a change records as its author: always the principal, never the body."""
    principal = principal_of(request)
    return principal.name if principal else "anonymous"
