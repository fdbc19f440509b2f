"""Nobody acts for a commune without its authority, through the real broker and store.

1. The requests an outsider once made succeed no more: replayed anonymously they get 401, as a
   role without the right 403, as another commune's staff 403, and nothing changes (no
   revision, no rule, no plan, no number, no task status, no e-mail).
2. Every guarded route of the whole deployment, enumerated from the app itself, answers as its
   declared policy says for anonymous callers, for every role, and for commune B's staff on
   commune A's ids.
3. Changes made with the right credential record the principal as their author, in the
   change itself and in the audit trail.
"""

from __future__ import annotations

import re

import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from services.routing.rules_store import default_rules_dict
from shared.audit import audit_collection
from shared.auth.policy import Gate
from shared.auth.principal import Role, Scope
from shared.directory import DIALOGUES
from tests.auth import headers, key_token_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
PLAN = f"{BASE}/dialogues/demo-2017"


@pytest.fixture
async def stack(make_settings, mail_capture):
    settings = make_settings(SMTP_URL=mail_capture.url)
    app = build_app(settings, [intake, routing, notification, reporting], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield app, settings, client


async def _routed_item(client: httpx.AsyncClient, settings) -> str:
    response = await client.post(
        f"{BASE}/submissions",
        json={
            "source": "citizen",
            "kind": "petition",
            "hamlet": "ấp Chợ",
            "text": "Trộm cắp xe máy ban đêm ở đầu ấp, đề nghị tăng cường tuần tra.",
        },
    )
    assert response.status_code == 202, response.text
    submission_id = response.json()["id"]
    staff = headers(settings)

    async def routed():
        reply = await client.get(f"{BASE}/submissions/{submission_id}/routing", headers=staff)
        return reply.json() if reply.status_code == 200 else None

    await eventually(routed)
    return submission_id


def _attacks(submission_id: str, task_id: str) -> list[tuple[str, str, dict | None, Role]]:
    """(method, url, body, a role of the same commune without the right) for each request of the report."""
    forged = "Bí thư Đảng ủy"
    return [
        (
            "POST",
            f"{BASE}/submissions/{submission_id}/routing/changes",
            {"action": "reassign", "office_id": "phong-kinh-te", "by": forged, "reason": "x" * 10},
            Role.OFFICE_STAFF,
        ),
        (
            "PUT",
            f"{BASE}/routing/rules",
            {"rules": default_rules_dict(), "updated_by": forged},
            Role.FRONT_ORG,
        ),
        (
            "POST",
            f"{BASE}/dialogues",
            {
                "year": 2018,
                "title": "Kế hoạch giả",
                "theme": "Chủ đề giả mạo",
                "meeting_date": "2018-03-25",
                "venue": "Hội trường",
                "delegates": [{"name": "Người ngoài", "email": "outsider@example.org"}],
            },
            Role.HAMLET_CELL,
        ),
        ("POST", f"{PLAN}/transitions", {"to": "cancelled", "changed_by": forged}, Role.OFFICE_STAFF),
        (
            "PUT",
            f"{BASE}/calendar",
            {"extra_days_off": ["2017-03-20"], "extra_working_days": [], "culture_day": True},
            Role.FRONT_ORG,
        ),
        ("POST", f"{PLAN}/deadlines/reports/done", {"by": forged}, Role.HAMLET_CELL),
        ("DELETE", f"{PLAN}", None, Role.OFFICE_STAFF),
        ("POST", f"{PLAN}/documents/thong-bao-ket-luan", {"by": forged}, Role.OFFICE_STAFF),
        (
            "POST",
            f"{BASE}/follow-up/{task_id}/status",
            {"status": "resolved", "note": "https://evil.example/", "by": forged},
            Role.FRONT_ORG,
        ),
        ("GET", f"{BASE}/submissions/{submission_id}", None, Role.OPERATOR),
    ]


async def _state(app, client: httpx.AsyncClient, settings, submission_id: str, mail_capture) -> dict:
    db = app.state.runtime.db
    staff = headers(settings)
    decision = (await client.get(f"{BASE}/submissions/{submission_id}/routing", headers=staff)).json()
    plan = (await client.get(PLAN, headers=staff)).json()
    return {
        "revision": decision["revision"],
        "office": decision["office_id"],
        "rules": await db["routing_rules"].count_documents({}),
        "plans": await db[DIALOGUES].count_documents({}),
        "plan": (plan["status"], plan["version"], [d["state"] for d in plan["deadlines"]]),
        "calendar": (await client.get(f"{BASE}/calendar")).json(),
        "documents": len((await client.get(f"{PLAN}/documents", headers=staff)).json()["documents"]),
        "mail": len(mail_capture.messages()),
    }


async def test_the_reported_requests_are_refused_and_change_nothing(stack, mail_capture):
    app, settings, client = stack
    submission_id = await _routed_item(client, settings)
    await eventually(lambda: len(mail_capture.messages()) == 1)
    before = await _state(app, client, settings, submission_id, mail_capture)
    for method, url, body, weak_role in _attacks(submission_id, "demo:demo-2017:task-1"):
        anonymous = await client.request(method, url, json=body)
        assert anonymous.status_code == 401, (method, url, anonymous.text)
        assert anonymous.json()["message_vi"] and anonymous.json()["message_en"]
        forged = await client.request(method, url, json=body, headers={"authorization": "Bearer not-a-token"})
        assert forged.status_code == 401, (method, url)
        weak = await client.request(method, url, json=body, headers=headers(settings, weak_role))
        assert weak.status_code == 403, (method, url, weak_role, weak.text)
        outsider = await client.request(
            method, url, json=body, headers=headers(settings, Role.PARTY_OFFICE, "other-commune")
        )
        assert outsider.status_code == 403, (method, url, outsider.text)
    assert await _state(app, client, settings, submission_id, mail_capture) == before


async def test_a_change_records_the_principal_not_the_body(stack, mail_capture):
    app, settings, client = stack
    submission_id = await _routed_item(client, settings)
    staff = headers(settings, Role.PARTY_OFFICE, name="le.thi.hoa")
    change = {
        "action": "reassign",
        "office_id": "phong-kinh-te",
        "by": "Bí thư Đảng ủy",
        "reason": "Cần lắp đèn chiếu sáng trước",
    }
    response = await client.post(
        f"{BASE}/submissions/{submission_id}/routing/changes", json=change, headers=staff
    )
    assert response.status_code == 200, response.text
    assert response.json()["changed_by"] == "le.thi.hoa"
    assert [c["by"] for c in response.json()["changes"]] == ["le.thi.hoa"]
    [entry] = await app.state.runtime.db[audit_collection("routing")].find({"action": "change"}).to_list()
    assert (entry["username"], entry["role"], entry["commune_id"], entry["status"]) == (
        "le.thi.hoa",
        "party_office",
        "demo",
        200,
    )
    assert entry["target"] == {"commune_id": "demo", "submission_id": submission_id}
    # the resident's tracking page names no member of staff
    code = (await client.get(f"{BASE}/submissions/{submission_id}", headers=staff)).json()["tracking_code"]

    async def tracked():
        view = (await client.get(f"{BASE}/tracking/{code}")).json()
        return view if any(h["status"] == "reassigned" for h in view["history"]) else None

    view = await eventually(tracked)
    assert all(h["by"] is None for h in view["history"])
    assert "le.thi.hoa" not in str(view)


def _url(path: str, submission_id: str) -> str:
    values = {
        "commune_id": "demo",
        "dialogue_id": "demo-2017",
        "submission_id": submission_id,
        "fmt": "pdf",
        "kind": "giay-moi",
    }
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), "x"), path)


async def test_every_guarded_route_answers_as_declared(stack):
    app, settings, client = stack
    submission_id = await _routed_item(client, settings)
    checked = 0
    for key, guarded in sorted(app.state.guard.table.items()):
        policy = guarded.policy
        if policy.gate is not Gate.PRINCIPAL:
            continue
        method, path = key.split(" ", 1)
        url = _url(path, submission_id)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        # GeoReport v2 refuses a missing or wrong api_key 403; every other route 401
        refused = 403 if path.startswith("/open311/") else 401
        assert (await client.request(method, url, json=body)).status_code == refused, key
        for role in Role:
            reply = await client.request(method, url, json=body, headers=headers(settings, role))
            if role in policy.roles:
                assert reply.status_code not in (401, 403), (key, role, reply.status_code)
                if "{commune_id}" in path:
                    other = await client.request(
                        method, url, json=body, headers=headers(settings, role, "other-commune")
                    )
                    assert other.status_code == 403, (key, role, "commune B on A's ids")
            else:
                assert reply.status_code == 403, (key, role, reply.status_code)
        checked += 1
    assert checked >= 25


async def test_another_communes_credential_is_refused_on_every_public_route_before_anything(stack):
    """A public route (anyone may submit, read open data, track) still reads a credential when one
    is sent, to lift rate limits: another commune's key or token acts for nobody here. Each public
    route of commune demo answers 403 to commune B's, before the body is looked at, and the
    submission it carried is not stored; anonymous and demo's own are let in."""
    app, settings, client = stack
    submission_id = await _routed_item(client, settings)
    foreign = key_token_headers(settings, "other-commune", Scope.SUBMIT, Scope.READ)
    own = key_token_headers(settings, "demo", Scope.SUBMIT, Scope.READ)
    checked = 0
    for key, guarded in sorted(app.state.guard.table.items()):
        method, path = key.split(" ", 1)
        if guarded.policy.gate is not Gate.PUBLIC or "{commune_id}" not in path:
            continue
        url = _url(path, submission_id)
        body = {} if method in ("POST", "PUT", "PATCH") else None
        reply = await client.request(method, url, json=body, headers=foreign)
        assert reply.status_code == 403, (key, reply.status_code, reply.text)
        said = reply.json()
        assert said[0]["code"] == 403 if path.startswith("/open311/") else said["error"] == "forbidden"
        checked += 1
    assert checked >= 5
    db = app.state.runtime.db
    before = await db["intake_submissions"].count_documents({})
    petition = {"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": "Đèn đường ấp Chợ hư."}
    assert (await client.post(f"{BASE}/submissions", json=petition, headers=foreign)).status_code == 403
    assert await db["intake_submissions"].count_documents({}) == before
    assert (await client.post(f"{BASE}/submissions", json=petition, headers=own)).status_code == 202
    assert (await client.post(f"{BASE}/submissions", json=petition)).status_code == 202
