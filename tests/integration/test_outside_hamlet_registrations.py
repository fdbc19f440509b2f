"""A hamlet party cell reads its own hamlet's registrations only, through the real app: the
staff look-up (`GET …/registrations?q=`) finds its hamlet's residents and none of another
hamlet's (by name or by phone), and the speaking order gives it its own hamlet's speakers' names
whole and the other hamlets' as the commune shows them to the public. The Party office still
finds and reads everyone; the counts per hamlet stay public."""

from __future__ import annotations

import httpx
import pytest

from shared.auth.principal import Role
from tests.auth import staff_headers
from tests.integration.helpers import seeded_intake

pytestmark = pytest.mark.integration

D = "/api/v1/communes/demo/dialogues/demo-2017"
PEOPLE = (
    ("Nguyễn Văn An", "0912 345 678", "ấp Chợ"),
    ("Trần Thị Bình", "0987 654 321", "ấp Chợ"),
    ("Lê Văn Cường", "0903 111 222", "Căn Cứ"),
    ("Phạm Thị Dung", "0904 333 444", "Căn Cứ"),
)


@pytest.fixture
async def registered(make_settings):
    async with seeded_intake(make_settings) as (_app, client):
        for name, phone, hamlet in PEOPLE:
            body = {"name": name, "phone": phone, "hamlet": hamlet, "wants_to_speak": True}
            response = await client.post(f"{D}/registrations", json=body, headers=staff_headers())
            assert response.status_code == 201, response.text
        yield client


async def looked_up(client: httpx.AsyncClient, q: str, headers: dict[str, str]) -> set[str]:
    response = await client.get(f"{D}/registrations", params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    return {row["name"] for row in response.json()}


async def test_a_hamlet_cell_finds_only_its_own_hamlets_registrations(registered):
    client = registered
    cell = staff_headers(Role.HAMLET_CELL, hamlet_id="ap-cho")
    assert await looked_up(client, "van", cell) == {"Nguyễn Văn An"}
    assert await looked_up(client, "thi", cell) == {"Trần Thị Bình"}
    assert await looked_up(client, "0903", cell) == set()  # Cường's phone, of ấp Căn Cứ
    other_cell = staff_headers(Role.HAMLET_CELL, hamlet_id="ap-can-cu")
    assert await looked_up(client, "van", other_cell) == {"Lê Văn Cường"}
    # a cell's account that names no hamlet of the commune finds nobody
    assert await looked_up(client, "van", staff_headers(Role.HAMLET_CELL, hamlet_id="ap-khong-co")) == set()
    # the Party office finds everyone
    assert await looked_up(client, "van", staff_headers()) == {"Nguyễn Văn An", "Lê Văn Cường"}


async def test_a_hamlet_cell_reads_other_hamlets_speakers_as_the_public_does(registered):
    client = registered

    async def speakers(headers: dict[str, str]) -> dict[str, str]:
        response = await client.get(f"{D}/speaking-order", headers=headers)
        assert response.status_code == 200, response.text
        return {s["name"]: s["hamlet"] for s in response.json()["speakers"]}

    public = await speakers({})
    assert public == {"An": "ấp Chợ", "Bình": "ấp Chợ", "Cường": "ấp Căn Cứ", "Dung": "ấp Căn Cứ"}
    cell = await speakers(staff_headers(Role.HAMLET_CELL, hamlet_id="ap-cho"))
    assert cell == {
        "Nguyễn Văn An": "ấp Chợ",
        "Trần Thị Bình": "ấp Chợ",
        "Cường": "ấp Căn Cứ",
        "Dung": "ấp Căn Cứ",
    }
    assert set(await speakers(staff_headers())) == {name for name, _, _ in PEOPLE}
    # the counts per hamlet stay public
    summary = await client.get(f"{D}/registrations/summary")
    assert summary.status_code == 200
    assert {h["hamlet_id"]: h["registered"] for h in summary.json()["hamlets"]} == {
        "ap-cho": 2,
        "ap-can-cu": 2,
    }


async def test_a_hamlet_cell_checks_in_its_own_hamlets_people_only(registered):
    """At the door a cell counts its own hamlet's people in (a registration, walk-ins); another
    hamlet's are refused 403 and not counted. The Party office counts anyone in."""
    client = registered
    ids = {}
    for name, phone, hamlet in (
        ("Võ Văn Em", "0905 555 666", "ấp Chợ"),
        ("Đỗ Thị Gấm", "0906 777 888", "Căn Cứ"),
    ):
        body = {"name": name, "phone": phone, "hamlet": hamlet}
        response = await client.post(f"{D}/registrations", json=body, headers=staff_headers())
        ids[hamlet] = response.json()["id"]
    cell = staff_headers(Role.HAMLET_CELL, hamlet_id="ap-cho")

    async def check_in(body: dict, headers: dict[str, str]) -> httpx.Response:
        return await client.post(f"{D}/check-ins", json=body, headers=headers)

    other = await check_in({"registration_id": ids["Căn Cứ"]}, cell)
    assert other.status_code == 403 and other.json()["error"] == "outside_hamlet", other.text
    assert "ấp mình" in other.json()["message_vi"] and "own hamlet" in other.json()["message_en"]
    walk_ins = await check_in({"walk_in": {"hamlet": "Căn Cứ", "count": 3}}, cell)
    assert walk_ins.status_code == 403, walk_ins.text
    assert (await check_in({"registration_id": ids["ấp Chợ"]}, cell)).status_code == 201
    assert (await check_in({"walk_in": {"hamlet": "ấp Chợ", "count": 2}}, cell)).status_code == 201
    assert (await check_in({"registration_id": ids["Căn Cứ"]}, staff_headers())).status_code == 201
    counted = (await client.get(f"{D}/attendance", headers=staff_headers())).json()
    present = {row["hamlet_id"]: row["checked_in"] for row in counted["by_hamlet"]}
    assert present["ap-cho"] == 3 and present["ap-can-cu"] == 1  # the refused ones not counted
