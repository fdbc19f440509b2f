"""The meeting record through reporting's API, read by those who may not see who sent what: an
office's staff and an integration's key with `read` read each intervention with the speaker's
name withheld and personal data in the question and the answers masked (as intake's and
reporting's other APIs give them residents' texts); the Party office reads it as typed."""

from __future__ import annotations

import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.reporting.app import build_service as reporting
from shared.auth.principal import Role, Scope
from shared.personal_data import NAME
from tests.auth import key_headers, staff_headers
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
M = "/api/v1/communes/demo/dialogues/demo-2017/meeting"
SPEAKER = "Nguyễn Văn An"
QUESTION = "Tôi là Nguyễn Văn An, số 0912 345 678, hỏi về con đường trước nhà số 15 Trần Phú bị ngập."
ANSWER = "Ông An (0912 345 678) sẽ được Phòng Kinh tế liên hệ để khảo sát."


@pytest.fixture
async def client(make_settings):
    app = build_app(make_settings(), [reporting], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as api:
            body = {
                "speaker": SPEAKER,
                "registered": True,
                "hamlet": "ấp Chợ",
                "question": QUESTION,
                "answers": [{"by": "Chủ tịch UBND xã", "text": ANSWER}],
            }
            posted = await api.post(f"{M}/interventions", json=body, headers=staff_headers())
            assert posted.status_code == 201, posted.text
            yield api


async def intervention(api: httpx.AsyncClient, headers: dict[str, str]) -> dict:
    response = await api.get(M, headers=headers)
    assert response.status_code == 200, response.text
    (only,) = response.json()["interventions"]
    return only


@pytest.mark.parametrize(
    "headers",
    [
        staff_headers(Role.OFFICE_STAFF, office_id="phong-van-hoa-xa-hoi"),
        staff_headers(Role.OFFICE_STAFF),
        key_headers("demo", Scope.READ),
    ],
    ids=["another-office", "the-office", "read-key"],
)
async def test_offices_and_integrations_read_interventions_masked(client, headers):
    read = await intervention(client, headers)
    assert read["speaker"] == NAME
    assert "0912" not in read["question"] and SPEAKER not in read["question"]
    assert read["question"].endswith("Trần Phú bị ngập.")  # the question itself is kept
    assert "0912" not in read["answers"][0]["text"]
    assert read["answers"][0]["by"] == "Chủ tịch UBND xã"  # an official's title, not personal data
    assert (read["registered"], read["hamlet"]) == (True, "ấp Chợ")


async def test_the_party_office_reads_interventions_as_typed(client):
    read = await intervention(client, staff_headers())
    assert (read["speaker"], read["question"], read["answers"][0]["text"]) == (SPEAKER, QUESTION, ANSWER)
