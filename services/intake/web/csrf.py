"""CSRF protection for server-rendered forms: a token in a hidden field of every form, that a POST
must carry, which someone who can only plant cookies cannot forge.

Two kinds of token, told apart by the request:
- with a staff session (its cookie is sent): the token is an HMAC, under the server's key, of the
  session's token. It is checked against the session, not against a cookie, so a token planted
  in the browser before login (a sibling subdomain, a plain-HTTP network attacker) is worthless
  after it, and each login gets a token of its own (`issue_csrf_cookie` at login and logout);
- without one (the residents' forms, the login form): double-submit. A random nonce signed by
  the server lives in a `SameSite=Strict; HttpOnly` cookie and in the form; a POST is accepted
  only when both are equal and the signature is ours. A value we did not issue is never taken
  over into a form: the page issues a new one.

Keys: `DOITHOAI_AUTH_KEYS` (shared/auth/tokens.py), each turned into a CSRF-only key so that no
token of one kind is ever a valid signature of the other; the first signs, every one verifies.
Unset, the app makes a random key of its own (as tokens.py does): forms open across a restart
then ask to be reloaded.

Over HTTPS the cookie is `__Host-doithoai_csrf` (Secure, Path=/, no Domain: a sibling subdomain
or plain HTTP cannot set it); over plain HTTP (`make run`) it is `doithoai_csrf`, the
same rule as the session cookie's `Secure`.

Usage:

    token = csrf_token(request)                  # when rendering a form: {{ csrf_token }}
    set_csrf_cookie(request, response, token)    # on the rendered response
    if not csrf_ok(request, form): ...           # first thing in a POST handler -> 403
    issue_csrf_cookie(request, response, session_token)   # at login (None: at logout)
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from services.intake.access import STAFF_SESSION_COOKIE
from shared.auth.tokens import parse_keys, random_keys

CSRF_COOKIE = "doithoai_csrf"
CSRF_COOKIE_HTTPS = "__Host-" + CSRF_COOKIE
CSRF_FIELD = "csrf_token"
_MAX_AGE_S = 12 * 3600  # a form left open for half a day still posts
_NONCE_BYTES = 16
_MAC_BYTES = 32  # full HMAC-SHA256
_KEY_LABEL = b"doithoai csrf v1"
_ANONYMOUS, _SESSION = b"anonymous:", b"session:"
# base64url without padding: a signed nonce is 64 characters, a session-bound token 43.
_SIGNED = re.compile(r"[A-Za-z0-9_-]{64}")
_SESSION_MAX = 256  # a longer session cookie is not one we set


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _keys(request: Request) -> tuple[bytes, ...]:
    """The CSRF keys of this app, the signing one first (computed once per app)."""
    state = request.app.state
    keys: tuple[bytes, ...] | None = getattr(state, "csrf_keys", None)
    if keys is None:
        runtime = getattr(state, "runtime", None)
        configured = parse_keys(runtime.settings.auth_keys) if runtime is not None else ()
        keys = tuple(
            hmac.new(key.secret, _KEY_LABEL, hashlib.sha256).digest() for key in configured or random_keys()
        )
        state.csrf_keys = keys
    return keys


def _mac(key: bytes, kind: bytes, value: bytes) -> bytes:
    return hmac.new(key, kind + value, hashlib.sha256).digest()


def _session_of(request: Request) -> str | None:
    """The staff session cookie the browser sent, if any (valid or not: the staff guard judges
    that; a token bound to a dead session is useless to anyone)."""
    value = request.cookies.get(STAFF_SESSION_COOKIE)
    return value if value and len(value) <= _SESSION_MAX and value.isascii() else None


def _bound(key: bytes, session: str) -> str:
    return _b64(_mac(key, _SESSION, session.encode("ascii")))


def _new_anonymous(request: Request) -> str:
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return _b64(nonce + _mac(_keys(request)[0], _ANONYMOUS, nonce))


def _signed_by_us(request: Request, value: object) -> bool:
    if not (isinstance(value, str) and _SIGNED.fullmatch(value)):
        return False
    raw = base64.urlsafe_b64decode(value)  # 64 characters of the alphabet: always 48 bytes
    nonce, mac = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
    return any(hmac.compare_digest(mac, _mac(key, _ANONYMOUS, nonce)) for key in _keys(request))


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def cookie_name(request: Request) -> str:
    """`__Host-doithoai_csrf` over HTTPS, `doithoai_csrf` over plain HTTP."""
    return CSRF_COOKIE_HTTPS if _https(request) else CSRF_COOKIE


def csrf_token(request: Request) -> str:
    """The token for the forms of this response. With a staff session: the session's. Without:
    the browser's current one if we signed it (several open tabs keep working), else a new one."""
    cached = getattr(request.state, "csrf_token", None)
    if cached:
        return cached
    session = _session_of(request)
    if session is not None:
        token = _bound(_keys(request)[0], session)
    else:
        current = request.cookies.get(cookie_name(request))
        token = (
            current if current is not None and _signed_by_us(request, current) else _new_anonymous(request)
        )
    request.state.csrf_token = token
    return token


def set_csrf_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        cookie_name(request),
        token,
        max_age=_MAX_AGE_S,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_https(request),
    )


def issue_csrf_cookie(request: Request, response: Response, session_token: str | None) -> str:
    """A fresh token on `response`, at login (bound to the new session's token) and at logout
    (None: a new anonymous one), so no token outlives the session it was used with."""
    if session_token is None:
        token = _new_anonymous(request)
    else:
        token = _bound(_keys(request)[0], session_token)
    request.state.csrf_token = token
    set_csrf_cookie(request, response, token)
    return token


def csrf_ok(request: Request, form: Mapping[str, object], *, before_login: bool = False) -> bool:
    """With a staff session: the form's token is the session's (under any of our keys). Without:
    the form's token equals the cookie's and carries our signature. `before_login` (the login
    form): either, since a login form opened before another tab signed in carries the anonymous
    token while the browser now sends a session. Comparisons in constant time."""
    field = form.get(CSRF_FIELD)
    if not (isinstance(field, str) and field.isascii() and 0 < len(field) <= 128):
        return False
    session = _session_of(request)
    if session is not None:
        given = field.encode("ascii")
        if any(hmac.compare_digest(given, _bound(key, session).encode("ascii")) for key in _keys(request)):
            return True
        if not before_login:
            return False
    cookie = request.cookies.get(cookie_name(request))
    if cookie is None or not cookie.isascii():
        return False
    return hmac.compare_digest(cookie.encode("ascii"), field.encode("ascii")) and _signed_by_us(
        request, field
    )


CSRF_FAILED_VI = (
    "Biểu mẫu đã hết hạn hoặc không hợp lệ (thiếu mã bảo vệ). Vui lòng tải lại trang rồi gửi lại."
)
