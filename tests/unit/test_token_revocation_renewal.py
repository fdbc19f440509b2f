"""POST /api/v1/auth/token exchanges an API key, not a token: before, the token it gave could be
sent back to it for a new one, again and again, so a copied token lived on past its 300 s without
the key (until the key's revocation). A token sent there is refused 401; the key itself still is
exchanged, in each way intake reads one."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.intake.api_keys_api import build_api_keys_router
from shared.auth.guard import AccessGuard, GuardedPolicy
from shared.auth.policy import allow
from shared.auth.principal import Principal, PrincipalKind, Role, Scope
from shared.auth.revocation import RevokedKeys
from shared.auth.tokens import Tokens, random_keys
from tests.unit.test_token_revocation import FakeDb

KEY = "dtk_revtest0key0id00_" + "s" * 43
PRINCIPAL = Principal(
    kind=PrincipalKind.API_KEY,
    subject="revtest0key0id00",
    name="api-key:revtest",
    commune_id="demo",
    scopes=frozenset({Scope.READ, Scope.ROUTE}),
)


async def resolve(key: str) -> Principal | None:
    return PRINCIPAL if key == KEY else None


def intake() -> tuple[FastAPI, Tokens]:
    tokens = Tokens(random_keys(), 300)
    db = FakeDb()
    app = FastAPI()
    app.include_router(build_api_keys_router(None, None, tokens))  # type: ignore[arg-type]
    app.state.guard = AccessGuard(
        tokens,
        {"POST /api/v1/auth/token": GuardedPolicy("intake", allow(scopes=list(Scope)))},
        api_keys=resolve,
        revoked_keys=RevokedKeys(db.key_revocation),
    )
    return app, tokens


async def exchange(app: FastAPI, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        return await client.post("/api/v1/auth/token", headers=headers)


async def test_a_key_is_exchanged_in_each_way_intake_reads_one() -> None:
    app, tokens = intake()
    for headers in (
        {"authorization": f"ApiKey {KEY}"},
        {"authorization": f"Bearer {KEY}"},
        {"x-api-key": KEY},
    ):
        response = await exchange(app, headers)
        assert response.status_code == 200, response.text
        assert tokens.verify(response.json()["access_token"]) == PRINCIPAL


async def test_a_token_is_not_exchanged_for_another() -> None:
    app, tokens = intake()
    first = (await exchange(app, {"authorization": f"ApiKey {KEY}"})).json()["access_token"]
    response = await exchange(app, {"authorization": f"Bearer {first}"})
    assert response.status_code == 401
    assert "access_token" not in response.text
    staff = Principal(
        kind=PrincipalKind.USER, subject="u", name="u", commune_id="demo", role=Role.PARTY_OFFICE
    )
    assert (await exchange(app, {"authorization": f"Bearer {tokens.issue(staff)}"})).status_code == 403
