"""The summary report's table of reports received ("Tình hình gửi báo cáo") over the real broker
and store (intake, routing and reporting in one app): a body whose report the Party office
recorded as received on the plan page (the duty marked done, with its note) reads as having
sent it, though nothing came in through the system; a body with nothing recorded still reads
"Chưa gửi".

Seen from outside: after the office marked the People's Committee's report received ("Đã nhận
báo cáo số 12/BC-UBND ngày 13/03/2017"), the issued report still told the Standing Committee
"UBND xã … Chưa gửi"."""

from __future__ import annotations

import re
from html import unescape

import pytest

from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.integration.helpers import posted_and_routed

pytestmark = pytest.mark.integration
D = "/api/v1/communes/demo/dialogues/demo-2017"
NOTE = "Đã nhận báo cáo số 12/BC-UBND ngày 13/03/2017"
DRAIN = ("ấp Chợ", "Cống thoát nước trước chợ bị nghẹt, mưa lớn là ngập cả đoạn đường")


def rows_of(html: str) -> dict[str, str]:
    """Body -> status, from the report's table of reports received."""
    table = html[html.index("Tình hình gửi báo cáo") :]
    table = table[: table.index("</table>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [
            " ".join(unescape(re.sub(r"<[^>]+>", " ", c)).split())
            for c in re.findall(r"<td.*?</td>", row, re.S)
        ]
        if cells:
            rows[cells[0]] = cells[-1]
    return rows


async def test_a_report_recorded_as_received_reads_as_sent(make_settings):
    async with posted_and_routed(make_settings, [intake, routing, reporting], [DRAIN]) as (_, api, _sent):
        before = rows_of((await api.get(f"{D}/documents/bao-cao-tong-hop/preview.html")).text)
        committee = next(body for body in before if body.startswith("UBND"))
        assert before[committee] == "Chưa gửi"
        marked = await api.post(f"{D}/deadlines/reports/done", json={"by": "Văn phòng Đảng ủy", "note": NOTE})
        assert marked.status_code == 200, marked.text
        after = rows_of((await api.get(f"{D}/documents/bao-cao-tong-hop/preview.html")).text)
        assert after[committee] == f"Đã gửi ({NOTE})"
        assert {body: status for body, status in after.items() if body != committee} == {
            body: status for body, status in before.items() if body != committee
        }
        assert "Chưa gửi" in after.values()  # the others recorded nothing
