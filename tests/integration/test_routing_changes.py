"""Staff changes and per-commune rules through the real broker and store: every change is an
audited event, and the submission's history, the read model and the offices follow it."""

from __future__ import annotations

import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from services.routing.rules_store import default_rules_dict
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"


@pytest.fixture
async def client(make_settings, mail_capture):
    app = build_app(
        make_settings(SMTP_URL=mail_capture.url), [intake, routing, notification, reporting], title="t"
    )
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://t",
            headers=staff_headers(name="Lê Thị Hoa (Văn phòng Đảng ủy)"),
        ) as client:
            yield client


async def submit(client: httpx.AsyncClient, text: str, hamlet: str = "ấp Chợ") -> str:
    response = await client.post(
        f"{BASE}/submissions", json={"source": "citizen", "kind": "petition", "hamlet": hamlet, "text": text}
    )
    assert response.status_code == 202, response.text
    submission_id = response.json()["id"]
    await eventually(lambda: _get(client, f"{BASE}/submissions/{submission_id}/routing"))
    return submission_id


async def _get(client: httpx.AsyncClient, url: str) -> dict | None:
    response = await client.get(url)
    return response.json() if response.status_code == 200 else None


async def test_reclassify_and_reassign_are_audited_and_followed(client, mail_capture):
    submission_id = await submit(client, "Trộm cắp xe máy ban đêm ở đầu ấp, đề nghị tăng cường tuần tra.")
    assert (await _get(client, f"{BASE}/submissions/{submission_id}/routing"))["office_id"] == "cong-an-xa"
    await eventually(lambda: len(mail_capture.messages()) == 1)

    change = {
        "action": "reassign",
        "office_id": "phong-kinh-te",
        "by": "Lê Thị Hoa (Văn phòng Đảng ủy)",
        "reason": "Cần lắp đèn chiếu sáng trước, Công an phối hợp",
    }
    response = await client.post(f"{BASE}/submissions/{submission_id}/routing/changes", json=change)
    assert response.status_code == 200, response.text
    decision = response.json()
    assert (decision["revision"], decision["office_id"], decision["change"], decision["changed_by"]) == (
        1,
        "phong-kinh-te",
        "reassigned",
        change["by"],
    )
    [audit] = decision["changes"]
    assert (audit["by"], audit["reason"], audit["before"]["office_id"], audit["after"]["office_id"]) == (
        change["by"],
        change["reason"],
        "cong-an-xa",
        "phong-kinh-te",
    )

    async def history_shows_the_change():
        view = await _get(client, f"{BASE}/submissions/{submission_id}")
        return (
            view
            if view["office"]["id"] == "phong-kinh-te"
            and any(h["status"] == "reassigned" for h in view["history"])
            else None
        )

    view = await eventually(history_shows_the_change)
    entry = next(h for h in view["history"] if h["status"] == "reassigned")
    assert entry["by"] == change["by"] and change["reason"] in entry["staff_note_vi"]
    assert change["reason"] not in entry["note_vi"]  # the reason is staff-only
    assert view["status"] == "office_notified"  # a change never moves the status back
    await eventually(
        lambda: (
            sorted(m["To"] for m in mail_capture.messages())
            == ["congan@tanphuoc.example", "kinhte@tanphuoc.example"]
        )
    )

    reclassify = {
        "action": "reclassify",
        "topic": 3,
        "by": "Lê Thị Hoa (Văn phòng Đảng ủy)",
        "reason": "Nội dung chính là chiếu sáng đường",
    }
    assert (await client.post(f"{BASE}/submissions/{submission_id}/routing/changes", json=reclassify)).json()[
        "revision"
    ] == 2

    async def read_model_follows():
        items = (await client.get(f"{BASE}/dialogues/demo-2017/items")).json()["items"]
        item = next(i for i in items if i["id"] == submission_id)
        return item if item["topic"] == 3 else None

    assert (await eventually(read_model_follows))["office_name"] == "Phòng Kinh tế"
    assert len(mail_capture.messages()) == 2  # same office after reclassifying: no new e-mail

    bad = await client.post(
        f"{BASE}/submissions/{submission_id}/routing/changes", json={**change, "office_id": "no-such-office"}
    )
    assert bad.status_code == 422 and "Các cơ quan" in bad.json()["message_vi"]
    assert (
        await client.post(
            f"{BASE}/submissions/{submission_id}/routing/changes", json={"action": "reassign", "by": "x"}
        )
    ).status_code == 422


async def test_merge_and_split_a_duplicate_cluster(client):
    first = await submit(client, "Cống thoát nước trước chợ bị nghẹt, mưa là ngập.")
    second = await submit(client, "Đường vào trường tiểu học ngập sâu khi mưa lớn.")
    merged = (
        await client.post(
            f"{BASE}/submissions/{second}/routing/changes",
            json={
                "action": "merge",
                "into": first,
                "by": "Văn phòng Đảng ủy",
                "reason": "Cùng một tuyến cống",
            },
        )
    ).json()
    assert (merged["cluster_id"], merged["duplicate_of"], merged["change"]) == (
        (await _get(client, f"{BASE}/submissions/{first}/routing"))["cluster_id"] or first,
        first,
        "merged",
    )
    await eventually(lambda: _duplicate_of(client, second, first))
    split = (
        await client.post(
            f"{BASE}/submissions/{second}/routing/changes",
            json={"action": "split", "by": "Văn phòng Đảng ủy", "reason": "Khác tuyến"},
        )
    ).json()
    assert (split["cluster_id"], split["duplicate_of"], split["revision"]) == (f"{second}.2", None, 2)
    await eventually(lambda: _duplicate_of(client, second, None))


async def _duplicate_of(client, submission_id, expected) -> bool:
    return (await _get(client, f"{BASE}/submissions/{submission_id}"))["duplicate_of"] == expected


async def test_low_confidence_goes_to_the_review_queue_until_confirmed(client):
    vague = await submit(client, "Xin hỏi khi nào có kết quả?")
    queue = (await client.get(f"{BASE}/review-queue")).json()["items"]
    assert vague in [i["submission_id"] for i in queue]
    confirm = {"action": "confirm", "by": "Văn phòng Đảng ủy", "reason": "Đã xem, giữ phân loại"}
    assert (await client.post(f"{BASE}/submissions/{vague}/routing/changes", json=confirm)).status_code == 200
    assert vague not in [
        i["submission_id"] for i in (await client.get(f"{BASE}/review-queue")).json()["items"]
    ]


async def test_commune_rules_are_data_edited_without_a_deploy(client):
    rules = default_rules_dict()
    assert (await client.get(f"{BASE}/routing/rules")).json()["source"] == "built-in default"
    broken = await client.put(
        f"{BASE}/routing/rules", json={"rules": {"topics": "nonsense"}, "updated_by": "admin"}
    )
    assert broken.status_code == 422 and broken.json()["detail"][0]["field"] == "rules"
    text = "Đề nghị trồng thêm cây sao đen dọc kênh Xáng."
    before = (await _get(client, f"{BASE}/submissions/{await submit(client, text)}/routing"))["topic"]
    rules["topics"]["4"]["terms"]["cây sao đen"] = 20
    saved = await client.put(f"{BASE}/routing/rules", json={"rules": rules, "updated_by": "Quản trị xã"})
    assert saved.status_code == 200 and saved.json()["version"] == 1
    after = (await _get(client, f"{BASE}/submissions/{await submit(client, text)}/routing"))["topic"]
    assert before != 4 and after == 4
    assert (await client.delete(f"{BASE}/routing/rules")).status_code == 204


async def open_plan(client: httpx.AsyncClient, year: int, hamlet: str) -> str:
    plan_id = f"demo-{year}"
    plan = {
        "id": plan_id,
        "year": year,
        "title": f"Kế hoạch đối thoại năm {year}",
        "theme": "Xây dựng nông thôn mới",
        "meeting_date": f"{year}-03-26",
        "venue": "Nhà văn hóa xã",
        "hamlets": [{"hamlet": hamlet}],
    }
    assert (await client.post(f"{BASE}/dialogues", json=plan)).status_code == 201
    assert (
        await client.post(f"{BASE}/dialogues/{plan_id}/transitions", json={"to": "collecting"})
    ).status_code == 200
    return plan_id


async def test_a_repeat_from_an_earlier_years_dialogue_is_linked_with_its_count_and_answer(
    client, mail_capture
):
    await open_plan(client, 2016, "ấp Rạch Tràm")
    first = await submit(
        client,
        "Lộ đal ấp Rạch Tràm làm từ năm 2010 nay bể nát, nhiều đoạn sụp xuống mương, đề nghị xã sửa chữa.",
        hamlet="ấp Rạch Tràm",
    )
    answer = {
        "text": "Xã đưa tuyến lộ đal ấp Rạch Tràm vào kế hoạch sửa chữa năm 2017, nhân dân cùng góp công.",
        "by": "Chủ tịch UBND xã",
    }
    assert (await client.put(f"{BASE}/submissions/{first}/answer", json=answer)).status_code == 200

    await open_plan(client, 2018, "ấp Rạch Tràm")  # the next dialogue opens for submissions
    again = await submit(
        client,
        "lo dal ap Rach Tram van be nat, nhieu doan sup xuong muong, nam nao cung kien nghi ma chua sua",
        hamlet="Rạch Tràm",
    )
    decision = await _get(client, f"{BASE}/submissions/{again}/routing")
    assert (decision["duplicate_of"], decision["times_raised"], decision["years_raised"]) == (
        first,
        2,
        [2016, 2018],
    )
    [earlier] = decision["earlier"]
    assert (earlier["year"], earlier["submission_id"], earlier["answer"]) == (2016, first, answer["text"])

    async def intake_shows_it():
        view = await _get(client, f"{BASE}/submissions/{again}")
        return view if view["times_raised"] == 2 else None

    view = await eventually(intake_shows_it)
    assert view["duplicate_of"] == first and view["dialogue_id"] == "demo-2018"
    mail = await eventually(
        lambda: next((m for m in mail_capture.messages() if "đã được nêu 2 lần" in m.get_content()), None)
    )
    assert answer["text"] in mail.get_content() and "các năm 2016, 2018" in mail.get_content()
