"""csrf.py's rules on bare requests: which tokens a form gets, which a POST passes with."""

from __future__ import annotations

from types import SimpleNamespace

from starlette.datastructures import State
from starlette.requests import Request
from starlette.responses import Response

from services.intake.access import STAFF_SESSION_COOKIE
from services.intake.web.csrf import (
    CSRF_COOKIE,
    CSRF_COOKIE_HTTPS,
    CSRF_FIELD,
    cookie_name,
    csrf_ok,
    csrf_token,
    issue_csrf_cookie,
)

KEY_1 = "k1:" + "1" * 40
KEY_2 = "k2:" + "2" * 40


def app(auth_keys: str | None = KEY_1) -> SimpleNamespace:
    state = State()
    if auth_keys is not None:
        state.runtime = SimpleNamespace(settings=SimpleNamespace(auth_keys=auth_keys))
    return SimpleNamespace(state=state)


def request(on: SimpleNamespace, cookies: dict[str, str] | None = None, scheme: str = "http") -> Request:
    header = "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())
    return Request(
        {
            "type": "http",
            "method": "POST",
            "scheme": scheme,
            "server": ("t", 443 if scheme == "https" else 80),
            "path": "/",
            "query_string": b"",
            "headers": [(b"cookie", header.encode())] if header else [],
            "app": on,
        }
    )


def ok(on: SimpleNamespace, token: str, cookies: dict[str, str] | None = None, scheme: str = "http") -> bool:
    return csrf_ok(request(on, cookies, scheme), {CSRF_FIELD: token})


def test_an_anonymous_token_is_signed_and_kept_only_when_we_signed_it():
    site = app()
    token = csrf_token(request(site))
    assert len(token) == 64
    assert csrf_token(request(site, {CSRF_COOKIE: token})) == token  # another tab: the same token
    for planted in ("A" * 43, "A" * 64, token[:-1] + ("B" if token[-1] != "B" else "C")):
        fresh = csrf_token(request(site, {CSRF_COOKIE: planted}))
        assert fresh != planted and len(fresh) == 64
        assert not ok(site, planted, {CSRF_COOKIE: planted})
    assert ok(site, token, {CSRF_COOKIE: token})
    assert not ok(site, token)  # no cookie
    assert not ok(site, token, {CSRF_COOKIE: csrf_token(request(site))})  # another cookie


def test_only_our_keys_sign_and_a_key_being_rotated_out_still_verifies():
    old = csrf_token(request(app(KEY_2)))
    assert not ok(app(KEY_1), old, {CSRF_COOKIE: old})
    assert ok(app(f"{KEY_1},{KEY_2}"), old, {CSRF_COOKIE: old})
    assert len(csrf_token(request(app(f"{KEY_1},{KEY_2}")))) == 64


def test_without_configured_keys_an_app_signs_with_a_random_key_of_its_own():
    one, other = app(None), app(None)
    token = csrf_token(request(one))
    assert ok(one, token, {CSRF_COOKIE: token})
    assert not ok(other, token, {CSRF_COOKIE: token})


def test_with_a_session_the_token_is_the_sessions_whatever_the_cookie_says():
    site = app()
    session = {STAFF_SESSION_COOKIE: "s" * 43}
    token = csrf_token(request(site, session))
    assert len(token) == 43 and csrf_token(request(site, {**session, CSRF_COOKIE: "A" * 43})) == token
    assert ok(site, token, session) and ok(site, token, {**session, CSRF_COOKIE: "A" * 43})
    assert not ok(site, token, {STAFF_SESSION_COOKIE: "t" * 43})  # another session
    assert not ok(site, token)  # no session: the anonymous rule, and it is not signed as one
    anonymous = csrf_token(request(site))
    assert not ok(site, anonymous, {**session, CSRF_COOKIE: anonymous})
    assert ok(app(f"{KEY_2},{KEY_1}"), token, session)  # the key rotated: still this session's


def test_issuing_at_login_binds_to_the_new_session_and_at_logout_starts_afresh():
    site = app()
    login = request(site, {CSRF_COOKIE: "A" * 43})
    response = Response()
    token = issue_csrf_cookie(login, response, "n" * 43)
    assert ok(site, token, {STAFF_SESSION_COOKIE: "n" * 43})
    assert response.headers["set-cookie"].startswith(f"{CSRF_COOKIE}={token};")
    out = Response()
    after = issue_csrf_cookie(request(site, {STAFF_SESSION_COOKIE: "n" * 43}), out, None)
    assert after != token and ok(site, after, {CSRF_COOKIE: after})


def test_over_https_the_cookie_is_host_prefixed_and_the_plain_one_is_not_read():
    site = app()
    secure = request(site, {CSRF_COOKIE: "A" * 43}, scheme="https")
    assert cookie_name(secure) == CSRF_COOKIE_HTTPS
    response = Response()
    token = issue_csrf_cookie(secure, response, None)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{CSRF_COOKIE_HTTPS}={token};")
    assert "secure" in cookie.lower() and "Path=/" in cookie and "domain" not in cookie.lower()
    assert ok(site, token, {CSRF_COOKIE_HTTPS: token}, scheme="https")
    assert not ok(site, token, {CSRF_COOKIE: token}, scheme="https")
    assert cookie_name(request(site)) == CSRF_COOKIE
