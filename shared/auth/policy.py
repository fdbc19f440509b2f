"""Access policies, declared per route in one table per service (`services/<name>/access.py`).

A table maps `"METHOD /path"` (the route's path template) to a `Policy`. The guard (guard.py)
looks every request up in the merged table before anything else is read; a route missing from
it is refused, and `tests/contract/test_access.py` fails on it.

Outcomes, in this order: no principal where one is needed -> 401; a principal whose role,
scopes or service the policy does not name -> 403; a principal of another commune than the path's
-> 403 (it acts for nobody here; decided before anything of the commune is read, so the answer
says nothing of what exists there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum

from shared.auth.principal import Principal, Role, Scope


class Gate(IntEnum):
    """What kind of check a route gets."""

    PUBLIC = 0  # anyone; a principal, if presented, is still read (e.g. to lift rate limits) and
    # must be the commune's own: another commune's key or token acts for nobody here (403)
    PRINCIPAL = 1  # a token or an API key with the roles or scopes named
    STAFF_PAGE = 2  # intake's staff pages: their own session guard decides (pages.StaffRoute)
    OPERATIONS = 3  # /metrics: the operations token when one is configured


@dataclass(frozen=True)
class Policy:
    gate: Gate
    roles: frozenset[Role] = frozenset()
    scopes: frozenset[Scope] = frozenset()
    key_param: str | None = None  # also read an API key from this query/form field (Open311's api_key)
    services: frozenset[str] = frozenset()  # services of the deployment that may call it (internal reads)
    # STAFF_PAGE: the session cookie the page's own guard reads; a request without it has no session
    session_cookie: str | None = None

    def decide(self, principal: Principal | None, path_commune: str | None) -> int:
        """200 (go on), 401 or 403."""
        if self.gate is Gate.PUBLIC:
            if principal is None or path_commune is None:
                return 200
            return 200 if principal.commune_id == path_commune else 403
        if self.gate is not Gate.PRINCIPAL:
            return 200
        if principal is None:
            return 401
        if not (
            principal.has_role(self.roles)
            or principal.has_scope(self.scopes)
            or principal.is_service(self.services)
        ):
            return 403
        if path_commune is not None and principal.commune_id != path_commune:
            return 403
        return 200


PUBLIC = Policy(Gate.PUBLIC)
STAFF_PAGE = Policy(Gate.STAFF_PAGE)
OPERATIONS = Policy(Gate.OPERATIONS)


def allow(
    roles: Iterable[Role] = (),
    scopes: Iterable[Scope] = (),
    *,
    key_param: str | None = None,
    services: Iterable[str] = (),
) -> Policy:
    """`services`: the services of the deployment whose own token (`service_principal`) may call
    the route, for the commune of its path only."""
    return Policy(Gate.PRINCIPAL, frozenset(roles), frozenset(scopes), key_param, frozenset(services))


AccessTable = Mapping[str, Policy]


def route_key(method: str, path: str) -> str:
    return f"{method.upper()} {path}"
