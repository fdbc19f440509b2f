"""The SMS webhook sender against a real HTTP server on 127.0.0.1, and the residents' text."""

from __future__ import annotations

import asyncio
import json
import socket
from dataclasses import dataclass, field

import pytest

from services.demo.seed import demo_commune, demo_dialogue
from services.notification.sms import MAX_TEXT_CHARS, SmsSender, WebhookSmsSender, resident_invitation_text
from shared.errors import PermanentError, TransientError, is_transient


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Gateway:
    """A tiny HTTP/1.1 responder: records each request, answers with `status` (or hangs)."""

    status: int = 200
    hang: bool = False
    requests: list[Request] = field(default_factory=list)
    server: asyncio.Server | None = None
    handlers: set[asyncio.Task] = field(default_factory=set)

    @property
    def url(self) -> str:
        host, port = self.server.sockets[0].getsockname()[:2]
        return f"http://{host}:{port}/sms"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.handlers.add(asyncio.current_task())
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode("latin-1").split("\r\n")
            method, path, _ = request_line.split(" ", 2)
            headers = {}
            for line in header_lines:
                if line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.requests.append(Request(method, path, headers, body))
            if self.hang:
                await asyncio.sleep(30)
                return
            payload = json.dumps({"ok": 200 <= self.status < 300}).encode()
            writer.write(
                f"HTTP/1.1 {self.status} X\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def gateway():
    gw = Gateway()
    gw.server = await asyncio.start_server(gw.handle, "127.0.0.1", 0)
    yield gw
    gw.server.close()
    for task in gw.handlers:  # a hanging handler must not outlive its test
        task.cancel()
    await gw.server.wait_closed()


@pytest.fixture
async def sender(gateway: Gateway):
    s = WebhookSmsSender(gateway.url, timeout_s=2.0, token="bi-mat")
    yield s
    await s.aclose()


def test_is_an_sms_sender() -> None:
    sender: SmsSender = WebhookSmsSender("http://127.0.0.1:9/sms", timeout_s=1.0)
    assert callable(sender.send)


def test_rejects_non_http_url() -> None:
    with pytest.raises(ValueError):
        WebhookSmsSender("smtp://127.0.0.1:25", timeout_s=1.0)


async def test_posts_json_with_headers(gateway: Gateway, sender: WebhookSmsSender) -> None:
    text = "Kính mời bà con ấp Chợ dự hội nghị đối thoại"
    await sender.send("+84901234567", text, idempotency_key="demo-2017:ap-cho:0901")
    (request,) = gateway.requests
    assert (request.method, request.path) == ("POST", "/sms")
    assert request.headers["content-type"] == "application/json"
    assert request.headers["idempotency-key"] == "demo-2017:ap-cho:0901"
    assert request.headers["authorization"] == "Bearer bi-mat"
    body = json.loads(request.body.decode("utf-8"))
    assert body == {"to": "+84901234567", "text": text, "idempotency_key": "demo-2017:ap-cho:0901"}


@pytest.mark.parametrize("status", [200, 201, 202, 204])
async def test_2xx_is_sent(gateway: Gateway, sender: WebhookSmsSender, status: int) -> None:
    gateway.status = status
    await sender.send("0901234567", "x", idempotency_key="k")
    assert len(gateway.requests) == 1


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
async def test_busy_or_server_error_is_transient(
    gateway: Gateway, sender: WebhookSmsSender, status: int
) -> None:
    gateway.status = status
    with pytest.raises(TransientError) as caught:
        await sender.send("0901234567", "x", idempotency_key="k")
    assert str(status) in str(caught.value)
    assert is_transient(caught.value)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
async def test_client_error_is_permanent(gateway: Gateway, sender: WebhookSmsSender, status: int) -> None:
    gateway.status = status
    with pytest.raises(PermanentError) as caught:
        await sender.send("0901234567", "x", idempotency_key="k")
    assert not is_transient(caught.value)


async def test_no_token_no_authorization_header(gateway: Gateway) -> None:
    sender = WebhookSmsSender(gateway.url, timeout_s=2.0)
    try:
        await sender.send("0901234567", "x", idempotency_key="k")
    finally:
        await sender.aclose()
    assert "authorization" not in gateway.requests[0].headers


async def test_refused_connection_is_transient() -> None:
    with socket.socket() as s:  # a port that was free a moment ago and has no listener now
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sender = WebhookSmsSender(f"http://127.0.0.1:{port}/sms", timeout_s=2.0)
    try:
        with pytest.raises(TransientError):
            await sender.send("0901234567", "x", idempotency_key="k")
    finally:
        await sender.aclose()


async def test_timeout_is_transient(gateway: Gateway) -> None:
    gateway.hang = True
    sender = WebhookSmsSender(gateway.url, timeout_s=0.2)
    try:
        with pytest.raises(TransientError):
            await sender.send("0901234567", "x", idempotency_key="k")
    finally:
        await sender.aclose()


async def test_one_client_reused_across_sends(gateway: Gateway, sender: WebhookSmsSender) -> None:
    for n in range(3):
        await sender.send("0901234567", f"tin {n}", idempotency_key=f"k{n}")
    assert [json.loads(r.body)["text"] for r in gateway.requests] == ["tin 0", "tin 1", "tin 2"]


# --- the residents' text ------------------------------------------------------------------


@pytest.mark.parametrize("hamlet", ["ấp Chợ", "ấp Căn Cứ"])
def test_resident_text(hamlet: str) -> None:
    text = resident_invitation_text(demo_commune(), demo_dialogue(), hamlet)
    assert len(text) <= MAX_TEXT_CHARS == 320
    assert hamlet in text
    assert "07g30" in text and "thứ Bảy" in text and "25/03/2017" in text
    assert "Nhà văn hóa xã" in text
    assert "xã Tân Phước" in text
    assert "Chủ đề: Thực trạng và giải pháp" in text
    assert "Đăng ký" in text


def test_resident_text_fits_with_long_names() -> None:
    dialogue = demo_dialogue().model_copy(
        update={
            "venue": "Hội trường Nhà văn hóa xã (số 12, đường Nguyễn Thị Minh Khai, khu phố Phước Hòa)" * 2
        }
    )
    text = resident_invitation_text(demo_commune(), dialogue, "khu phố Bình Hưng Hòa mở rộng")
    assert len(text) <= MAX_TEXT_CHARS
    short = demo_dialogue().model_copy(update={"theme": "Xây dựng nông thôn mới"})
    text = resident_invitation_text(demo_commune(), short, "ấp Chợ")
    assert "Chủ đề: Xây dựng nông thôn mới." in text and "…" not in text
