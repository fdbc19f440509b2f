"""CSRF protection for server-rendered forms: the double-submit token.

A random token lives in a `SameSite=Strict; HttpOnly` cookie and in a hidden field of every
form the page renders; a POST is accepted only when both are present and equal (compared in
constant time). Another site can make a browser send the cookie only on same-site requests
(SameSite=Strict) and cannot read it to copy it into the form (HttpOnly, same-origin policy).

Usage (residents' pages now, the staff area later):

    token = csrf_token(request)                  # when rendering a form: {{ csrf_token }}
    set_csrf_cookie(request, response, token)    # on the rendered response
    if not csrf_ok(request, form): ...           # first thing in a POST handler -> 403
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

CSRF_COOKIE = "doithoai_csrf"
CSRF_FIELD = "csrf_token"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,128}$")
_MAX_AGE_S = 12 * 3600  # a form left open for half a day still posts


def _well_formed(value: object) -> bool:
    return isinstance(value, str) and bool(_TOKEN.match(value))


def csrf_token(request: Request) -> str:
    """The token for the forms of this response: the browser's current one if it has a valid
    one (several open tabs keep working), else a new random one."""
    cached = getattr(request.state, "csrf_token", None)
    if cached:
        return cached
    current = request.cookies.get(CSRF_COOKIE)
    token = current if current is not None and _well_formed(current) else secrets.token_urlsafe(32)
    request.state.csrf_token = token
    return token


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=_MAX_AGE_S,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def csrf_ok(request: Request, form: Mapping[str, object]) -> bool:
    """True when the form's hidden token equals the cookie's (constant-time comparison)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    field = form.get(CSRF_FIELD)
    if not (_well_formed(cookie) and _well_formed(field)):
        return False
    return hmac.compare_digest(str(cookie).encode("ascii"), str(field).encode("ascii"))


CSRF_FAILED_VI = (
    "Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã bảo vệ). Vui lòng tải lại trang rồi gửi lại."
)
