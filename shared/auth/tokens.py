"""Short-lived signed tokens carrying a principal (JWT, HS256, PyJWT).

Keys come from settings as `kid:secret` pairs; the first signs, every one verifies, so a key is
rotated by putting the new one first and removing the old one once its tokens have expired
(at most `token_ttl_s` later). Without configured keys a process makes a random key of its own:
its tokens are then valid nowhere else, which fails closed.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass

import jwt

from shared.auth.principal import Principal, PrincipalKind, Role, Scope

log = logging.getLogger(__name__)

ISSUER = "doithoai"
AUDIENCE = "doithoai-services"
ALGORITHM = "HS256"
MIN_SECRET_BYTES = 32
LEEWAY_S = 5


class TokenInvalid(Exception):
    """The token is malformed, expired, or signed with no key we hold."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    secret: bytes


def parse_keys(text: str) -> tuple[SigningKey, ...]:
    """`kid:secret,kid:secret` (each secret at least 32 bytes); '' gives no keys. Raises ValueError."""
    keys = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        kid, sep, secret = part.partition(":")
        if not sep or not kid or len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                "DOITHOAI_AUTH_KEYS: each entry is kid:secret with a secret of at least 32 bytes"
            )
        keys.append(SigningKey(kid, secret.encode()))
    return tuple(keys)


def random_keys() -> tuple[SigningKey, ...]:
    return (SigningKey("ephemeral-" + secrets.token_hex(4), secrets.token_bytes(32)),)


def new_keys_setting() -> str:
    """A fresh value for DOITHOAI_AUTH_KEYS (for `make run` and operators)."""
    return f"k{time.strftime('%Y%m%d')}:{secrets.token_urlsafe(48)}"


class Tokens:
    def __init__(self, keys: tuple[SigningKey, ...], ttl_s: int) -> None:
        if not keys:
            log.warning(
                "DOITHOAI_AUTH_KEYS is not set: this process signs with a random key of its own; "
                "tokens from other processes are refused"
            )
            keys = random_keys()
        self._keys = {key.kid: key for key in keys}
        self._signing = keys[0]
        self.ttl_s = ttl_s

    def issue(self, principal: Principal, ttl_s: int | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "iat": now,
            "exp": now + (ttl_s or self.ttl_s),
            "jti": secrets.token_hex(8),
            "sub": principal.subject,
            "knd": principal.kind.value,
            "nam": principal.name,
            "cid": principal.commune_id,
            "rol": principal.role.value if principal.role else None,
            "off": principal.office_id,
            "ham": principal.hamlet_id,
            "org": principal.organisation,
            "scp": sorted(s.value for s in principal.scopes),
        }
        return jwt.encode(
            claims, self._signing.secret, algorithm=ALGORITHM, headers={"kid": self._signing.kid}
        )

    def verify(self, token: str) -> Principal:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                raise TokenInvalid("unknown key")
            claims = jwt.decode(
                token,
                key.secret,
                algorithms=[ALGORITHM],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
            return Principal(
                kind=PrincipalKind(claims["knd"]),
                subject=str(claims["sub"]),
                name=str(claims["nam"]),
                commune_id=claims.get("cid"),
                role=Role(claims["rol"]) if claims.get("rol") else None,
                office_id=claims.get("off"),
                hamlet_id=claims.get("ham"),
                organisation=claims.get("org"),
                scopes=frozenset(Scope(s) for s in claims.get("scp") or ()),
            )
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise TokenInvalid(str(exc)) from exc
