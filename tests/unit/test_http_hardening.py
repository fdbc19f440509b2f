"""shared/http.py on a bare FastAPI app: the body limit counts a streamed body (not only its
Content-Length), forms carry a bounded number of fields, correlation ids are checked, and
every response gets the security headers it lacks."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from shared.forms import read_form
from shared.http import (
    DOCS_CSP,
    _BodyLimit,  # noqa: PLC2701 - the middleware itself, under a raw ASGI app
    correlation_id_from,
    install_body_limit,
    install_error_handlers,
    install_request_context,
    install_security_headers,
)

LIMIT = 1024


def bare_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    install_body_limit(app, LIMIT, {"/upload": 4 * LIMIT, "/communes/{commune_id}/rules": 4 * LIMIT})
    install_request_context(app)
    install_security_headers(app)
    app.state.form_max_fields = 5

    @app.post("/echo")
    async def echo(request: Request):
        return {"size": len(await request.body())}

    @app.post("/upload")
    async def upload(request: Request):
        return {"size": len(await request.body())}

    @app.put("/communes/{commune_id}/rules")
    async def rules(request: Request):
        return {"size": len(await request.body())}

    @app.post("/form")
    async def form(request: Request):
        return {"fields": len((await read_form(request)).multi_items())}

    @app.get("/page")
    async def page():
        return HTMLResponse("<p>xin chào</p>")

    @app.get("/own-policy")
    async def own_policy():
        return HTMLResponse(
            "<p>x</p>",
            headers={"Content-Security-Policy": "default-src 'none'", "Referrer-Policy": "no-referrer"},
        )

    @app.get("/data")
    async def data():
        return {"ok": True}

    return app


def chunks(n: int, size: int = 256):
    async def body():
        for _ in range(n):
            yield b"x" * size

    return body()


@pytest.fixture
async def client():
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=bare_app()), base_url="http://t"
    ) as client:
        yield client


async def test_a_streamed_body_past_the_limit_is_413_in_both_languages(client):
    refused = await client.post("/echo", content=chunks(40))  # 10 kB, chunked: no Content-Length
    assert refused.status_code == 413, refused.text
    assert refused.json()["error"] == "body_too_large" and "quá lớn" in refused.json()["message_vi"]
    assert refused.headers["x-correlation-id"] and refused.headers["x-content-type-options"] == "nosniff"
    assert (await client.post("/echo", content=chunks(4))).json() == {"size": 1024}  # exactly the limit


async def test_a_declared_length_past_the_limit_is_413_before_the_app_runs(client):
    assert (await client.post("/echo", content=b"x" * (LIMIT + 1))).status_code == 413
    assert (await client.post("/echo", content=b"x" * 10)).json() == {"size": 10}


async def test_a_browser_posting_too_much_gets_the_vietnamese_page_not_json(client):
    page = await client.post("/echo", content=b"x" * (LIMIT + 1), headers={"accept": "text/html"})
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    assert "Nội dung gửi lên quá lớn" in page.text and "quay lại" in page.text
    streamed = await client.post("/echo", content=chunks(20), headers={"accept": "text/html"})
    assert streamed.status_code == 413 and "Nội dung gửi lên quá lớn" in streamed.text


async def test_paths_that_take_uploads_keep_their_larger_limit(client):
    assert (await client.post("/upload", content=chunks(12))).json() == {"size": 3072}
    assert (await client.post("/upload", content=chunks(20))).status_code == 413


async def test_a_route_template_keeps_its_larger_limit_for_every_commune_and_only_there(client):
    assert (await client.put("/communes/demo/rules", content=chunks(12))).json() == {"size": 3072}
    assert (await client.put("/communes/xa-khac/rules", content=chunks(20))).status_code == 413
    assert (await client.put("/communes/demo/extra/rules", content=b"x" * 3000)).status_code == 413


async def test_a_response_already_started_is_cut_off_rather_than_finished():
    """A raw ASGI app that answers before it reads: past the limit its body is dropped and the
    response is never completed (the server closes the connection)."""
    body = iter([b"x" * 600, b"x" * 600, b"x" * 600])
    sent: list[dict] = []
    seen: list[dict] = []

    async def early(scope, receive, send):
        await send(
            {"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]}
        )
        while (message := await receive())["type"] == "http.request":
            seen.append(message)
            await send({"type": "http.response.body", "body": message["body"], "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def receive():
        chunk = next(body, None)
        return {"type": "http.request", "body": chunk or b"", "more_body": chunk is not None}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/early",
        "headers": [(b"transfer-encoding", b"chunked")],
    }
    await _BodyLimit(early, LIMIT, {})(scope, receive, send)
    assert [m.get("status") for m in sent if m["type"] == "http.response.start"] == [200]
    assert len(seen) == 1 and not any(
        m["type"] == "http.response.body" and not m["more_body"] for m in sent
    )  # never completed
    assert next(body, None) is not None  # the rest of the body was never read


async def test_a_form_with_too_many_fields_is_413_in_vietnamese(client):
    assert (await client.post("/form", data={f"f{i}": "a" for i in range(5)})).json() == {"fields": 5}
    refused = await client.post("/form", data={f"f{i}": "a" for i in range(6)})
    assert (
        refused.status_code == 413
        and refused.json()["error"] == "too_many_fields"
        and "quá nhiều trường" in refused.json()["message_vi"]
    )
    page = await client.post("/form", data={f"f{i}": "a" for i in range(6)}, headers={"accept": "text/html"})
    assert (
        page.status_code == 413
        and page.headers["content-type"].startswith("text/html")
        and "quá nhiều trường" in page.text
    )
    multipart = await client.post(
        "/form", data={f"f{i}": "a" for i in range(3)}, files={f"t{i}": ("a.txt", b"a") for i in range(3)}
    )
    assert multipart.status_code == 413


@pytest.mark.parametrize("supplied", ["abc-123", "req:2017.03.25_x", "a" * 64])
def test_a_well_formed_correlation_id_is_kept(supplied):
    assert correlation_id_from(supplied) == supplied


@pytest.mark.parametrize(
    "supplied", ["", "a" * 65, "x" * 100, "có dấu", "a b", "a\tb", "<script>", "id;drop", "a/b", "ý-kiến"]
)
def test_any_other_correlation_id_is_replaced(supplied):
    fresh = correlation_id_from(supplied)
    assert fresh != supplied and correlation_id_from(fresh) == fresh


async def test_the_response_carries_the_checked_correlation_id(client):
    assert (await client.get("/data", headers={"x-correlation-id": "ok-1"})).headers[
        "x-correlation-id"
    ] == "ok-1"
    replaced = (await client.get("/data", headers={"x-correlation-id": "x" * 100})).headers[
        "x-correlation-id"
    ]
    assert replaced != "x" * 100 and len(replaced) <= 64


async def test_html_gets_the_security_headers_and_everything_gets_nosniff(client):
    page = await client.get("/page")
    assert (
        "frame-ancestors 'none'" in page.headers["content-security-policy"]
        and "default-src 'self'" in page.headers["content-security-policy"]
    )
    assert (
        page.headers["x-content-type-options"],
        page.headers["x-frame-options"],
        page.headers["referrer-policy"],
    ) == ("nosniff", "DENY", "same-origin")
    data = await client.get("/data")
    assert (
        data.headers["x-content-type-options"] == "nosniff" and "content-security-policy" not in data.headers
    )


async def test_a_page_keeps_the_headers_it_set(client):
    own = await client.get("/own-policy")
    assert own.headers.get_list("content-security-policy") == ["default-src 'none'"]
    assert own.headers["referrer-policy"] == "no-referrer" and own.headers["x-frame-options"] == "DENY"


async def test_the_docs_pages_may_load_what_they_need(client):
    docs = await client.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-security-policy"] == DOCS_CSP
    assert "https://cdn.jsdelivr.net" in DOCS_CSP and "frame-ancestors 'none'" in DOCS_CSP
    assert (await client.get("/redoc")).headers["content-security-policy"] == DOCS_CSP


def test_a_choice_reads_in_vietnamese_without_an_english_or() -> None:
    """Seen from outside: the Vietnamese error for `kind` read "chọn một trong: 'opinion',
    'petition' or 'complaint'"."""
    from pydantic import ValidationError

    from services.intake.schemas import SubmissionIn
    from shared.http import error_body

    try:
        SubmissionIn(source="citizen", kind="x", text="Đèn đường hư, đề nghị sửa.")  # type: ignore[arg-type]
    except ValidationError as exc:
        [error] = error_body(exc.errors())["detail"]
    assert error["field"] == "kind"
    assert error["message_vi"].endswith("'opinion', 'petition' hoặc 'complaint'.")
    assert error["message_en"].endswith("'opinion', 'petition' or 'complaint'.")
