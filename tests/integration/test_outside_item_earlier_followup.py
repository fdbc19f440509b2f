"""The staff item page says, for each earlier round of a repeat, what that round concluded and how
its follow-up ended, as the documents print it ("Đợt năm 2016: kết luận “…”; kết quả: quá hạn
(hạn 30/09/2016), chưa giải quyết xong."), not only the answer saved when the item arrived; a
round with no follow-up on record says so. Intake, routing and reporting in one process, the
real broker and store: the 2016 item is sent while the 2016 plan is open, concluded and its
notice issued through reporting's API; the 2017 repeat is sent once the 2017 plan is open again."""

from __future__ import annotations

import httpx
import pytest

from services.demo.seed import DEMO_COMMUNE_ID, DEMO_DIALOGUE_ID, demo_dialogue, seed_demo
from services.demo.staff import seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.intake.repository import SUBMISSIONS
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from shared.directory import COMMUNES, DIALOGUES, dialogue_document
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running
from tests.integration.test_outside_item_repeats import AGAIN, EARLIER_ROUNDS, FIRST, section
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
BASE = f"/api/v1/communes/{DEMO_COMMUNE_ID}"
Y2016 = "demo-2016"
D2016 = f"{BASE}/dialogues/{Y2016}"
ANSWER = "Xã đã đưa lộ đal ấp Chợ vào kế hoạch sửa chữa năm 2017."
CONCLUSION = "Giao sửa chữa lộ đal ấp Chợ trong quý III, báo ông Tám 0912 888 777 khi xong"


async def _routed(api: httpx.AsyncClient, submission_id: str, db) -> None:
    await eventually(
        lambda: db[SUBMISSIONS].find_one({"_id": submission_id, "routing_revision": {"$gte": 0}}),
        timeout=20,
    )


async def _send(api: httpx.AsyncClient, text: str) -> str:
    body = {"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": text}
    sent = await api.post(f"{BASE}/submissions", json=body)
    assert sent.status_code == 202, sent.text
    return str(sent.json()["id"])


@pytest.fixture
async def repeat(make_settings, request):
    """`request.param` False: the 2016 round has no follow-up on record (its notice never issued)."""
    followed_up = getattr(request, "param", True)
    settings = make_settings(DOITHOAI_ROUTING_URL="inprocess", DOITHOAI_REPORTING_URL="inprocess")
    app = build_app(settings, [intake, routing, reporting], title="t")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        await seed_demo_staff(db, must_change_password=False)
        earlier = demo_dialogue().model_copy(
            update={
                "id": Y2016,
                "year": 2016,
                "meeting_date": demo_dialogue().meeting_date.replace(year=2016),
            }
        )
        await db[DIALOGUES].insert_one(dialogue_document(earlier))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers(), timeout=60
        ) as api:
            # 2016: the plan open, the item sent, concluded and the notice issued (one task)
            await db[COMMUNES].update_one({"_id": DEMO_COMMUNE_ID}, {"$set": {"current_dialogue_id": Y2016}})
            first = await _send(api, FIRST)
            await _routed(api, first, db)

            async def in_2016_record() -> list[dict]:
                return [i for i in (await api.get(f"{D2016}/meeting")).json()["issues"] if i.get("key")]

            (issue,) = await eventually(in_2016_record, timeout=20)
            task = None
            if followed_up:
                concluded = await api.put(
                    f"{D2016}/meeting/conclusions/{issue['key']}",
                    json={
                        "kind": "assigned",
                        "text": CONCLUSION,
                        "office_id": "phong-kinh-te",
                        "deadline_date": "2016-09-30",
                    },
                )
                assert concluded.status_code == 200, concluded.text
                issued = await api.post(
                    f"{D2016}/documents/thong-bao-ket-luan", json={"issued_on": "2016-04-05"}
                )
                assert issued.status_code == 201, issued.text
                (task,) = (await api.get(f"{D2016}/follow-up")).json()["tasks"]
                assert first in task["submission_ids"]
            else:  # only the answer prepared then
                answered = await api.put(
                    f"{BASE}/submissions/{first}/answer", json={"text": ANSWER, "by": "Phòng Kinh tế"}
                )
                assert answered.status_code == 200, answered.text

            # 2017: the plan open again, the same issue raised
            await db[COMMUNES].update_one(
                {"_id": DEMO_COMMUNE_ID}, {"$set": {"current_dialogue_id": DEMO_DIALOGUE_ID}}
            )
            again = await _send(api, AGAIN)
            await _routed(api, again, db)
            stored = await db[SUBMISSIONS].find_one({"_id": again})
            assert stored["dialogue_id"] == DEMO_DIALOGUE_ID
            yield app, api, first, again, task


async def test_an_earlier_round_shows_its_conclusion_and_how_its_follow_up_ended(repeat):
    app, api, first, again, task = repeat
    async with logged_in(app, "demo.vanphong") as client:
        earlier = section((await client.get(f"/staff/items/{again}")).text, EARLIER_ROUNDS)
        assert FIRST[:40] in earlier
        # the Party office reads the conclusion as typed; the 2016 task is still open past its due date
        assert (
            "Đợt năm 2016: kết luận “Giao sửa chữa lộ đal ấp Chợ trong quý III, báo ông Tám 0912 888 777 "
            "khi xong”; kết quả: quá hạn (hạn 30/09/2016), chưa giải quyết xong." in earlier
        ), earlier

        resolved = await api.post(
            f"{BASE}/follow-up/{task['id']}/status", json={"status": "resolved", "by": "Phòng Kinh tế"}
        )
        assert resolved.status_code == 200, resolved.text
        earlier = section((await client.get(f"/staff/items/{again}")).text, EARLIER_ROUNDS)
        assert "; kết quả: đã giải quyết xong." in earlier, earlier

    # an office reads the conclusion masked, as reporting's other reads give it
    async with logged_in(app, "demo.kinhte") as client:
        page = await client.get(f"/staff/items/{again}")
        assert page.status_code == 200, page.text
        earlier = section(page.text, EARLIER_ROUNDS)
        assert "kết luận “Giao sửa chữa lộ đal ấp Chợ" in earlier and "0912" not in earlier, earlier


@pytest.mark.parametrize("repeat", [False], indirect=True)
async def test_a_round_without_follow_up_says_so_beside_the_answer_then(repeat):
    app, api, first, again, task = repeat
    async with logged_in(app, "demo.vanphong") as client:
        earlier = section((await client.get(f"/staff/items/{again}")).text, EARLIER_ROUNDS)
        assert FIRST[:40] in earlier, earlier
        assert (
            "Đợt năm 2016: đã trả lời “Xã đã đưa lộ đal ấp Chợ vào kế hoạch sửa chữa năm 2017”; "
            "chưa có kết quả theo dõi." in earlier
        ), earlier


async def test_asking_for_too_many_earlier_submissions_is_refused_naming_the_field(repeat):
    _, api, first, _, _ = repeat
    many = ",".join([first, *(f"s{n}" for n in range(60))])
    refused = await api.get(f"{BASE}/dialogues/{DEMO_DIALOGUE_ID}/earlier-followup?submission_id={many}")
    assert refused.status_code == 422, refused.text
    (detail,) = refused.json()["detail"]
    assert detail["field"] == "query.submission_id" and "tối đa 50" in detail["message_vi"]
    assert "At most 50" in detail["message_en"]
