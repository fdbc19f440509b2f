"""Every route an app serves, flattened, with whether the guard covers it and under what key.
Used by the access contract test and by anyone auditing a deployment's surface."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute, Mount, Route

from shared.auth.guard import GuardedRoute
from shared.auth.policy import route_key

# Routes FastAPI itself adds; DOITHOAI_DOCS turns them off.
FRAMEWORK_PATHS = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})


@dataclass(frozen=True)
class ServedRoute:
    key: str  # "METHOD /path"
    guarded: bool  # served through GuardedRoute
    declared: bool  # its key is in the app's access table


def _flatten(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    for route in routes:
        included = getattr(route, "original_router", None)  # FastAPI's lazily included routers
        if included is not None:
            yield from _flatten(included.routes)
        else:
            yield route


def served_routes(app: FastAPI) -> list[ServedRoute]:
    table = app.state.guard.table
    served = []
    for route in _flatten(app.routes):
        if isinstance(route, Mount) or (
            isinstance(route, Route) and not isinstance(route, APIRoute) and route.path in FRAMEWORK_PATHS
        ):
            continue  # static files and FastAPI's own docs pages
        for method in sorted(getattr(route, "methods", None) or {"*"}):
            if method == "HEAD":
                continue
            key = route_key(method, getattr(route, "path", "?"))
            served.append(ServedRoute(key, isinstance(route, GuardedRoute), key in table))
    return served


def undeclared(app: FastAPI) -> list[str]:
    """Routes that are not guarded or have no policy: each one is a defect."""
    return sorted(r.key for r in served_routes(app) if not (r.guarded and r.declared))


def stale(app: FastAPI) -> list[str]:
    """Policies that name no route the app serves (a renamed route left its policy behind)."""
    keys = {r.key for r in served_routes(app)}
    return sorted(key for key in app.state.guard.table if key not in keys)
