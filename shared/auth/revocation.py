"""Whether the API key a token was minted from still stands.

A token that intake's `POST /api/v1/auth/token` gives for an API key carries the key's id (its
`sub`, with `knd` = `api_key`). When a commune's key is revoked, intake also records the
revocation as reference data (`shared.directory.API_KEY_REVOCATIONS`), which every service reads
through its `DirectoryReader` (`key_revocation`), as it reads the communes; the guard asks
`RevokedKeys.refused` for every such token, so a revoked key's tokens are refused in every service
within `ttl_s` (5 s) of the revocation, not at their expiry (`DOITHOAI_TOKEN_TTL_S`, 300 s).

Each answer is kept `ttl_s` per key id, so a busy integration costs one read by `_id` every few
seconds per process. A key with no revocation stands: the token's signature vouches for it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from shared.auth.principal import Principal, PrincipalKind

REVOCATION_TTL_S = 5.0
MAX_REMEMBERED = 10_000

# key id -> its revocation (None while the key stands): `DirectoryReader.key_revocation`
RevocationLookup = Callable[[str], Awaitable[Mapping[str, Any] | None]]


class RevokedKeys:
    def __init__(
        self,
        lookup: RevocationLookup,
        *,
        ttl_s: float = REVOCATION_TTL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lookup = lookup
        self.ttl_s = ttl_s
        self._clock = clock
        self._seen: dict[str, tuple[bool, float]] = {}  # key id -> (refused, when read)

    async def refused(self, principal: Principal) -> bool:
        """True for a principal whose API key is revoked; False for anyone who is not an API
        key's (a staff user, a service)."""
        if principal.kind is not PrincipalKind.API_KEY:
            return False
        now = self._clock()
        seen = self._seen.get(principal.subject)
        if seen is not None and now - seen[1] < self.ttl_s:
            refused = seen[0]
        else:
            refused = await self._lookup(principal.subject) is not None
            if len(self._seen) >= MAX_REMEMBERED:
                self._seen.clear()
            self._seen[principal.subject] = (refused, now)
        return refused

    def forget(self, key_id: str) -> None:
        """Read the key again on its next token (this process revoked it)."""
        self._seen.pop(key_id, None)
