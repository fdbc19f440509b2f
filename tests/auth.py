"""Credentials for tests: a token for any role of any commune, signed with the key every test
app is built with (conftest.TEST_AUTH_KEYS), and API keys created through intake's own store."""

from __future__ import annotations

from services.deployment import Settings
from shared.auth.principal import Principal, PrincipalKind, Role, Scope
from shared.auth.tokens import Tokens, parse_keys

DEMO_OFFICE = "phong-kinh-te"
DEMO_HAMLET = "ap-cho"


def principal(
    role: Role | str,
    commune_id: str | None = "demo",
    *,
    office_id: str | None = None,
    hamlet_id: str | None = None,
    name: str | None = None,
    organisation: str | None = None,
) -> Principal:
    role = Role(role)
    if role is Role.OFFICE_STAFF:
        office_id = office_id or DEMO_OFFICE
    if role is Role.HAMLET_CELL:
        hamlet_id = hamlet_id or DEMO_HAMLET
    if role is Role.OPERATOR:
        commune_id = None
    return Principal(
        kind=PrincipalKind.USER,
        subject=f"test-{role.value}",
        name=name or f"test.{role.value}",
        commune_id=commune_id,
        role=role,
        office_id=office_id,
        hamlet_id=hamlet_id,
        organisation=organisation if role is Role.FRONT_ORG else None,
    )


def token(settings: Settings, role: Role | str, commune_id: str | None = "demo", **kwargs) -> str:
    return Tokens(parse_keys(settings.auth_keys), settings.token_ttl_s).issue(
        principal(role, commune_id, **kwargs)
    )


def headers(
    settings: Settings, role: Role | str = Role.PARTY_OFFICE, commune_id: str | None = "demo", **kwargs
) -> dict[str, str]:
    return {"authorization": f"Bearer {token(settings, role, commune_id, **kwargs)}"}


def key_principal(commune_id: str, *scopes: Scope) -> Principal:
    return Principal(
        kind=PrincipalKind.API_KEY,
        subject="test-key",
        name="api-key:test",
        commune_id=commune_id,
        scopes=frozenset(scopes),
    )


def key_token_headers(settings: Settings, commune_id: str, *scopes: Scope) -> dict[str, str]:
    tokens = Tokens(parse_keys(settings.auth_keys), settings.token_ttl_s)
    return {"authorization": f"Bearer {tokens.issue(key_principal(commune_id, *scopes))}"}


def staff_headers(
    role: Role | str = Role.PARTY_OFFICE, commune_id: str | None = "demo", **kwargs
) -> dict[str, str]:
    """`headers` for an app built with make_settings (conftest.TEST_AUTH_KEYS), valid 15 minutes."""
    from tests.conftest import TEST_AUTH_KEYS

    tokens = Tokens(parse_keys(TEST_AUTH_KEYS), 900)
    return {"authorization": f"Bearer {tokens.issue(principal(role, commune_id, **kwargs), ttl_s=900)}"}


def key_headers(commune_id: str, *scopes: Scope) -> dict[str, str]:
    """A token as intake's /api/v1/auth/token gives an API key of `commune_id` with `scopes`."""
    from tests.conftest import TEST_AUTH_KEYS

    tokens = Tokens(parse_keys(TEST_AUTH_KEYS), 900)
    return {"authorization": f"Bearer {tokens.issue(key_principal(commune_id, *scopes), ttl_s=900)}"}
