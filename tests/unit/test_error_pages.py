"""Unknown addresses, refusals and failures on every service: a person at a browser gets a small
Vietnamese page with the right status and a way back; API clients keep bilingual JSON with an
`error` code, never Starlette's bare `{"detail": "Not Found"}`. A failure is logged with the
request's correlation id, which the answer shows."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI

from services.deployment import SERVICES, Settings, build_app, build_service_app
from shared.error_pages import error_page
from shared.http import install_error_handlers, install_request_context, install_security_headers
from tests.conftest import TEST_AUTH_KEYS

HTML = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def bare_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    install_request_context(app)
    install_security_headers(app)

    @app.get("/")
    async def home():
        return {"ok": True}

    @app.get("/boom")
    async def boom():
        raise RuntimeError("the store said no")

    @app.get("/only-get")
    async def only_get():
        return {"ok": True}

    return app


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_an_unknown_address_is_a_vietnamese_page_for_a_browser_and_json_for_a_client():
    async with client(bare_app()) as http:
        page = await http.get("/xa/demo/khong-co", headers=HTML)
        assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
        assert "Không tìm thấy trang" in page.text and 'href="/"' in page.text and 'lang="vi"' in page.text
        assert "content-security-policy" in page.headers  # the security headers apply to it too
        staff = await http.get("/staff/khong-co", headers=HTML)
        assert staff.status_code == 404 and 'href="/login"' in staff.text and 'href="/staff/"' in staff.text
        api = await http.get("/api/v1/khong-co")
        assert api.status_code == 404
        assert api.json() == {
            "error": "not_found",
            "message_vi": "Không tìm thấy.",
            "message_en": "Not found.",
        }
        wrong_method = await http.post("/only-get")
        assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "method_not_allowed"
        assert wrong_method.headers["allow"] == "GET"


async def test_a_failure_is_logged_with_the_correlation_id_the_answer_shows(caplog):
    caplog.set_level(logging.ERROR, logger="doithoai.errors")
    async with client(bare_app()) as http:
        page = await http.get("/boom", headers={**HTML, "x-correlation-id": "req-42"})
        assert page.status_code == 500 and "Hệ thống gặp lỗi" in page.text and "req-42" in page.text
        assert page.headers["x-correlation-id"] == "req-42"
        api = await http.get("/boom")
        body = api.json()
        assert api.status_code == 500 and body["error"] == "internal_error"
        assert (
            body["correlation_id"] == api.headers["x-correlation-id"]
            and body["correlation_id"] in (body["message_vi"])
        )
    logged = [r for r in caplog.records if r.name == "doithoai.errors"]
    assert [r.correlation_id for r in logged] == ["req-42", body["correlation_id"]]
    assert all(r.exc_info and "the store said no" in str(r.exc_info[1]) for r in logged)
    assert "the store said no" not in page.text + api.text  # the cause stays in the log


def test_the_page_escapes_what_it_prints_and_offers_no_dead_home_link():
    page = error_page(500, "/x", correlation_id="<b>", has_home=False)
    assert "<b>" not in page and "&lt;b&gt;" in page and 'href="/"' not in page


@pytest.mark.parametrize("name", [*SERVICES, "combined"])
async def test_every_service_answers_in_vietnamese(name):
    settings = Settings(DOITHOAI_AUTH_KEYS=TEST_AUTH_KEYS)
    if name == "combined":
        from services.intake.app import build_service as intake
        from services.notification.app import build_service as notification
        from services.reporting.app import build_service as reporting
        from services.routing.app import build_service as routing

        app = build_app(settings, [intake, routing, notification, reporting], title="t")
    else:
        app = build_service_app(settings, name)
    async with client(app) as http:
        for path in ("/xa/demo/khong-co", "/staff/khong-co", "/khong-co"):
            page = await http.get(path, headers=HTML)
            assert page.status_code == 404 and "Không tìm thấy trang" in page.text, (name, path)
        # the residents' home is intake's: a link to it only where it is served
        assert ('href="/"' in page.text) == (name in ("intake", "combined"))
        api = await http.get("/api/v1/khong-co", headers={"accept": "application/json"})
        assert api.status_code == 404 and api.json()["message_vi"] and api.json()["error"] == "not_found"
        assert "detail" not in api.json()


async def test_a_refusal_of_the_access_guard_is_a_page_for_a_browser_too():
    app = build_service_app(Settings(DOITHOAI_AUTH_KEYS=TEST_AUTH_KEYS), "intake")
    async with client(app) as http:
        page = await http.get("/api/v1/communes/demo/submissions/abc", headers=HTML)
        assert page.status_code == 401 and "Cần đăng nhập" in page.text and 'lang="vi"' in page.text
        api = await http.get("/api/v1/communes/demo/submissions/abc")
        assert api.status_code == 401 and api.json()["error"] == "unauthenticated"
        assert api.headers["www-authenticate"].startswith("Bearer")
