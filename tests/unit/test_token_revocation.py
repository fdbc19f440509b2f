"""A token minted from an API key stops working once the key is revoked, in every service, within
the revocation cache's few seconds (not at the token's expiry, 300 s later): the guard answers
401 before the route's policy, its commune or its body are looked at. Staff users' tokens are
not affected, and a key still standing keeps working."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from fastapi import APIRouter, FastAPI, Request

from shared.auth.guard import AccessGuard, GuardedPolicy, GuardedRoute
from shared.auth.policy import allow
from shared.auth.principal import Principal, PrincipalKind, Role, Scope
from shared.auth.revocation import RevokedKeys
from shared.auth.tokens import Tokens, random_keys

C = "/api/v1/communes/{commune_id}"


class FakeCollection:
    def __init__(self) -> None:
        self.docs: dict[str, dict] = {}
        self.reads = 0

    async def find_one(self, query: dict, projection: dict | None = None) -> dict | None:
        self.reads += 1
        doc = self.docs.get(query["_id"])
        return dict(doc) if doc is not None else None


class FakeDb:
    """The revocations as reference data (`DirectoryReader.key_revocation` reads them by key id)."""

    def __init__(self) -> None:
        self.revocations = FakeCollection()

    async def key_revocation(self, key_id: str) -> dict | None:
        return await self.revocations.find_one({"_id": key_id})


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def key(key_id: str = "revtest0key0id00", commune_id: str = "demo") -> Principal:
    return Principal(
        kind=PrincipalKind.API_KEY,
        subject=key_id,
        name="api-key:revtest",
        commune_id=commune_id,
        scopes=frozenset({Scope.READ, Scope.ROUTE}),
    )


def staff() -> Principal:
    return Principal(
        kind=PrincipalKind.USER, subject="u1", name="demo.vanphong", commune_id="demo", role=Role.PARTY_OFFICE
    )


def revoke(db: FakeDb, key_id: str = "revtest0key0id00", commune_id: str = "demo") -> None:
    db.revocations.docs[key_id] = {
        "_id": key_id,
        "commune_id": commune_id,
        "revoked_at": datetime(2026, 12, 6, tzinfo=UTC),
    }


def stack(db: FakeDb, clock: Clock) -> tuple[FastAPI, Tokens, list[str]]:
    """A service's routes behind the real guard: the review queue, an item, an answer."""
    tokens = Tokens(random_keys(), 300)
    reached: list[str] = []
    router = APIRouter(route_class=GuardedRoute)

    @router.get(C + "/review-queue")
    async def queue(commune_id: str):
        reached.append("queue")
        return {"items": []}

    @router.get(C + "/submissions/{submission_id}")
    async def item(commune_id: str, submission_id: str):
        reached.append("item")
        return {"id": submission_id}

    @router.put(C + "/submissions/{submission_id}/answer")
    async def answer(request: Request, commune_id: str, submission_id: str):
        reached.append("answer")
        return {"answer": (await request.json())["answer"]}

    app = FastAPI()
    app.include_router(router)
    app.state.guard = AccessGuard(
        tokens,
        {
            f"GET {C}/review-queue": GuardedPolicy("routing", allow([Role.PARTY_OFFICE], [Scope.READ])),
            f"GET {C}/submissions/{{submission_id}}": GuardedPolicy(
                "intake", allow([Role.PARTY_OFFICE], [Scope.READ])
            ),
            f"PUT {C}/submissions/{{submission_id}}/answer": GuardedPolicy(
                "routing", allow([Role.PARTY_OFFICE], [Scope.ROUTE])
            ),
        },
        revoked_keys=RevokedKeys(db.key_revocation, clock=clock),
    )
    return app, tokens, reached


async def calls(app: FastAPI, token: str, commune: str = "demo") -> list[int]:
    bearer = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        base = f"/api/v1/communes/{commune}"
        return [
            (await client.get(f"{base}/review-queue", headers=bearer)).status_code,
            (await client.get(f"{base}/submissions/s1", headers=bearer)).status_code,
            (
                await client.put(f"{base}/submissions/s1/answer", headers=bearer, json={"answer": "x"})
            ).status_code,
        ]


async def test_a_revoked_keys_token_is_refused_401_for_reads_and_writes_within_the_cache_ttl():
    db, clock = FakeDb(), Clock()
    app, tokens, reached = stack(db, clock)
    token = tokens.issue(key())
    assert await calls(app, token) == [200, 200, 200]
    revoke(db)
    clock.now += 5.0  # the revocation cache's lifetime; the token has 295 s left
    assert await calls(app, token) == [401, 401, 401]
    assert reached == ["queue", "item", "answer"]  # nothing after the revocation reached a route


async def test_the_refusal_comes_before_the_commune_and_the_policy_are_looked_at():
    db, clock = FakeDb(), Clock()
    revoke(db)
    app, tokens, _ = stack(db, clock)
    # another commune's path would be 404, a scope the key lacks 403: a revoked key's token is 401
    assert await calls(app, tokens.issue(key()), commune="other") == [401, 401, 401]
    read_only = key().model_copy(update={"scopes": frozenset({Scope.READ})})
    assert (await calls(app, tokens.issue(read_only)))[2] == 401


async def test_staff_tokens_and_standing_keys_keep_working_and_are_read_once_per_ttl():
    db, clock = FakeDb(), Clock()
    app, tokens, _ = stack(db, clock)
    revoke(db, "other0key0id0000")
    assert await calls(app, tokens.issue(staff())) == [200, 200, 200]
    assert db.revocations.reads == 0  # a user's token is not a key's
    assert await calls(app, tokens.issue(key())) == [200, 200, 200]
    assert db.revocations.reads == 1  # three calls, one read while the answer is fresh
    assert await calls(app, tokens.issue(key("other0key0id0000"))) == [401, 401, 401]


async def test_forget_reads_the_key_again_at_once():
    db, clock = FakeDb(), Clock()
    revoked = RevokedKeys(db.key_revocation, clock=clock)
    assert not await revoked.refused(key())
    revoke(db)
    assert not await revoked.refused(key())  # still the answer read a moment ago
    revoked.forget("revtest0key0id00")
    assert await revoked.refused(key())


async def test_without_a_store_a_keys_token_fails_closed():
    tokens = Tokens(random_keys(), 300)
    router = APIRouter(route_class=GuardedRoute)

    @router.get(C + "/review-queue")
    async def queue(commune_id: str):
        return {}

    app = FastAPI()
    app.include_router(router)
    app.state.guard = AccessGuard(
        tokens, {f"GET {C}/review-queue": GuardedPolicy("routing", allow([Role.PARTY_OFFICE], [Scope.READ]))}
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        for principal, status in ((key(), 401), (staff(), 200)):
            response = await client.get(
                "/api/v1/communes/demo/review-queue",
                headers={"authorization": f"Bearer {tokens.issue(principal)}"},
            )
            assert response.status_code == status


async def test_an_unstored_key_is_let_through():
    assert not await RevokedKeys(FakeDb().key_revocation).refused(key("never0stored0000"))
