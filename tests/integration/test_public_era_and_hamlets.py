"""A dialogue held before the 2025 reform (demo 2017), over the real broker and store with intake,
routing and reporting in one process: every resident-facing view names the offices and the
responsible body as the issued conclusion notice printed them, and lists every hamlet of an issue.

Seen from outside: the notice printed "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi
trường" while the residents' conclusions page, the open-data CSV and the tracking page said
"Phòng Kinh tế" (a post-2025 office) for the same conclusions; the tracking page named the
"Văn phòng Đảng ủy" for an issue recommended to the province's land-registration office, which
the public page named; and an issue three hamlets raised showed "Ấp: ấp Chợ" only, so residents
of the other two did not find it under their hamlet."""

from __future__ import annotations

import csv
import io
import re

import httpx
import openpyxl
import pytest

from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.conftest import eventually
from tests.integration.helpers import posted_and_routed

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
D = f"{BASE}/dialogues/demo-2017"
LEGACY = "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"  # Phòng Kinh tế in 2017
TODAY = "Phòng Kinh tế"
LAND_BODY = "Văn phòng Đăng ký đất đai tỉnh Tiền Giang"
DRAIN = {
    "ấp Chợ": "Cống thoát nước trước chợ bị nghẹt, mưa lớn là ngập cả đoạn đường",
    "ấp Căn Cứ": "Cống thoát nước đường vào ấp Căn Cứ nghẹt rác, mưa xuống ngập đường",
    "ấp Bến Đò": "Cống thoát nước ra bến đò bị nghẹt, đường ngập mỗi khi mưa",
}
LAND = "Hộ dân ấp Mới nộp hồ sơ cấp giấy chứng nhận quyền sử dụng đất từ năm 2015 đến nay chưa được cấp"
DRAIN_SUMMARY = "Cống thoát nước nghẹt gây ngập đường ở ba ấp"
LAND_SUMMARY = "Chậm cấp giấy chứng nhận quyền sử dụng đất"


@pytest.fixture
async def system(make_settings):
    petitions = [*DRAIN.items(), ("ấp Mới", LAND)]
    services = [intake, routing, reporting]
    async with posted_and_routed(make_settings, services, petitions, staff=False) as (_, client, sent):
        yield client, sent


async def _items(client) -> list[dict]:
    return (await client.get(f"{D}/items")).json()["items"]


async def _key(client, fragment: str) -> str:
    record = (await client.get(f"{D}/meeting")).json()
    (issue,) = [i for i in record["issues"] if fragment in i["summary"]]
    return str(issue["key"])


def _csv_rows(response: httpx.Response) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return {row["Ý kiến, kiến nghị"]: row for row in rows}


async def _conclude(client, sent: dict) -> None:
    first = sent[DRAIN["ấp Chợ"]]["id"]
    for hamlet in ("ấp Căn Cứ", "ấp Bến Đò"):
        merge = {"action": "merge", "into": first, "by": "Văn phòng Đảng ủy", "reason": "Cùng một việc"}
        changed = await client.post(
            f"{BASE}/submissions/{sent[DRAIN[hamlet]]['id']}/routing/changes", json=merge
        )
        assert changed.status_code == 200, changed.text

    async def one_issue() -> bool:
        record = (await client.get(f"{D}/meeting")).json()
        return len(record["issues"]) == 2

    await eventually(one_issue, timeout=30)
    conclusions = {
        "Cống thoát nước trước chợ": (
            DRAIN_SUMMARY,
            {
                "kind": "assigned",
                "text": "Khảo sát, nạo vét các tuyến cống",
                "office_id": "phong-kinh-te",
                "deadline_working_days": 10,
            },
        ),
        "giấy chứng nhận": (
            LAND_SUMMARY,
            {"kind": "recommended", "text": "Kiến nghị sớm cấp giấy chứng nhận", "higher_body": LAND_BODY},
        ),
    }
    for fragment, (summary, conclusion) in conclusions.items():
        key = await _key(client, fragment)
        reviewed = await client.put(f"{D}/meeting/issues/{key}", json={"summary": summary})
        assert reviewed.status_code == 200, reviewed.text
        concluded = await client.put(f"{D}/meeting/conclusions/{key}", json=conclusion)
        assert concluded.status_code == 200, concluded.text


async def test_every_public_view_names_the_office_and_the_hamlets_as_the_2017_notice(system):
    client, sent = system
    await _conclude(client, sent)
    notice = (await client.get(f"{D}/documents/thong-bao-ket-luan/preview.html")).text
    assert "Ý kiến của nhân dân ấp Chợ, ấp Căn Cứ, ấp Bến Đò" in notice
    assert f"Giao<strong> {LEGACY}</strong> chủ trì" in notice and TODAY not in notice
    assert LAND_BODY in notice
    issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
    assert issued.status_code == 201, issued.text

    # open data: the notice's office and body, every hamlet in the one "Ấp" column
    csv_file = await client.get(f"{D}/open-data.csv")
    rows = _csv_rows(csv_file)
    drain, land = rows[DRAIN_SUMMARY], rows[LAND_SUMMARY]
    assert drain["Ấp"] == "ấp Chợ; ấp Căn Cứ; ấp Bến Đò"
    assert (drain["Cơ quan chủ trì"], drain["Thẩm quyền"]) == (LEGACY, "Cấp xã")
    assert (land["Cơ quan chủ trì"], land["Thẩm quyền"]) == (LAND_BODY, "Cấp trên")
    assert TODAY not in csv_file.content.decode("utf-8-sig")
    json_rows = (await client.get(f"{D}/open-data.json", params={"hamlet": "ấp Bến Đò"})).json()
    assert [r["issue"] for r in json_rows["rows"]] == [DRAIN_SUMMARY] and json_rows["total"] == 1
    assert TODAY not in (await client.get(f"{D}/open-data.json")).text
    sheet = openpyxl.load_workbook(io.BytesIO((await client.get(f"{D}/open-data.xlsx")).content)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    assert ["ấp Chợ; ấp Căn Cứ; ấp Bến Đò", LEGACY] in [[r[2], r[4]] for r in cells]
    assert [LAND_BODY] == [r[4] for r in cells if r[3] == LAND_SUMMARY]

    # the residents' conclusions page, and its hamlet filter finding the issue under each hamlet
    page = (await client.get("/xa/demo/ket-luan", params={"dot": "demo-2017"})).text
    assert LEGACY in page and LAND_BODY in page and TODAY not in page
    assert "ấp Chợ; ấp Căn Cứ; ấp Bến Đò" in page
    for hamlet in DRAIN:
        of_hamlet = (await client.get("/xa/demo/ket-luan", params={"dot": "demo-2017", "loc": hamlet})).text
        assert DRAIN_SUMMARY in of_hamlet and LAND_SUMMARY not in of_hamlet, hamlet
    of_moi = (await client.get("/xa/demo/ket-luan", params={"dot": "demo-2017", "loc": "ấp Mới"})).text
    assert LAND_SUMMARY in of_moi and DRAIN_SUMMARY not in of_moi
    assert (await client.get("/xa/demo/ket-luan", params={"loc": "ấp Không Có"})).status_code == 404
    reporting_page = (await client.get("/public/demo/dialogues/demo-2017")).text
    assert LEGACY in reporting_page and TODAY not in reporting_page

    # tracking: the same office and body, by the era's titles, history included
    async def tracked(text: str) -> str:
        code = sent[text]["tracking_code"]

        async def concluded() -> str | None:
            page = (await client.get("/xa/demo/theo-doi", params={"ma": code})).text
            return page if "Thực hiện kết luận" in page else None

        return await eventually(concluded, timeout=30)

    drain_page = await tracked(DRAIN["ấp Căn Cứ"])
    assert LEGACY in drain_page and TODAY not in drain_page
    land_page = await tracked(LAND)
    (body,) = re.findall(r"<dd data-followup-office>([^<]*)</dd>", land_page)
    assert body == LAND_BODY
    assert TODAY not in land_page and f"({LAND_BODY})" in land_page and "(Văn phòng Đảng ủy)" not in land_page
