"""One number per issue through the real broker and store (intake, routing and reporting in one
app): the meeting record's issues (what the meeting page lists), the page itself, the draft
notice, the minutes and the summary report name each issue by the conclusion notice's number,
after the Secretary's conclusions have moved issues between the notice's sections; an issue
raised twice this year carries the documents' mark on the page's issue card and on the link an
intervention makes to it.

An outside walkthrough read "vấn đề 2" in the minutes for what the notice printed as "số 1"."""

from __future__ import annotations

import re
from html import unescape

import pytest

from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.integration.helpers import posted_and_routed
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
C = "/api/v1/communes/demo"
D = f"{C}/dialogues/demo-2017"
M = f"{D}/meeting"
PAGE = "/staff/hoi-nghi"
ROAD = "Lộ đal ấp Chợ làm từ năm 2010 nay bể nát, nhiều đoạn sụp xuống mương, đề nghị xã sửa chữa."
ROAD_AGAIN = "lo dal ap Cho van be nat, nhieu doan sup xuong muong, nam nao cung kien nghi ma chua sua"
PETITIONS = [
    ("Cống thoát nước trước chợ bị nghẹt, mưa là ngập cả đoạn đường.", "ấp Chợ"),
    (ROAD, "ấp Chợ"),
    (ROAD_AGAIN, "ấp Chợ"),
    (
        "Đề nghị tỉnh sớm chi trả tiền bồi thường giải phóng mặt bằng đường tỉnh 741 cho các hộ dân.",
        "ấp Căn Cứ",
    ),
    ("Cảm ơn Đảng ủy đã quan tâm làm đường bê tông ấp Chợ, bà con rất phấn khởi.", "ấp Chợ"),
    ("Xe tải chở cát chạy tốc độ cao qua trường học, đề nghị lắp biển báo và gờ giảm tốc.", "ấp Căn Cứ"),
]
TAGGED = re.compile(r"Mã kiểm tra (Q[A-Z]{2})")


@pytest.fixture
async def system(make_settings):
    petitions = [(hamlet, text) for text, hamlet in PETITIONS]
    async with posted_and_routed(make_settings, [intake, routing, reporting], petitions) as (app, api, _):
        yield app, api


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def numbers(text: str, pattern: str) -> dict[str, int]:
    return {m.group(2): int(m.group(1)) for m in re.finditer(pattern, text)}


async def test_every_page_and_document_names_an_issue_by_the_notices_number(system):
    app, api = system
    issues = (await api.get(M)).json()["issues"]
    assert len(issues) == len(PETITIONS) - 1  # the road raised twice is one issue
    tags: dict[str, str] = {}
    for n, issue in enumerate(issues):  # a reviewed summary carrying a tag each
        tags[issue["key"]] = tag = f"QA{chr(65 + n)}"
        stored = await api.put(f"{M}/issues/{issue['key']}", json={"summary": f"Mã kiểm tra {tag} về vấn đề"})
        assert stored.status_code == 200, stored.text
    road = next(i for i in issues if "Lộ đal" in i["summary"])
    assert road["repeat_mark"].startswith("Nêu 2 lần") and road["times_raised"] == 2
    by_words = {
        w: next(i for i in issues if w in i["summary"])["key"] for w in ("Cảm ơn", "Cống", "bồi thường")
    }
    concluded = {
        by_words["Cảm ơn"]: {"kind": "answered", "text": "Đã trả lời tại hội nghị"},
        by_words["Cống"]: {
            "kind": "assigned",
            "text": "Nạo vét cống trong quý II",
            "office_id": "phong-kinh-te",
            "deadline_working_days": 30,
        },
        by_words["bồi thường"]: {
            "kind": "recommended",
            "text": "Kiến nghị chi trả",
            "higher_body": "Sở Tài chính",
        },
    }
    for key, body in concluded.items():
        saved = await api.put(f"{M}/conclusions/{key}", json=body)
        assert saved.status_code == 200, saved.text
    spoken = await api.post(
        f"{M}/interventions",
        json={
            "speaker": "Ông Lê Văn Tư",
            "registered": True,
            "hamlet": "ấp Chợ",
            "question": "Lộ đal nát mấy năm rồi, khi nào sửa?",
            "issue_keys": [road["key"]],
        },
    )
    assert spoken.status_code == 201, spoken.text

    record = {tags[i["key"]]: i["number"] for i in (await api.get(M)).json()["issues"]}
    assert sorted(record.values()) == list(range(1, len(issues) + 1))

    notice_text = text_of((await api.get(f"{D}/documents/thong-bao-ket-luan/preview.html")).text)
    notice = numbers(notice_text, r"(\d+)\.(?: \[[^\]]*\])? Ý kiến của [^“]*“Mã kiểm tra (Q[A-Z]{2})")
    assert notice == record
    assert [notice[t] for t in TAGGED.findall(notice_text)] == list(range(1, len(issues) + 1))

    minutes_text = text_of((await api.get(f"{D}/documents/bien-ban/preview.html")).text)
    minutes = numbers(minutes_text, r"(\d+)\. (?:\[[^\]]*\] )?Về ý kiến “Mã kiểm tra (Q[A-Z]{2})")
    assert minutes == {tags[k]: record[tags[k]] for k in concluded}

    report_text = text_of((await api.get(f"{D}/documents/bao-cao-tong-hop/preview.html")).text)
    table = report_text.split("2. Tổng hợp ý kiến theo nội dung", 1)[1].split("3. Các vấn đề vượt", 1)[0]
    assert numbers(table, r"(\d+) (?:\[[^\]]*\] )?Mã kiểm tra (Q[A-Z]{2})") == record
    listed = re.compile(r"đã nêu nhiều lần[^:]*: số ([\d, ]+);")
    in_report, in_notice = listed.search(table), listed.search(notice_text)
    assert (
        in_report and in_notice and in_report.group(1) == in_notice.group(1) == str(record[tags[road["key"]]])
    )

    async with logged_in(app, "demo.vanphong") as client:
        page = await client.get(PAGE)
        assert page.status_code == 200, page.text
        shown = text_of(page.text)
        for tag, number in record.items():  # each card under the notice's number
            assert f"Vấn đề {number}: " in shown
            assert re.search(rf"Vấn đề {number}: (\[[^\]]*\] )?Mã kiểm tra {tag}", shown), tag
        road_number = record[tags[road["key"]]]
        assert re.search(rf"Vấn đề {road_number}: \[Nêu 2 lần[^\]]*\] Mã kiểm tra", shown)
        assert re.search(rf"Ghi kết luận: vấn đề {road_number} \[Nêu 2 lần[^\]]*\]", shown)
