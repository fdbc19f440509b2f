"""What a Fatherland Front or mass-organisation account reads of a commune's items, through the
real app: the Front committee's token reads what the Front and the mass organisations sent, a
mass organisation's token only what it sent itself; residents' items are not theirs (404, as an
item out of an office's or hamlet's scope). The commune's Party office reads every item; the
staff item page follows the same scope."""

from __future__ import annotations

import pytest

from services.intake.app import build_service as intake
from services.intake.repository import SUBMISSIONS
from services.intake.web.staff.users import STAFF_USERS, add_user
from services.routing.app import build_service as routing
from shared.auth.principal import Principal, PrincipalKind, Role
from shared.auth.tokens import Tokens, parse_keys
from tests.auth import staff_headers
from tests.conftest import TEST_AUTH_KEYS
from tests.integration.helpers import seeded_in_process
from tests.integration.test_web_staff import client_for, logged_in, token_of

pytestmark = pytest.mark.integration

BASE = "/api/v1/communes/demo/submissions"
SENT = {
    "citizen": {"source": "citizen", "submitter_name": "Trần Văn Mười", "contact": "0912 345 678"},
    "front": {"source": "fatherland_front"},
    "women": {"source": "womens_union"},
    "farmers": {"source": "mass_organisation", "organisation": "farmers_union"},
}


def front_org(organisation: str | None, commune_id: str = "demo") -> dict[str, str]:
    principal = Principal(
        kind=PrincipalKind.USER,
        subject="test-front",
        name="test.front",
        commune_id=commune_id,
        role=Role.FRONT_ORG,
        organisation=organisation,
    )
    return {"authorization": f"Bearer {Tokens(parse_keys(TEST_AUTH_KEYS), 900).issue(principal)}"}


SENDERS = {
    "citizen": dict,
    "front": lambda: front_org(None),
    "women": lambda: front_org("womens_union"),
    "farmers": lambda: front_org("farmers_union"),
}


@pytest.fixture
async def system(make_settings):
    async with seeded_in_process(make_settings, [intake, routing]) as app:
        db = app.state.runtime.db
        ids = {}
        async with client_for(app) as api:
            for name, sender in SENT.items():
                body = {
                    "kind": "petition",
                    "hamlet": "ấp Chợ",
                    "text": f"Ý kiến gửi xã của {name}.",
                    **sender,
                }
                # each institution sends with its own account (`speaks_for`); a resident anonymously
                response = await api.post(BASE, json=body, headers=SENDERS[name]())
                assert response.status_code == 202, response.text
                ids[name] = response.json()["id"]
        yield app, db, ids


async def readable(client, ids: dict[str, str], headers: dict[str, str]) -> set[str]:
    seen = set()
    for name, submission_id in ids.items():
        response = await client.get(f"{BASE}/{submission_id}", headers=headers)
        assert response.status_code in (200, 404), response.text
        if response.status_code == 200:
            seen.add(name)
        else:
            assert response.json()["error"] == "not_found"
    return seen


async def test_the_front_reads_its_and_the_organisations_items_an_organisation_only_its_own(system):
    app, _, ids = system
    async with client_for(app) as client:
        assert await readable(client, ids, front_org(None)) == {"front", "women", "farmers"}
        assert await readable(client, ids, front_org("womens_union")) == {"women"}
        assert await readable(client, ids, front_org("farmers_union")) == {"farmers"}
        assert await readable(client, ids, staff_headers(Role.PARTY_OFFICE)) == set(SENT)
        elsewhere = await client.get(f"{BASE}/{ids['front']}", headers=front_org(None, "other-commune"))
        assert elsewhere.status_code == 403  # another commune's token acts for nobody here


async def reads_only(client, ids: dict[str, str], own: str) -> None:
    """The account opens its own item only (the others answer 404) and lists only it."""
    others = [name for name in ("citizen", "front", "women", "farmers") if name != own]
    assert (await client.get(f"/staff/items/{ids[own]}")).status_code == 200
    for other in others:
        assert (await client.get(f"/staff/items/{ids[other]}")).status_code == 404
    listed = (await client.get("/staff/")).text
    assert ids[own] in listed and not any(ids[other] in listed for other in others)


async def enter(client, db, text: str):
    """Enter `text` through the staff form: the answer, and the submission stored from it."""
    entered = await client.post(
        "/staff/y-kien-moi",
        data={
            "csrf_token": await token_of(client, "/staff/y-kien-moi"),
            "hamlet": "ấp Chợ",
            "kind": "kien nghi",
            "text": text,
        },
    )
    assert entered.status_code == 303, entered.text
    return entered, await db[SUBMISSIONS].find_one({"text": text})


async def test_a_mass_organisation_account_carries_its_organisation_to_the_staff_pages(system):
    app, db, ids = system
    await add_user(
        db, "demo.phunu", "mat-khau-phu-nu-1", "front_org", "demo",
        organisation="womens_union", must_change_password=False,
    )  # fmt: skip
    async with logged_in(app, "demo.phunu", "mat-khau-phu-nu-1") as client:
        await reads_only(client, ids, "women")
        entered, own = await enter(client, db, "Hội viên đề nghị xã mở lớp dạy nghề may cho phụ nữ ấp Chợ.")
        assert (await client.get(entered.headers["location"])).status_code == 200  # its own item
        assert (own["source"], own["organisation"]) == ("mass_organisation", "womens_union")
    async with logged_in(app, "demo.mattran") as front:
        assert (await front.get(f"/staff/items/{ids['farmers']}")).status_code == 200
        assert (await front.get(f"/staff/items/{ids['citizen']}")).status_code == 404


async def test_the_demo_farmers_union_account_reads_and_enters_only_its_own_items(system):
    """The demo seed's mass-organisation account (services/demo/staff.py), as `users create
    --organisation farmers_union` makes one: its item pages, its dashboard and what it enters."""
    app, db, ids = system
    account = await db[STAFF_USERS].find_one({"username": "demo.hoinongdan"})
    assert (account["role"], account["organisation"]) == ("front_org", "farmers_union")
    async with logged_in(app, "demo.hoinongdan") as client:
        await reads_only(client, ids, "farmers")
        _, own = await enter(client, db, "Hội viên đề nghị xã hỗ trợ giống lúa chịu mặn cho vụ Hè Thu.")
        assert (own["source"], own["organisation"]) == ("mass_organisation", "farmers_union")
