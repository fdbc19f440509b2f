"""The client address behind trusted proxies only (shared/client_address.py), and the
exemption of authenticated callers from the public limits (services/intake/public_limits.py)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from services.deployment import Settings
from services.intake.public_limits import (
    API,
    BUCKETS,
    REGISTRATION,
    TRACKING,
    check_public_limit,
    exempt,
    is_authenticated,
)
from shared.auth.principal import Role, Scope
from shared.client_address import resolve, trusted_networks
from tests.auth import key_principal, principal

PROXIES = trusted_networks("10.0.0.0/8, 192.168.1.7, fd00::/8")


def test_without_trusted_proxies_the_forwarded_header_is_ignored():
    assert resolve("127.0.0.1", ["203.0.113.9"], ()) == "127.0.0.1"
    assert (
        resolve("198.51.100.4", ["203.0.113.9"], PROXIES) == "198.51.100.4"
    )  # the peer is not a proxy of ours


def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client():
    assert resolve("10.1.2.3", ["203.0.113.9"], PROXIES) == "203.0.113.9"
    # A forged left part does not help: the proxy appended the real peer on the right.
    assert resolve("10.1.2.3", ["1.1.1.1, 203.0.113.9"], PROXIES) == "203.0.113.9"
    # Two of our proxies in a row, and the header split over two lines.
    assert resolve("10.1.2.3", ["6.6.6.6, 203.0.113.9", "192.168.1.7"], PROXIES) == "203.0.113.9"
    assert resolve("10.1.2.3", ["203.0.113.9:51234"], PROXIES) == "203.0.113.9"
    assert resolve("fd00::1", ["[2001:db8::5]:443"], PROXIES) == "2001:db8::5"
    assert resolve("10.1.2.3", ["::ffff:203.0.113.9"], PROXIES) == "203.0.113.9"


def test_odd_headers_fall_back_to_the_nearest_trusted_hop():
    assert resolve("10.1.2.3", [], PROXIES) == "10.1.2.3"
    assert resolve("10.1.2.3", ["10.9.9.9"], PROXIES) == "10.9.9.9"  # all ours: the left-most
    assert resolve("10.1.2.3", ["203.0.113.9, not-an-address"], PROXIES) == "10.1.2.3"
    assert resolve(None, ["203.0.113.9"], PROXIES) == "unknown"


def test_the_setting_takes_ips_and_cidrs_and_refuses_anything_else():
    assert Settings().trusted_proxies == ""  # default: trust nobody
    assert Settings(DOITHOAI_TRUSTED_PROXIES="10.0.0.0/8,127.0.0.1").trusted_proxies == "10.0.0.0/8,127.0.0.1"
    with pytest.raises(ValidationError):
        Settings(DOITHOAI_TRUSTED_PROXIES="10.0.0.0/8, proxy.example")


def test_every_public_bucket_has_its_settings_with_safe_defaults():
    settings = Settings()
    for bucket, (limit, window) in BUCKETS.items():
        most = 300 if bucket == TRACKING else 30  # look-ups are reads, many behind one carrier NAT
        assert 1 <= getattr(settings, limit) <= most and getattr(settings, window) >= 60
    assert (settings.api_post_limit, settings.registration_limit) == (30, 10)


def test_an_authenticated_caller_is_not_counted():
    # No runtime or store on this app: counting would fail, so None proves nothing was counted.
    app = SimpleNamespace(state=SimpleNamespace())
    staff = principal(Role.PARTY_OFFICE)
    for caller in (staff, key_principal("demo", Scope.SUBMIT)):
        request = SimpleNamespace(app=app, state=SimpleNamespace(principal=caller))
        assert is_authenticated(request) and exempt(request, "demo", API)
        assert asyncio.run(check_public_limit(request, "demo", API)) is None
    # a read-only key, and a key or staff of another commune, are counted like anyone
    for caller, commune_id in ((key_principal("demo", Scope.READ), "demo"), (staff, "other")):
        request = SimpleNamespace(app=app, state=SimpleNamespace(principal=caller))
        assert is_authenticated(request) and not exempt(request, commune_id, API)
    registrar = SimpleNamespace(app=app, state=SimpleNamespace(principal=key_principal("demo", Scope.PLAN)))
    assert exempt(registrar, "demo", REGISTRATION) and not exempt(registrar, "demo", API)
    assert not is_authenticated(SimpleNamespace(state=SimpleNamespace(principal=None)))
    assert not is_authenticated(SimpleNamespace(state=SimpleNamespace()))
    assert not is_authenticated(
        SimpleNamespace(state=SimpleNamespace(principal=SimpleNamespace(kind="anonymous")))
    )
