"""Who may send an item in an institution's name, and who is not counted as anonymous, through the
real app, as an outside probe found them: before, an anonymous JSON POST with source
`fatherland_front`, `peoples_committee`, `hamlet_party_cell` or a mass organisation was accepted
and then showed in the Front's or the organisation's own view, in the notice and in open data; a
hamlet cell sent its items for another hamlet; and a read-only key (or another commune's) posted
past the anonymous rate limit. Each institution now sends with its own account (or the Party
office, the commune admin, or the commune's integration key with `submit`)."""

from __future__ import annotations

import pytest

from services.intake.repository import SUBMISSIONS
from shared.auth.principal import Role, Scope
from tests.auth import key_token_headers, staff_headers
from tests.integration.test_public_limits import API, BODY, client, refused, stack

pytestmark = pytest.mark.integration

FRONT = {"source": "fatherland_front"}
COMMITTEE = {"source": "peoples_committee"}
WOMEN = {"source": "mass_organisation", "organisation": "womens_union"}
FARMERS = {"source": "mass_organisation", "organisation": "farmers_union"}
CELL_CHO = {"source": "hamlet_party_cell", "hamlet": "ấp Chợ"}
CELL_OTHER = {"source": "hamlet_party_cell", "hamlet": "ấp Căn Cứ"}


async def test_an_institutions_item_needs_an_account_that_speaks_for_it(make_settings):
    async with stack(make_settings) as (app, db, settings):
        keys = {
            "read key": key_token_headers(settings, "demo", Scope.READ),
            "submit key": key_token_headers(settings, "demo", Scope.SUBMIT),
        }
        accounts = {
            "anonymous": {},
            **keys,
            "party office": staff_headers(Role.PARTY_OFFICE),
            "office": staff_headers(Role.OFFICE_STAFF),
            "front": staff_headers(Role.FRONT_ORG),
            "women": staff_headers(Role.FRONT_ORG, organisation="womens_union"),
            "cell of ấp Chợ": staff_headers(Role.HAMLET_CELL, hamlet_id="ap-cho"),
        }
        allowed = {
            "anonymous": set(),
            "read key": set(),
            "submit key": {"front", "committee", "women", "farmers", "cell", "cell other"},
            "party office": {"front", "committee", "women", "farmers", "cell", "cell other"},
            "office": {"committee"},
            "front": {"front", "women", "farmers"},
            "women": {"women"},
            "cell of ấp Chợ": {"cell"},
        }
        sent = {
            "front": FRONT,
            "committee": COMMITTEE,
            "women": WOMEN,
            "farmers": FARMERS,
            "cell": CELL_CHO,
            "cell other": CELL_OTHER,
        }
        seen: dict[str, set[str]] = {}
        for account, headers in accounts.items():
            async with client(app, headers=headers) as http:
                for name, fields in sent.items():
                    response = await http.post(API, json={**BODY, **fields})
                    if response.status_code == 202:
                        seen.setdefault(account, set()).add(name)
                        continue
                    assert response.status_code == 422, (account, name, response.text)
                    detail = response.json()["detail"]
                    assert [d["field"] for d in detail] == ["source"], detail
                    assert (
                        "Chỉ tài khoản của" in detail[0]["message_vi"]
                        and "Only an account" in (detail[0]["message_en"])
                    )
                # a resident's item: anyone
                assert (await http.post(API, json=BODY)).status_code == 202, account
        assert {a: seen.get(a, set()) for a in accounts} == allowed
        stored_as_institution = await db[SUBMISSIONS].count_documents({"source": {"$ne": "citizen"}})
        assert stored_as_institution == sum(len(names) for names in allowed.values())


async def test_only_keys_with_the_scope_of_what_they_send_pass_the_anonymous_limit(make_settings):
    async with stack(make_settings, DOITHOAI_API_POST_LIMIT=2) as (app, db, settings):
        read_key = key_token_headers(settings, "demo", Scope.READ)
        async with client(app, address="198.51.100.21", headers=read_key) as http:
            answers = [await http.post(API, json=BODY) for _ in range(3)]
            assert [a.status_code for a in answers[:2]] == [202, 202] and refused(answers[2]), answers[2].text
        other_commune = key_token_headers(settings, "other", Scope.SUBMIT)
        async with client(app, address="198.51.100.22", headers=other_commune) as http:
            assert (await http.post(API, json=BODY)).status_code == 403
        async with client(
            app, address="198.51.100.99", headers=key_token_headers(settings, "demo", Scope.SUBMIT)
        ) as integration:
            assert [(await integration.post(API, json=BODY)).status_code for _ in range(3)] == [202] * 3


async def test_a_mass_organisations_item_names_which_organisation(make_settings):
    """Refused on `organisation`, not on `source`, when the item does not say which mass
    organisation sent it, whoever sends it (an organisation's own account included)."""
    async with stack(make_settings) as (app, _, _):
        for headers in (staff_headers(Role.FRONT_ORG, organisation="farmers_union"), staff_headers()):
            async with client(app, headers=headers) as http:
                response = await http.post(API, json={**BODY, "source": "mass_organisation"})
                assert response.status_code == 422, response.text
                detail = response.json()["detail"]
                assert [d["field"] for d in detail] == ["organisation"], detail
                assert "đoàn thể nào" in detail[0]["message_vi"]
