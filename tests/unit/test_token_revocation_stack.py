"""The outside probe, through intake and routing over the real store and broker: a key with
scopes read and route is exchanged for a token, then revoked (as `doithoai apikeys revoke` does,
straight in the store, and through the admin's DELETE); the old token no longer reads routing's
review queue or intake's item, nor records an answer. Before, all three answered 200 for the
token's 300 s."""

from __future__ import annotations

import time

import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.api_keys import ApiKeyStore
from services.intake.app import build_service as intake
from services.routing.app import build_service as routing
from shared.auth.principal import Role
from shared.auth.revocation import REVOCATION_TTL_S
from tests.auth import headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"


@pytest.fixture
async def stack(make_settings):
    settings = make_settings()
    app = build_app(settings, [intake, routing], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield app, settings, client


async def _token(client: httpx.AsyncClient, settings, name: str) -> tuple[str, str]:
    admin = headers(settings, Role.COMMUNE_ADMIN)
    created = await client.post(
        f"{BASE}/api-keys", headers=admin, json={"name": name, "scopes": ["read", "route"]}
    )
    assert created.status_code == 201, created.text
    exchanged = await client.post(
        "/api/v1/auth/token", headers={"authorization": f"ApiKey {created.json()['key']}"}
    )
    assert exchanged.status_code == 200, exchanged.text
    return created.json()["id"], exchanged.json()["access_token"]


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

    async def routed():
        reply = await client.get(f"{BASE}/submissions/{submission_id}/routing", headers=headers(settings))
        return reply.json() if reply.status_code == 200 else None

    await eventually(routed)
    return submission_id


async def _statuses(client: httpx.AsyncClient, token: str, submission_id: str) -> list[int]:
    bearer = {"authorization": f"Bearer {token}"}
    return [
        (await client.get(f"{BASE}/review-queue", headers=bearer)).status_code,
        (await client.get(f"{BASE}/submissions/{submission_id}", headers=bearer)).status_code,
        (
            await client.put(
                f"{BASE}/submissions/{submission_id}/answer", headers=bearer, json={"text": "Đã trả lời."}
            )
        ).status_code,
    ]


async def test_a_token_of_a_key_revoked_in_the_store_is_refused_within_seconds(stack):
    app, settings, client = stack
    key_id, token = await _token(client, settings, "revtest")
    submission_id = await _routed_item(client, settings)
    assert await _statuses(client, token, submission_id) == [200, 200, 200]

    assert await ApiKeyStore(app.state.runtime.db).revoke("demo", key_id, "cli")  # doithoai apikeys revoke
    revoked_at = time.monotonic()

    async def refused():
        reply = await client.get(f"{BASE}/review-queue", headers={"authorization": f"Bearer {token}"})
        return reply.status_code == 401

    await eventually(refused, timeout=REVOCATION_TTL_S + 3)
    assert time.monotonic() - revoked_at <= REVOCATION_TTL_S + 1
    assert await _statuses(client, token, submission_id) == [401, 401, 401]


async def test_a_key_revoked_by_the_admin_refuses_its_token_at_once(stack):
    app, settings, client = stack
    key_id, token = await _token(client, settings, "revtest2")
    submission_id = await _routed_item(client, settings)
    assert await _statuses(client, token, submission_id) == [200, 200, 200]
    revoked = await client.delete(f"{BASE}/api-keys/{key_id}", headers=headers(settings, Role.COMMUNE_ADMIN))
    assert revoked.status_code == 200, revoked.text
    assert await _statuses(client, token, submission_id) == [401, 401, 401]


async def test_a_key_revoked_before_revocations_were_reference_data_is_refused_after_the_upgrade(stack):
    """A key an earlier version revoked (only `revoked_at` on intake's own key) has its revocation
    recorded when intake starts (`ApiKeyStore.ensure_indexes`), so every guard refuses its tokens."""
    app, settings, client = stack
    key_id, token = await _token(client, settings, "earlier")
    keys = ApiKeyStore(app.state.runtime.db)
    await keys.keys.update_one({"_id": key_id}, {"$set": {"revoked_at": time.time()}})  # as before
    assert await app.state.runtime.directory.key_revocation(key_id) is None
    await keys.ensure_indexes()  # what intake does at start-up
    recorded = await app.state.runtime.directory.key_revocation(key_id)
    assert recorded is not None and recorded["commune_id"] == "demo"
