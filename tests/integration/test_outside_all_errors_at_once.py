"""A form or an API body with several wrong fields is refused with every one of them at once,
through the real app: the JSON APIs list each field with its reason in both languages, an
unknown hamlet included (it is checked against the commune, after the body's own validation,
yet answered with the rest); the residents' pages mark every wrong field."""

from __future__ import annotations

import re

import pytest

from tests.integration.helpers import seeded_intake
from tests.integration.test_web_staff import token_of

pytestmark = pytest.mark.integration
C = "/api/v1/communes/demo"
MARKED = re.compile(r'id="e-([a-z_]+)"')


@pytest.fixture
async def client(make_settings):
    async with seeded_intake(make_settings) as (_, http):
        yield http


def fields(response) -> dict[str, tuple[str, str]]:
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "validation_failed"
    return {d["field"]: (d["message_vi"], d["message_en"]) for d in body["detail"]}


async def test_the_submission_api_names_every_wrong_field_the_unknown_hamlet_too(client):
    sent = {"source": "citizen", "kind": "x", "text": "ab", "hamlet": "ấp Không Có", "contact": "abc"}
    wrong = fields(await client.post(f"{C}/submissions", json=sent))
    assert set(wrong) == {"kind", "text", "contact", "hamlet"}
    assert all(vi and en and vi != en for vi, en in wrong.values())
    assert "Không có ấp 'ấp Không Có'" in wrong["hamlet"][0] and "No hamlet" in wrong["hamlet"][1]
    # with the rest right, the hamlet alone
    alone = {**sent, "kind": "petition", "text": "Đèn đường hư đã lâu.", "contact": None}
    assert set(fields(await client.post(f"{C}/submissions", json=alone))) == {"hamlet"}


async def test_the_registration_api_names_every_wrong_field(client):
    sent = {"name": "A", "phone": "12", "hamlet": "ấp Không Có", "topic": 99}
    wrong = fields(await client.post(f"{C}/dialogues/demo-2017/registrations", json=sent))
    assert set(wrong) == {"name", "phone", "topic", "hamlet"}
    whole = {"name": "A", "phone": "12", "hamlet": "Toàn xã"}  # a registration needs a hamlet
    assert set(fields(await client.post(f"{C}/dialogues/demo-2017/registrations", json=whole))) == {
        "name",
        "phone",
        "hamlet",
    }


async def test_the_residents_forms_mark_every_wrong_field(client):
    token = await token_of(client, "/xa/demo")
    form = {"csrf_token": token, "hamlet": "ấp Không Có", "kind": "", "text": "", "phone": "abc", "name": ""}
    page = await client.post("/xa/demo/gui-y-kien", data=form)
    assert page.status_code == 422
    assert {"hamlet", "kind", "text", "phone"} <= set(MARKED.findall(page.text))

    token = await token_of(client, "/xa/demo/dang-ky")
    form = {"csrf_token": token, "hamlet": "ấp Không Có", "name": "A", "phone": "abc", "topic": "99"}
    page = await client.post("/xa/demo/dang-ky", data=form)
    assert page.status_code == 422
    assert {"hamlet", "name", "phone", "topic"} <= set(MARKED.findall(page.text))


async def test_the_registration_form_says_why_a_name_with_a_phone_number_is_refused(client):
    """A name holding a phone number is refused for what it is, not as a name too short."""
    token = await token_of(client, "/xa/demo/dang-ky")
    form = {"csrf_token": token, "hamlet": "ấp Chợ", "name": "Hoa 0909123456", "phone": "0912345678"}
    page = await client.post("/xa/demo/dang-ky", data=form)
    assert page.status_code == 422 and "name" in MARKED.findall(page.text)
    assert "Họ tên chỉ gồm chữ cái" in page.text and "2–120 ký tự" not in page.text
