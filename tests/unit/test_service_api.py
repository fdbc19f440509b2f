"""A service calling another's API as itself (shared/service_api.py, shared/auth): the token it
carries, the `inprocess` transport to the process's own app, and how failures are sorted for a
consumer. The owner is a small ASGI app in this process (no socket), or a closed port."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.auth.policy import allow
from shared.auth.principal import Principal, PrincipalKind, Role, Scope, service_principal
from shared.auth.tokens import Tokens, parse_keys
from shared.errors import PermanentError, TransientError
from shared.service_api import IN_PROCESS, LocalApp, ServiceApi

TOKENS = Tokens(parse_keys("test:" + "k" * 40), 300)


def owner() -> FastAPI:
    app = FastAPI()

    @app.get("/status/{code}")
    async def status(code: int, request: Request) -> JSONResponse:
        principal = TOKENS.verify(request.headers["authorization"].removeprefix("Bearer "))
        return JSONResponse({"principal": principal.model_dump(mode="json")}, status_code=code)

    return app


def api(base_url: str = IN_PROCESS) -> ServiceApi:
    local = LocalApp()
    local.app = owner()
    return ServiceApi("notification", "intake", base_url, tokens=TOKENS, timeout_s=5, local=local)


async def test_an_inprocess_call_carries_the_callers_own_token_for_one_commune() -> None:
    client = api()
    try:
        response = await client.get("/status/200", commune_id="demo")
        assert response is not None
        principal = Principal.model_validate(response.json()["principal"])
        assert principal == service_principal("notification", "demo")
        assert (principal.kind, principal.role, principal.scopes) == (
            PrincipalKind.SERVICE,
            None,
            frozenset(),
        )
        assert await client.get("/status/404", commune_id="demo") is None
    finally:
        await client.aclose()


@pytest.mark.parametrize("code", [401, 403, 429, 500, 503])
async def test_an_owner_that_cannot_answer_now_is_a_transient_failure(code: int) -> None:
    client = api()
    with pytest.raises(TransientError):
        await client.get(f"/status/{code}", commune_id="demo")
    await client.aclose()


async def test_a_request_the_owner_never_accepts_is_permanent_and_no_server_is_transient() -> None:
    client = api()
    with pytest.raises(PermanentError):
        await client.get("/status/422", commune_id="demo")
    await client.aclose()
    closed = api("http://127.0.0.1:9")  # nothing listens on the discard port
    with pytest.raises(TransientError):
        await closed.get("/status/200", commune_id="demo")
    await closed.aclose()


def test_only_the_services_a_policy_names_get_in_and_only_for_their_commune() -> None:
    policy = allow(services=["notification"])
    assert policy.decide(service_principal("notification", "demo"), "demo") == 200
    assert policy.decide(service_principal("notification", "demo"), "other") == 403
    assert policy.decide(service_principal("routing", "demo"), "demo") == 403
    user = Principal(
        kind=PrincipalKind.USER, subject="notification", name="x", commune_id="demo", role=Role.OPERATOR
    )
    key = Principal(
        kind=PrincipalKind.API_KEY,
        subject="notification",
        name="k",
        commune_id="demo",
        scopes=frozenset(Scope),
    )
    assert policy.decide(user, "demo") == policy.decide(key, "demo") == 403
    assert policy.decide(None, "demo") == 401
    # a service principal has no role or scope: a route that names none of it refuses it
    assert (
        allow([Role.PARTY_OFFICE], [Scope.READ]).decide(service_principal("notification", "demo"), "demo")
        == 403
    )
