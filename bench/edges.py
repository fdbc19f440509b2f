"""The least the pipeline's two edges cost on this machine, for the feasibility floor of
`bench_pipeline`: answering a JSON POST on the HTTP server the services run (uvicorn, as
`doithoai serve` starts it) with a bare Starlette endpoint (no validation, no middleware, no
store), and sending one e-mail over a kept SMTP connection (aiosmtplib, a message built once).
Both are generous on purpose: the product does more at each edge."""

from __future__ import annotations

import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib

from services.local.ports import free_port

PATH = "/api/v1/communes/demo/submissions"


def serve_http(port_file: Path) -> None:
    """A bare endpoint at the intake's path: reads the JSON body, answers 202 with an id."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    async def accept(request: Request) -> JSONResponse:
        body = await request.json()
        return JSONResponse({"id": uuid.uuid4().hex, "length": len(body.get("text") or "")}, status_code=202)

    port = free_port()
    app = Starlette(routes=[Route(PATH, accept, methods=["POST"])])
    port_file.write_text(str(port))
    uvicorn.run(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, proxy_headers=False
    )  # as services/cli.py


async def smtp_client_cpu_ms(port: int, emails: int) -> float:
    """CPU of this process per e-mail sent over one kept connection (the client's side only)."""
    message = EmailMessage()
    message["From"] = "bench@doithoai.invalid"
    message["To"] = "office@doithoai.invalid"
    message["Subject"] = "Giao chuẩn bị nội dung trả lời"
    message.set_content("Nội dung ý kiến, kiến nghị của người dân. " * 20)
    data = message.as_bytes()
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, local_hostname="bench")
    await client.connect()
    try:
        await client.sendmail("bench@doithoai.invalid", ["office@doithoai.invalid"], data)  # warm
        started = time.process_time()
        for _ in range(emails):
            await client.sendmail("bench@doithoai.invalid", ["office@doithoai.invalid"], data)
        return (time.process_time() - started) * 1000 / emails
    finally:
        await client.quit()
