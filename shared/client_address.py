"""The client's address, for per-address limits: the one place that decides it.

`X-Forwarded-For` is believed only when the TCP peer is one of the configured trusted proxies
(`DOITHOAI_TRUSTED_PROXIES`, IPs or CIDRs); anyone else could write any address in it. The
client is then the right-most address of the header that is not itself a trusted proxy: every
trusted proxy appends the peer it saw, so everything left of that entry was written by the
client and proves nothing. uvicorn's own proxy-header handling is off (`proxy_headers=False`
in services/cli.py and services/local/runner.py), so the ASGI peer is always the TCP peer.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable

from starlette.requests import Request

log = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
UNKNOWN = "unknown"


def trusted_networks(spec: str) -> tuple[Network, ...]:
    """`"10.0.0.0/8, 192.168.1.7"` -> networks; raises ValueError on an entry that is neither.
    Parsed on each call (a few entries): nothing is kept between requests."""
    networks = []
    for part in spec.split(","):
        part = part.strip()
        if part:
            networks.append(ipaddress.ip_network(part, strict=False))
    return tuple(networks)


def _parse(value: str) -> Address | None:
    """An address as a proxy writes it: `1.2.3.4`, `1.2.3.4:5678`, `::1`, `[::1]:80`."""
    value = value.strip().strip('"')
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def resolve(peer: str | None, forwarded_for: Iterable[str], networks: tuple[Network, ...]) -> str:
    """The client address given the TCP peer and the `X-Forwarded-For` header values."""
    if not peer:
        return UNKNOWN
    nearest = _parse(peer)
    if nearest is None or not networks or not _trusted(nearest, networks):
        return peer
    hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:
            # Written by a trusted proxy yet unreadable: count it as that proxy's own traffic.
            return str(nearest)
        if not _trusted(address, networks):
            return str(address)
        nearest = address
    return str(nearest)  # every hop is a trusted proxy: the left-most one is the client


def client_address(request: Request, trusted_proxies: str) -> str:
    """The client's address for `request` (module docstring); never raises."""
    peer = request.client.host if request.client else None
    try:
        networks = trusted_networks(trusted_proxies)
    except ValueError:
        log.error("DOITHOAI_TRUSTED_PROXIES is not a list of IPs or CIDRs; trusting no proxy")
        networks = ()
    return resolve(peer, request.headers.getlist("x-forwarded-for"), networks)
