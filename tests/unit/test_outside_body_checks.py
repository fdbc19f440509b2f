"""`checks_body_with`: a body that fails validation is answered with the route's own data checks
added (one answer, every wrong field), a field pydantic already named is not named twice, and a
check that fails leaves the body's own errors answered."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from pydantic import BaseModel, Field

from shared.http import checks_body_with, install_error_handlers


class Body(BaseModel):
    name: str = Field(min_length=2)
    hamlet: str


async def unknown_hamlet(_request, body):
    if body.get("hamlet") == "ấp Không Có":
        return [{"loc": ("body", "hamlet"), "type": "unknown_hamlet", "msg": "No such hamlet.",
                 "ctx": {"reason_vi": "Không có ấp này.", "reason_en": "No such hamlet."}}]  # fmt: skip
    return [{"loc": ("body", "name"), "type": "again", "msg": "named twice"}]


async def broken(_request, _body):
    raise RuntimeError("directory down")


def app() -> FastAPI:
    served = FastAPI()
    install_error_handlers(served)

    @served.post("/checked")
    @checks_body_with(unknown_hamlet)
    async def checked(body: Body):
        return {"ok": True}

    @served.post("/broken")
    @checks_body_with(broken)
    async def failing(body: Body):
        return {"ok": True}

    return served


async def post(path: str, body: dict) -> dict:
    transport = httpx.ASGITransport(app=app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post(path, json=body)
    assert response.status_code == 422, response.text
    return {d["field"]: d["message_vi"] for d in response.json()["detail"]}


async def test_the_routes_checks_are_answered_with_the_bodys_errors():
    wrong = await post("/checked", {"name": "A", "hamlet": "ấp Không Có"})
    assert list(wrong) == ["name", "hamlet"] and wrong["hamlet"] == "Không có ấp này."


async def test_a_field_is_named_once_and_a_failing_check_leaves_the_bodys_errors():
    assert list(await post("/checked", {"name": "A", "hamlet": "ấp Chợ"})) == ["name"]
    assert list(await post("/broken", {"name": "A", "hamlet": "ấp Không Có"})) == ["name"]
