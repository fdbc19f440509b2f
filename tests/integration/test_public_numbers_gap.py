"""Each issue keeps the conclusion notice's number on every public view once one is withheld,
over the real broker and store (intake, routing and reporting in one process, the demo's 2017
plan): the residents' conclusions page, reporting's public page and the open-data CSV, XLSX and
JSON print the number the notice (and the follow-up board) gives the issue, with a gap where the
Party office keeps an issue out of public view.

Seen from outside: the street-lighting issue, "10." in the conclusion notice and on the follow-up
board, read "9." on /xa/demo/ket-luan and STT 9 in open-data.csv once another issue was withheld,
while residents compare the page with the notice read over the hamlet loudspeakers."""

from __future__ import annotations

import csv
import html
import io
import re

import openpyxl
import pytest

from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.integration.helpers import posted_and_routed

pytestmark = pytest.mark.integration
D = "/api/v1/communes/demo/dialogues/demo-2017"
PETITIONS = {
    "Tranh chấp ranh đất giữa hộ ông Năm và hộ bà Sáu ở ấp Chợ, đề nghị xã hòa giải": "Tranh chấp ranh đất",
    "Cống thoát nước trước chợ bị nghẹt, mưa lớn là ngập cả đoạn đường": "Cống thoát nước nghẹt gây ngập",
    "Đèn đường trên lộ ấp Căn Cứ hư hỏng nhiều tháng, ban đêm tối om, đề nghị sửa chữa": "Đèn đường hư hỏng",
    "Xe tải chở cát chạy tốc độ cao qua trường học, đề nghị lắp biển báo và gờ giảm tốc": "Xe tải chạy nhanh",
}


async def _summaries(client, sent: dict) -> dict[str, str]:
    """Each petition's issue key, its reviewed summary saved (public)."""
    record = (await client.get(f"{D}/meeting")).json()
    keys = {}
    for text, summary in PETITIONS.items():
        (issue,) = [
            i for i in record["issues"] if sent[text]["id"] in (i.get("submission_ids") or [i["key"]])
        ]
        saved = await client.put(f"{D}/meeting/issues/{issue['key']}", json={"summary": summary})
        assert saved.status_code == 200, saved.text
        keys[summary] = str(issue["key"])
    return keys


async def _public_numbers(client) -> dict[str, dict[str, int]]:
    """Summary -> its number, on each public view."""
    views: dict[str, dict[str, int]] = {}
    residents = html.unescape((await client.get("/xa/demo/ket-luan")).text)
    views["residents"] = {s: int(n) for n, s in re.findall(r"<h2>(\d+)\. ([^<]+)</h2>", residents)}
    rows = csv.DictReader(io.StringIO((await client.get(f"{D}/open-data.csv")).content.decode("utf-8-sig")))
    views["csv"] = {r["Ý kiến, kiến nghị"]: int(r["STT"]) for r in rows}
    json_rows = (await client.get(f"{D}/open-data.json")).json()["rows"]
    views["json"] = {r["issue"]: int(r["stt"]) for r in json_rows}
    book = openpyxl.load_workbook(io.BytesIO((await client.get(f"{D}/open-data.xlsx")).content))
    views["xlsx"] = {str(r[3]): int(r[0]) for r in list(book.active.iter_rows(values_only=True))[2:]}
    page = html.unescape((await client.get("/public/demo/dialogues/demo-2017")).text)
    cells = re.findall(
        r'<td data-label="STT">(\d+)</td>.*?<td data-label="Ý kiến, kiến nghị">([^<]*)</td>', page, re.S
    )
    views["page"] = {s: int(n) for n, s in cells}
    return views


async def test_a_withheld_issue_leaves_a_gap_in_the_notices_numbers(make_settings):
    petitions = [("ấp Chợ", text) for text in PETITIONS]
    async with posted_and_routed(make_settings, [intake, routing, reporting], petitions) as (_, client, sent):
        keys = await _summaries(client, sent)
        issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
        assert issued.status_code == 201, issued.text
        board = (await client.get(f"{D}/follow-up")).json()["tasks"]
        printed = {
            s: next(t["notice_number"] for t in board if t["cluster_id"] == k) for s, k in keys.items()
        }
        assert sorted(printed.values()) == [1, 2, 3, 4], printed
        for where, numbers in (await _public_numbers(client)).items():
            assert numbers == printed, where

        # the Party office withholds the issue the notice numbers first: no other is renumbered
        first = min(printed, key=printed.__getitem__)
        hidden = await client.put(
            f"{D}/meeting/issues/{keys[first]}", json={"summary": first, "public": False}
        )
        assert hidden.status_code == 200, hidden.text
        kept = {s: n for s, n in printed.items() if s != first}
        for where, numbers in (await _public_numbers(client)).items():
            assert numbers == kept, where
        assert sorted(kept.values()) == [2, 3, 4]
