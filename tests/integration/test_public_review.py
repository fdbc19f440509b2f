"""Nothing a resident typed is published before staff reviewed it (issue 16), with the real broker
and store, intake, routing and reporting in one process: a petition naming a neighbour, his house
number and phone is not on the public conclusions page, in open data (CSV, XLSX), in Open311 or in
the issued conclusion notice (PDF, HTML); a reviewed summary that still names the neighbour and
his phone is refused (the documents would print it masked), and once the Party office sets one
worded without them through the meeting API, that summary is public."""

from __future__ import annotations

import io

import httpx
import openpyxl
import pytest
from pypdf import PdfReader

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
D = f"{BASE}/dialogues/demo-2017"
TYPED = "Nhà ông Nguyễn Văn Tám số 12 đường Lê Lợi, ĐT 0909123456, lấn chiếm hẻm"
SECRETS = ("0909123456", "số 12", "Nguyễn Văn Tám")
UNDER_REVIEW = "Nội dung đang được rà soát"
NAMING = "Hộ ông Tám (ĐT 0909123456) lấn chiếm hẻm cạnh đường Lê Lợi, đề nghị xử lý"
SUMMARY = "Một hộ dân lấn chiếm hẻm cạnh đường Lê Lợi, đề nghị xử lý"


@pytest.fixture
async def client(make_settings):
    settings = make_settings(DOITHOAI_SCHEDULER_INTERVAL_S=3600, DOITHOAI_INTAKE_URL="inprocess")
    app = build_app(settings, [intake, routing, reporting], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers(), timeout=60
        ) as client:
            body = {"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": TYPED}
            assert (await client.post(f"{BASE}/submissions", json=body)).status_code == 202
            await eventually(lambda: _routed(client), timeout=30)
            yield client


async def _routed(client) -> bool:
    items = (await client.get(f"{D}/items")).json()["items"]
    return any(i["topic"] is not None for i in items)


async def _public_texts(client) -> dict[str, str]:
    page = await client.get("/public/demo/dialogues/demo-2017")
    assert page.status_code == 200
    csv_text = (await client.get(f"{D}/open-data.csv")).content.decode("utf-8-sig")
    workbook = openpyxl.load_workbook(io.BytesIO((await client.get(f"{D}/open-data.xlsx")).content))
    xlsx = " ".join(str(c) for row in workbook.active.iter_rows(values_only=True) for c in row if c)
    open311 = (await client.get("/open311/v2/demo/requests.json")).text
    return {"page": page.text, "csv": csv_text, "xlsx": xlsx, "open311": open311}


def _pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages
    )


def _assert_no_secret(texts: dict[str, str]) -> None:
    for where, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (where, secret)


async def test_typed_text_is_never_public_and_a_reviewed_summary_naming_a_person_is_refused(client):
    before = await _public_texts(client)
    _assert_no_secret(before)
    for where in ("page", "csv", "xlsx"):
        assert UNDER_REVIEW in before[where], where

    issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
    assert issued.status_code == 201, issued.text
    links = issued.json()["links"]
    notice = {
        "pdf": _pdf_text((await client.get(links["pdf"])).content),
        "html": (await client.get(links["html"])).text,
    }
    _assert_no_secret(notice)
    assert "lấn chiếm hẻm" in notice["pdf"]  # the text as typed, masked
    _assert_no_secret(await _public_texts(client))

    record = (await client.get(f"{D}/meeting")).json()
    (issue,) = [i for i in record["issues"] if "lấn chiếm" in i["summary"]]
    refused = await client.put(f"{D}/meeting/issues/{issue['key']}", json={"summary": NAMING})
    assert refused.status_code == 422 and refused.json()["detail"][0]["field"] == "summary", refused.text
    assert "(ĐT [số điện thoại])" in refused.json()["detail"][0]["message_vi"]
    saved = await client.put(f"{D}/meeting/issues/{issue['key']}", json={"summary": SUMMARY})
    assert saved.status_code == 200, saved.text
    after = await _public_texts(client)
    _assert_no_secret(after)
    for where in ("page", "csv", "xlsx"):
        assert SUMMARY in after[where] and "Tám" not in after[where], where
