"""The form token and the staff login, on the real broker and store (an outside probe): a token
planted in the browser before login, even one the site signed for someone else, is refused by
the staff pages after it; login and logout each issue a new token; over HTTPS the cookie is
`__Host-` prefixed and a plain-named one is ignored; the residents' forms replace a planted
value."""

from __future__ import annotations

import httpx
import pytest

from services.intake.web.csrf import CSRF_COOKIE
from tests.integration.test_login_bounds import PASSWORDS, client, staff_app
from tests.integration.test_web_staff import TOKEN

pytestmark = pytest.mark.integration
PLANTED = "A" * 43  # the probe's value: well formed for the old double-submit check
HOST_COOKIE = "__Host-" + CSRF_COOKIE


def plant(http: httpx.AsyncClient, value: str, name: str = CSRF_COOKIE) -> None:
    """What a sibling subdomain or a plain-HTTP attacker can do: overwrite the browser's cookie."""
    http.cookies.delete(name)
    http.cookies.set(name, value, domain="t.local", path="/")  # as the site's own: replaced, not added


async def page_token(http: httpx.AsyncClient, path: str) -> str:
    page = await http.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return TOKEN.search(page.text).group(1)


def set_token(response: httpx.Response, name: str = CSRF_COOKIE) -> str:
    """The CSRF cookie's value that `response` sets (it must set one)."""
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header.split(";", 1)[0].split("=", 1)[1]
    raise AssertionError(f"{name} not set: {response.headers.get_list('set-cookie')}")


async def log_in(http: httpx.AsyncClient, token: str) -> httpx.Response:
    return await http.post(
        "/login",
        data={
            "username": "demo.admin",
            "password": PASSWORDS["demo.admin"],
            "next": "/staff/",
            "csrf_token": token,
        },
    )


async def change_password(http: httpx.AsyncClient, token: str, new: str) -> httpx.Response:
    return await http.post(
        "/staff/mat-khau",
        data={"csrf_token": token, "current": PASSWORDS["demo.admin"], "new": new, "again": new},
    )


async def test_a_token_planted_before_login_is_refused_after_it(make_settings):
    async with staff_app(make_settings) as (app, _), client(app) as http:
        plant(http, PLANTED)
        login_token = await page_token(http, "/login")
        assert login_token != PLANTED  # not taken over into the form: not a token we issued
        answer = await log_in(http, login_token)
        assert answer.status_code == 303 and answer.headers["location"] == "/staff/"
        session_token = set_token(answer)  # the login answer issues a new token ...
        assert session_token not in (PLANTED, login_token)
        assert await page_token(http, "/staff/mat-khau") == session_token  # ... that the pages carry

        for value in (PLANTED, login_token):  # the planted value, and the login form's, are refused
            plant(http, value)  # even when planted again in the cookie after login
            refused = await change_password(http, value, "mat-khau-moi-2017")
            assert refused.status_code == 403 and "tải lại trang" in refused.text, value
        # the session's token works with the cookie still planted: it is checked against the session
        assert (await change_password(http, session_token, "mat-khau-moi-2017")).status_code == 303


async def test_a_signed_token_someone_else_got_is_useless_after_login(make_settings):
    async with staff_app(make_settings) as (app, _), client(app) as attacker, client(app) as victim:
        theirs = await page_token(attacker, "/login")  # a token the site really issued
        plant(victim, theirs)
        assert await page_token(victim, "/login") == theirs  # signed by us: kept (double-submit)
        answer = await log_in(victim, theirs)
        assert answer.status_code == 303 and set_token(answer) != theirs
        plant(victim, theirs)
        assert (await change_password(victim, theirs, "mat-khau-moi-2017")).status_code == 403
        assert (await victim.post("/logout", data={"csrf_token": theirs})).status_code == 403


async def test_logout_issues_a_new_token_and_the_sessions_token_dies_with_it(make_settings):
    async with staff_app(make_settings) as (app, _), client(app) as http:
        assert (await log_in(http, await page_token(http, "/login"))).status_code == 303
        session_token = await page_token(http, "/staff/")
        out = await http.post("/logout", data={"csrf_token": session_token})
        assert out.status_code == 303 and out.headers["location"] == "/login"
        after = set_token(out)
        assert after != session_token
        assert await page_token(http, "/login") == after
        refused = await log_in(http, session_token)
        assert refused.status_code == 403
        again = await log_in(http, after)
        assert again.status_code == 303 and set_token(again) not in (session_token, after)


async def test_over_https_the_cookie_is_host_prefixed_and_a_plain_one_is_ignored(make_settings):
    async with (
        staff_app(make_settings) as (app, _),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://t") as http,
    ):
        plant(http, PLANTED)  # the plain name, which anyone on a sibling subdomain can set
        page = await http.get("/login")
        token = TOKEN.search(page.text).group(1)
        assert token != PLANTED
        cookie = next(c for c in page.headers.get_list("set-cookie") if c.startswith(HOST_COOKIE + "="))
        attributes = {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")[1:]}
        assert {"secure", "httponly", "path"} <= attributes and "domain" not in attributes
        assert "Path=/;" in cookie + ";" and not any(
            c.startswith(CSRF_COOKIE + "=") for c in page.headers.get_list("set-cookie")
        )
        answer = await log_in(http, token)
        assert answer.status_code == 303 and set_token(answer, HOST_COOKIE) != token
        plant(http, PLANTED)
        assert (await change_password(http, PLANTED, "mat-khau-moi-2017")).status_code == 403


async def test_a_residents_form_replaces_a_planted_token(make_settings):
    async with staff_app(make_settings) as (app, _), client(app) as http:
        plant(http, PLANTED)
        token = await page_token(http, "/xa/demo/dang-ky")
        assert token != PLANTED and http.cookies[CSRF_COOKIE] == token
        plant(http, PLANTED)
        form = {"name": "Lê Văn Tư", "phone": "0912 345 678", "hamlet": "ấp Chợ"}
        assert (await http.post("/xa/demo/dang-ky", data={**form, "csrf_token": PLANTED})).status_code == 403
        plant(http, token)
        assert (await http.post("/xa/demo/dang-ky", data={**form, "csrf_token": token})).status_code == 303


async def test_a_login_form_left_open_while_another_tab_signed_in_is_shown_again(make_settings):
    """Seen by an outside walkthrough: two tabs on /login, tab 2 signs in, tab 1's login answered
    a bare 403 "Biểu mẫu đã hết hạn" with nothing to go on. Tab 1 now gets the login form again
    (403, the name kept, a new token), and signing in with it works."""
    async with staff_app(make_settings) as (app, _), client(app) as http:
        first_tab = await page_token(http, "/login")
        second_tab = await page_token(http, "/login")
        assert (await log_in(http, second_tab)).status_code == 303
        stale = await log_in(http, first_tab)
        assert stale.status_code == 403 and "Biểu mẫu đăng nhập đã hết hạn" in stale.text
        assert 'value="demo.admin"' in stale.text
        again = await log_in(http, TOKEN.search(stale.text).group(1))
        assert again.status_code == 303
