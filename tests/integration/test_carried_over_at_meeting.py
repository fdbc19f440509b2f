"""A conclusion of 2017 still open when the 2018 meeting is held, and nobody raised it again,
through the real broker and store (the four services in one process): the 2018 meeting record
lists it as carried over with its year and how its follow-up stands; the Secretary's conclusion on
it is what the 2018 notice and minutes print, and issuing the notice opens a 2018 task from it that
takes over the 2017 task (kept as it is); a carried-over issue left without a conclusion prints
and is followed as before."""

from __future__ import annotations

from datetime import date

import pytest

from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.reporting.handlers.followup import changed_event
from services.routing.app import build_service as routing
from tests.conftest import eventually
from tests.integration.helpers import posted_and_routed
from tests.integration.test_meeting_page import text_of
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
D18 = f"{BASE}/dialogues/demo-2018"
PETITIONS = [
    ("Cống thoát nước trước chợ bị nghẹt, mưa là ngập cả đoạn đường.", "ấp Chợ"),
    ("Xe tải chở cát chạy tốc độ cao qua trường học, đề nghị lắp biển báo và gờ giảm tốc.", "ấp Căn Cứ"),
]
NEXT_PLAN = {
    "id": "demo-2018",
    "year": 2018,
    "title": "Kế hoạch đối thoại năm 2018",
    "theme": "Xây dựng nông thôn mới",
    "meeting_date": "2018-03-24",
    "venue": "Nhà văn hóa xã",
    "hamlets": [{"hamlet": "ấp Chợ"}],
}
CONCLUDED_2018 = "Lập dự toán, nạo vét toàn tuyến cống trước chợ xong trước mùa mưa năm 2018"


@pytest.fixture
async def system(make_settings, mail_capture):
    services = [intake, routing, notification, reporting]
    petitions = [(hamlet, text) for text, hamlet in PETITIONS]
    started = posted_and_routed(make_settings, services, petitions, SMTP_URL=mail_capture.url)
    async with started as (app, client, _):
        notice = {"by": "VP", "issued_on": "2017-04-05"}
        issued = await client.post(f"{BASE}/dialogues/demo-2017/documents/thong-bao-ket-luan", json=notice)
        assert issued.status_code == 201
        await eventually(lambda: _tasks(client, "demo-2017", len(PETITIONS)), timeout=30)
        assert (await client.post(f"{BASE}/dialogues", json=NEXT_PLAN)).status_code == 201
        # the 2018 plan is published (a draft is the commune's own work: no public page)
        opened = await client.post(f"{D18}/transitions", json={"to": "collecting"})
        assert opened.status_code == 200, opened.text
        yield client, app


async def _tasks(client, dialogue_id: str, n: int) -> list[dict] | None:
    tasks = (await client.get(f"{BASE}/dialogues/{dialogue_id}/follow-up")).json()["tasks"]
    return tasks if len(tasks) >= n else None


async def test_a_carried_over_issue_is_concluded_at_the_next_meeting_and_followed_up(system):
    client, app = system
    old = {
        t["issue_text"] if t.get("issue_text") else t["text"]: t for t in await _tasks(client, "demo-2017", 2)
    }
    culvert_2017 = next(t for text, t in old.items() if text.startswith("Cống thoát nước"))
    trucks_2017 = next(t for text, t in old.items() if text.startswith("Xe tải"))

    record = (await client.get(f"{D18}/meeting")).json()
    issues = {i["summary"][:7]: i for i in record["issues"]}
    culvert, trucks = issues["Cống th"], issues["Xe tải "]
    assert culvert["carried_over"] is True and trucks["carried_over"] is True
    assert culvert["earlier_years"] == [2017] and "kéo dài từ năm 2017" in culvert["repeat_mark"]
    assert culvert["earlier"] and culvert["earlier"][0].startswith("Đợt năm 2017: ")
    assert culvert["tracking_codes"] == []  # nobody raised it in 2018

    async with logged_in(app, "demo.vanphong") as staff:  # the meeting-day page marks it
        page = await staff.get("/staff/hoi-nghi?dot=demo-2018&loc=keo-dai")
        assert page.status_code == 200, page.text
        assert (
            page.text.count('data-carried-over="2017"') == 2 and f'data-issue="{culvert["key"]}"' in page.text
        )
        shown = text_of(page.text)
        assert "Kéo dài Chưa giải quyết xong từ đợt đối thoại năm 2017; năm nay chưa ai nêu lại" in shown
        assert "Đợt năm 2017: " in shown and "kết quả: " in shown

    answer = await client.put(
        f"{D18}/meeting/conclusions/{culvert['key']}",
        json={
            "kind": "assigned",
            "text": CONCLUDED_2018,
            "office_id": "phong-kinh-te",
            "deadline_working_days": 30,
        },
    )
    assert answer.status_code == 200, answer.text
    unknown = await client.put(
        f"{D18}/meeting/conclusions/no-such-issue", json={"kind": "answered", "text": "x"}
    )
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_issue"

    notice = await client.get(f"{D18}/documents/thong-bao-ket-luan/preview.html")
    assert notice.status_code == 200 and CONCLUDED_2018 in notice.text
    minutes = await client.get(f"{D18}/documents/bien-ban/preview.html")
    assert minutes.status_code == 200 and CONCLUDED_2018 in minutes.text

    issued = await client.post(
        f"{D18}/documents/thong-bao-ket-luan", json={"by": "VP", "issued_on": "2018-04-02"}
    )
    assert issued.status_code == 201, issued.text
    [task] = await eventually(lambda: _tasks(client, "demo-2018", 1), timeout=30)
    assert task["text"] == CONCLUDED_2018 and task["status"] == "assigned"
    assert task["supersedes"] == [culvert_2017["_id"]] and task["years_raised"] == [2017]
    assert task["submission_ids"] == culvert_2017["submission_ids"][:1]
    assert isinstance(task["notice_number"], int) and task["notice_number"] >= 1
    assert (await client.get("/public/demo/dialogues/demo-2018")).status_code == 200
    opened = await client.get(f"{D18}/open-data.json")
    assert opened.status_code == 200, opened.text
    [row] = opened.json()["rows"]  # open data shows what the Secretary concluded in 2018
    assert row["conclusion"] == CONCLUDED_2018 and row["stt"] == task["notice_number"]
    # the 2017 task is kept as it stood; the trucks' issue, not concluded, opens no 2018 task
    after = {t["id"]: t for t in await _tasks(client, "demo-2017", 2)}
    assert after[culvert_2017["_id"]]["status"] == culvert_2017["status"]
    assert after[trucks_2017["_id"]]["status"] == trucks_2017["status"]


async def _intake_followup(app, submission_id: str, task_id: str) -> dict | None:
    doc = await app.state.runtime.db["intake_submissions"].find_one({"_id": submission_id})
    return doc if doc and doc.get("followup_task") == task_id else None


async def test_the_new_task_takes_over_the_residents_page_and_the_earlier_one_is_followed_no_more(system):
    """The 2017 task had moved twice (revision 2) when the 2018 conclusion took it over: the 2017
    submission's tracking shows the 2018 task from its revision 0, and a late change of the 2017
    task reaching intake afterwards changes nothing; the 2017 task keeps its status but is neither
    overdue on its board nor reminded, and says where its issue went."""
    client, app = system
    old = {
        t["issue_text"] if t.get("issue_text") else t["text"]: t for t in await _tasks(client, "demo-2017", 2)
    }
    culvert_2017 = next(t for text, t in old.items() if text.startswith("Cống thoát nước"))
    sid = culvert_2017["submission_ids"][0]
    for status in ("in_progress", "escalated"):
        moved = await client.post(
            f"{BASE}/follow-up/{culvert_2017['id']}/status", json={"status": status, "by": "Phòng Kinh tế"}
        )
        assert moved.status_code == 200, moved.text
    before = await eventually(lambda: _intake_followup(app, sid, culvert_2017["id"]), timeout=30)
    await eventually(lambda: _revision(app, sid, 2), timeout=30)
    assert before["followup_task"] == culvert_2017["id"]

    issues = (await client.get(f"{D18}/meeting")).json()["issues"]
    key = next(i["key"] for i in issues if i["summary"].startswith("Cống thoát nước"))
    # before the notice: the readiness check names both carried-over issues, the draft prints them
    ready = (await client.get(f"{D18}/documents/thong-bao-ket-luan/readiness")).json()
    [carried] = [p for p in ready["problems"] if p["code"] == "carried_over_not_concluded"]
    assert carried["count"] == 2 and "kéo dài từ các năm trước (2017)" in carried["message_vi"]
    draft = await client.get(f"{D18}/conclusion-notice/draft")
    assert draft.status_code == 200 and "Xe tải chở cát" in draft.text and "Cống thoát nước" in draft.text
    body = {
        "kind": "assigned",
        "text": CONCLUDED_2018,
        "office_id": "phong-kinh-te",
        "deadline_working_days": 30,
    }
    assert (await client.put(f"{D18}/meeting/conclusions/{key}", json=body)).status_code == 200
    ready = (await client.get(f"{D18}/documents/thong-bao-ket-luan/readiness")).json()
    [carried] = [p for p in ready["problems"] if p["code"] == "carried_over_not_concluded"]
    assert carried["count"] == 1 and key not in carried["issue_keys"]  # the trucks' issue only
    issued = await client.post(
        f"{D18}/documents/thong-bao-ket-luan", json={"by": "VP", "issued_on": "2018-04-02"}
    )
    assert issued.status_code == 201, issued.text
    [task] = await eventually(lambda: _tasks(client, "demo-2018", 1), timeout=30)

    # 1. the resident's page of the 2017 submission follows the 2018 task from its revision 0
    followed = await eventually(lambda: _intake_followup(app, sid, task["id"]), timeout=30)
    assert (followed["followup_status"], followed["followup_revision"]) == ("assigned", 0)
    assert followed["followup_due"] == task["due"] and followed["followup_superseded"] == [culvert_2017["id"]]
    tracked = (await client.get(f"{BASE}/tracking/{followed['tracking_code']}")).json()
    assert tracked["followup_status"] == "assigned"
    page = await client.get(f"/xa/demo/theo-doi?ma={followed['tracking_code']}")
    assert page.status_code == 200
    shown = text_of(page.text)  # the 2018 task's deadline, no longer the 2017 task's escalation
    due = date.fromisoformat(task["due"])
    assert f"{due:%d/%m/%Y}" in shown and "Đang thực hiện kết luận" in shown
    # a late change of the 2017 task (revision 3) reaches intake through the broker: it loses
    late = changed_event(
        {**culvert_2017, "_id": culvert_2017["id"], "commune_id": "demo"},
        "resolved",
        "escalated",
        None,
        "x",
        3,
    )
    await app.state.parts["reporting"].publisher.publish(late)
    history = app.state.runtime.db["intake_submission_history"]
    await eventually(lambda: history.find_one({"_id": f"{late.event_id}:{sid}"}), timeout=30)
    assert (await _intake_followup(app, sid, task["id"])) is not None  # still the 2018 task

    # 2. the 2017 task keeps its status, is not overdue, not reminded, not changed, and says where it went
    board = (await client.get(f"{BASE}/dialogues/demo-2017/follow-up")).json()
    shown = next(t for t in board["tasks"] if t["id"] == culvert_2017["id"])
    assert shown["status"] == "escalated" and shown["overdue"] is False
    assert shown["superseded_by"]["task_id"] == task["id"] and shown["superseded_by"]["year"] == 2018
    assert shown["superseded_by"]["notice_number"] == task["notice_number"]
    assert board["overdue"] == sum(
        1 for t in board["tasks"] if t["id"] != culvert_2017["id"] and t["overdue"]
    )
    refused = await client.post(
        f"{BASE}/follow-up/{culvert_2017['id']}/status", json={"status": "resolved", "by": "Phòng Kinh tế"}
    )
    assert refused.status_code == 409 and refused.json()["error"] == "taken_over"
    assert "Việc này đã chuyển sang kết luận đợt năm 2018" in refused.json()["message_vi"]
    scanner = app.state.parts["reporting"].components["scanner"]
    await scanner.scan(today=date(2030, 1, 1))  # past every due date
    reminders = await app.state.runtime.db["reporting_task_reminders"].find({}).to_list()
    reminded = {r["_id"].rsplit(":", 2)[0] for r in reminders}
    assert task["id"] in reminded and culvert_2017["id"] not in reminded

    async with logged_in(app, "demo.vanphong") as staff:
        page = await staff.get("/staff/theo-doi?dot=demo-2017")
        assert page.status_code == 200, page.text
        assert f'data-taken-over="{task["id"]}"' in page.text
        shown_text = text_of(page.text)
        assert f"Đã chuyển sang kết luận đợt năm 2018, số {task['notice_number']}" in shown_text
        card = page.text.split(f'data-taken-over="{task["id"]}"', 1)[1].split("</li>", 1)[0]
        assert 'name="status"' not in card and "Quá hạn" not in card  # no change offered, not overdue


async def _revision(app, submission_id: str, revision: int) -> bool:
    doc = await app.state.runtime.db["intake_submissions"].find_one({"_id": submission_id})
    return bool(doc) and doc.get("followup_revision") == revision
