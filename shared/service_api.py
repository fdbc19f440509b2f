"""Calling another service's HTTP API as this service.

A service reads what another service owns through the owner's API, never through its
collections. Every call carries a token made for the call: a SERVICE principal
(`shared.auth.principal.service_principal`) of the calling service for one commune, valid for
`TOKEN_TTL_S`. The owner's access table lets it in only on the routes that name the caller, and
only for that commune.

`inprocess` as the base URL: the owner is served by this same process (`make run` without
RabbitMQ, tests) and is called through an ASGI transport to the process's own app (`LocalApp`),
without a socket.

Failures are sorted as a consumer needs them: an owner that does not answer, answers 429 or 5xx,
or refuses this service's token (401/403: the services run with different keys or access tables,
which a rollout puts right) raises `TransientError`, so the event waits in the retry queue
instead of being lost; any other 4xx is a request the owner will never accept (`PermanentError`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from typing import Any

import httpx

from shared.auth.principal import service_principal
from shared.auth.tokens import Tokens
from shared.errors import PermanentError, TransientError

IN_PROCESS = "inprocess"
TOKEN_TTL_S = 60

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
AsgiApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class LocalApp:
    """The ASGI app this process serves, set once it is built (`shared.runtime.build_app`)."""

    def __init__(self) -> None:
        self.app: AsgiApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.app is None:
            raise RuntimeError("this process serves no app yet: an `inprocess` call has nowhere to go")
        await self.app(scope, receive, send)


Params = Mapping[str, str | Sequence[str]]


class ServiceApi:
    """One owner's API as seen by one calling service: a pooled client, opened at the first call
    and closed with `aclose()` at shutdown."""

    def __init__(
        self,
        caller: str,
        owner: str,
        base_url: str,
        *,
        tokens: Tokens,
        timeout_s: float,
        local: LocalApp,
    ) -> None:
        self.caller, self.owner = caller, owner
        self._base_url = base_url
        self._tokens, self._timeout_s, self._local = tokens, timeout_s, local
        self._client: httpx.AsyncClient | None = None

    def _open(self) -> httpx.AsyncClient:
        if self._client is None:
            in_process = self._base_url == IN_PROCESS
            self._client = httpx.AsyncClient(
                base_url=f"http://{self.owner}" if in_process else self._base_url.rstrip("/"),
                timeout=self._timeout_s,
                transport=httpx.ASGITransport(app=self._local) if in_process else None,
                follow_redirects=False,
            )
        return self._client

    async def get(self, path: str, *, commune_id: str, params: Params | None = None) -> httpx.Response | None:
        """The owner's 2xx answer, or None for 404 (no such thing at the owner)."""
        token = self._tokens.issue(service_principal(self.caller, commune_id), ttl_s=TOKEN_TTL_S)
        try:
            response = await self._open().get(
                path, params=params, headers={"authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise TransientError(f"{self.owner} API unavailable: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return response
        if status == 404:
            return None
        detail = f"{self.owner} API answered {status} to GET {path}: {response.text[:200]}"
        if status in (401, 403, 429) or status >= 500:
            raise TransientError(detail)
        raise PermanentError(detail)

    async def post(self, path: str, *, commune_id: str, json: Any) -> httpx.Response:
        """The owner's 2xx answer to a POST; failures sorted as for `get` (a 404 is permanent)."""
        token = self._tokens.issue(service_principal(self.caller, commune_id), ttl_s=TOKEN_TTL_S)
        try:
            response = await self._open().post(path, json=json, headers={"authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise TransientError(f"{self.owner} API unavailable: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return response
        detail = f"{self.owner} API answered {status} to POST {path}: {response.text[:200]}"
        if status in (401, 403, 429) or status >= 500:
            raise TransientError(detail)
        raise PermanentError(detail)

    async def aclose(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
