"""HTTP API of a commune's API keys (its admin creates, lists and revokes them) and the token
exchange: an integration trades its key for a short-lived token that routing and reporting accept."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.intake.api_keys import ApiKeyStore, key_view
from shared.auth.guard import API_KEY, AccessGuard, GuardedRoute, actor, credential_of, principal_of, refusal
from shared.auth.principal import Scope
from shared.auth.tokens import Tokens
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import DirectoryReader
from shared.http import problem

CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] = Field(
        examples=["Hệ thống của tỉnh"]
    )
    scopes: list[Scope] = Field(min_length=1, examples=[["submit", "read"]])


def build_api_keys_router(keys: ApiKeyStore, directory: DirectoryReader, tokens: Tokens) -> APIRouter:
    router = APIRouter(tags=["authentication"], route_class=GuardedRoute)

    @router.post(
        "/api/v1/communes/{commune_id}/api-keys",
        status_code=201,
        summary="Create an API key for an integration (the key is shown once)",
    )
    async def create(request: Request, body: ApiKeyIn, commune_id: str = CommuneId):
        if await directory.commune(commune_id) is None:
            return problem(404, "unknown_commune", "Không tìm thấy xã/phường.", "Unknown commune.")
        doc, key = await keys.create(commune_id, body.name, frozenset(body.scopes), actor(request))
        return {**key_view(doc), "key": key}

    @router.get(
        "/api/v1/communes/{commune_id}/api-keys", summary="The commune's API keys (never their secrets)"
    )
    async def list_keys(commune_id: str = CommuneId):
        return {"commune_id": commune_id, "api_keys": [key_view(doc) for doc in await keys.list(commune_id)]}

    @router.delete(
        "/api/v1/communes/{commune_id}/api-keys/{key_id}",
        status_code=200,
        summary="Revoke an API key at once",
    )
    async def revoke(request: Request, commune_id: str = CommuneId, key_id: str = Path(max_length=32)):
        if not await keys.revoke(commune_id, key_id, actor(request)):
            return problem(
                404,
                "not_found",
                "Không có khóa này, hoặc khóa đã bị thu hồi.",
                "No such key, or it is revoked already.",
            )
        guard = getattr(request.app.state, "guard", None)
        if isinstance(guard, AccessGuard) and guard.revoked_keys is not None:
            guard.revoked_keys.forget(key_id)  # this process refuses its tokens at once; others within 5 s
        return {"id": key_id, "revoked": True}

    @router.post(
        "/api/v1/auth/token",
        summary="Exchange an API key (Authorization: ApiKey …) for a short-lived bearer token",
    )
    async def token(request: Request):
        principal = principal_of(request)
        assert principal is not None  # the policy admits API keys only
        if credential_of(request) != API_KEY:
            # a token is not exchanged for another: it would outlive its lifetime without the key
            return refusal(401, request.url.path, request.headers.get("accept", ""))
        return {
            "access_token": tokens.issue(principal),
            "token_type": "Bearer",
            "expires_in": tokens.ttl_s,
            "commune_id": principal.commune_id,
            "scopes": sorted(principal.scopes),
        }

    return router
