"""The follow-up board through reporting's API, read by those who may not see residents' texts as
typed: the office a task is assigned to (the board and the task its own change returns) and an
integration's key with `read` get the task's text masked (names, phone numbers); the Party office
reads it as typed. Intake, routing and reporting in one process, the real broker and store."""

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
TEXT = "Ông Nguyễn Văn Tám số 0912 888 777 lấn chiếm lề đường trước chợ, đề nghị xã xử lý trật tự xây dựng."


async def tasks(api: httpx.AsyncClient, headers: dict[str, str]) -> list[dict]:
    response = await api.get(f"{D}/follow-up", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["tasks"]


@pytest.fixture
async def board(make_settings):
    async with demo_system(make_settings) as (_, api):
        party = staff_headers()
        body = {"source": "citizen", "kind": "complaint", "hamlet": "ấp Chợ", "text": TEXT}
        assert (await api.post(f"{BASE}/submissions", json=body)).status_code == 202

        async def routed() -> bool:
            items = (await api.get(f"{D}/items", headers=party)).json()["items"]
            return any(i["topic"] is not None for i in items)

        await eventually(routed, timeout=20)
        issued = await api.post(
            f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"}, headers=party
        )
        assert issued.status_code == 201, issued.text
        (task,) = await tasks(api, party)
        yield api, task


def assert_masked(task: dict) -> None:
    for field in ("text", "issue_text"):
        if task.get(field) is not None:
            assert "0912" not in task[field] and "Nguyễn Văn Tám" not in task[field], task[field]
    assert "lấn chiếm lề đường trước chợ" in task["text"]


async def test_the_office_and_integrations_read_tasks_masked(board):
    api, as_typed = board
    assert as_typed["text"] == TEXT  # the Party office reads it as typed
    office = staff_headers(Role.OFFICE_STAFF, office_id=as_typed["office_id"])
    (mine,) = await tasks(api, office)
    assert_masked(mine)
    (read,) = await tasks(api, key_headers("demo", Scope.READ))
    assert_masked(read)
    changed = await api.post(
        f"{BASE}/follow-up/{mine['id']}/status", json={"status": "in_progress"}, headers=office
    )
    assert changed.status_code == 200, changed.text
    assert_masked(changed.json())
