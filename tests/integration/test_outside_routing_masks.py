"""Routing's API read by those who may not see residents' texts as typed, and what every API
returning stored documents leaves out.

An outside probe found routing's review queue and a decision giving an office's staff and an
integration's `read` key the resident's text as typed (name, phone number), while intake's API
masked the same item for the same callers; and `outbox_owner` (the host and process id of the
writer) with the rest of the outbox's bookkeeping in routing's review queue, reporting's
follow-up board and its documents list. Intake, routing and reporting in one process, the real
broker and store."""

from __future__ import annotations

import httpx
import pytest

from shared.auth.principal import Role, Scope
from tests.auth import key_headers, staff_headers
from tests.conftest import eventually
from tests.integration.helpers import demo_system

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
D = f"{BASE}/dialogues/demo-2017"
# Vague (no topic fits it): the decision waits in the review queue.
VAGUE = "Xin hỏi khi nào có kết quả? Gọi ông Nguyễn Văn Tám số 0912 888 777 nhé."
CLEAR = "Ông Trần Văn Bảy số 0913 777 666 lấn chiếm lề đường trước chợ, đề nghị xã xử lý trật tự xây dựng."
PERSONAL = ("Nguyễn Văn Tám", "0912", "Trần Văn Bảy", "0913")


@pytest.fixture
async def api(make_settings):
    async with demo_system(make_settings) as (_, client):
        yield client


async def submit(api: httpx.AsyncClient, text: str) -> str:
    body = {"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": text}
    response = await api.post(f"{BASE}/submissions", json=body)
    assert response.status_code == 202, response.text
    submission_id = response.json()["id"]

    async def routed() -> bool:
        return (
            await api.get(f"{BASE}/submissions/{submission_id}/routing", headers=staff_headers())
        ).is_success

    await eventually(routed, timeout=20)
    return submission_id


def assert_masked(text: str) -> None:
    assert not [p for p in PERSONAL if p in text], text
    assert "[họ tên]" in text and "[số điện thoại]" in text, text


def outbox_keys(value: object) -> list[str]:
    """Every key starting with "outbox" anywhere in a JSON body."""
    if isinstance(value, dict):
        return [k for k in value if k.startswith("outbox")] + [
            k for v in value.values() for k in outbox_keys(v)
        ]
    if isinstance(value, list):
        return [k for v in value for k in outbox_keys(v)]
    return []


async def test_routing_masks_residents_texts_unless_the_caller_reads_them_as_typed(api):
    vague, clear = await submit(api, VAGUE), await submit(api, CLEAR)
    party, read_key = staff_headers(), key_headers("demo", Scope.READ)

    queue = await api.get(f"{BASE}/review-queue", headers=party)
    assert queue.status_code == 200, queue.text
    (as_typed,) = [i for i in queue.json()["items"] if i["submission_id"] == vague]
    assert as_typed["text"] == VAGUE  # the Party office reads it as typed
    queue = await api.get(f"{BASE}/review-queue", headers=read_key)
    assert queue.status_code == 200, queue.text
    (masked,) = [i for i in queue.json()["items"] if i["submission_id"] == vague]
    assert_masked(masked["text"])
    assert "Xin hỏi khi nào có kết quả?" in masked["text"]

    decision = (await api.get(f"{BASE}/submissions/{clear}/routing", headers=party)).json()
    assert decision["text"] == CLEAR
    office = staff_headers(Role.OFFICE_STAFF, office_id=decision["office_id"])
    for headers in (office, read_key):
        read = await api.get(f"{BASE}/submissions/{clear}/routing", headers=headers)
        assert read.status_code == 200, read.text
        assert_masked(read.json()["text"])
        assert "lấn chiếm lề đường trước chợ" in read.json()["text"]
        # intake's API gives the same caller the same masked text
        intake_view = await api.get(f"{BASE}/submissions/{clear}", headers=headers)
        assert intake_view.status_code == 200, intake_view.text
        assert intake_view.json()["text"] == read.json()["text"]

    answered = await api.put(
        f"{BASE}/submissions/{clear}/answer", json={"text": "Xã sẽ kiểm tra trong tháng."}, headers=office
    )
    assert answered.status_code == 200, answered.text
    assert_masked(answered.json()["text"])


async def test_no_api_returning_stored_documents_shows_the_outbox_bookkeeping(api):
    await submit(api, VAGUE)
    await submit(api, CLEAR)
    party = staff_headers()
    issued = await api.post(
        f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"}, headers=party
    )
    assert issued.status_code == 201, issued.text
    reads = {
        "review queue": f"{BASE}/review-queue",
        "follow-up board": f"{D}/follow-up",
        "documents": f"{D}/documents",
    }
    for name, url in reads.items():
        response = await api.get(url, headers=party)
        assert response.status_code == 200, (name, response.text)
        body = response.json()
        assert body.get("items") or body.get("tasks") or body.get("documents"), (name, body)
        assert outbox_keys(body) == [], (name, outbox_keys(body))
    queue = (await api.get(reads["review queue"], headers=party)).json()["items"]
    decision = await api.get(f"{BASE}/submissions/{queue[0]['submission_id']}/routing", headers=party)
    assert outbox_keys(decision.json()) == []
    (task, *_) = (await api.get(reads["follow-up board"], headers=party)).json()["tasks"]
    changed = await api.post(
        f"{BASE}/follow-up/{task['id']}/status", json={"status": "in_progress"}, headers=party
    )
    assert changed.status_code == 200, changed.text
    assert outbox_keys(changed.json()) == []
