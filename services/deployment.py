"""The deployment: the four services and the consumers they declare.

With the composition roots that use it (`services/cli.py`, `services/local/`), this is the only
code that sees more than one service. Each service declares its consumers next to its use cases
(`services/<name>/consumers.py`); the topology every process declares at start-up is built from
those declarations.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI
from pydantic import Field

from services.intake import consumers as intake_consumers
from services.intake.settings import IntakeSettings
from services.notification import consumers as notification_consumers
from services.notification.settings import NotificationSettings
from services.reporting import consumers as reporting_consumers
from services.reporting.settings import ReportingSettings
from services.routing import consumers as routing_consumers
from services.routing.settings import RoutingSettings
from shared import runtime
from shared.runtime import SettingsT
from shared.settings import CommonSettings
from shared.subscriptions import Subscription
from shared.topology import ConsumerSpec

# Every consumer of the deployment, as each service declares it next to its use cases.
SUBSCRIPTIONS: tuple[Subscription[Any], ...] = (
    *intake_consumers.SUBSCRIPTIONS,
    *routing_consumers.SUBSCRIPTIONS,
    *notification_consumers.SUBSCRIPTIONS,
    *reporting_consumers.SUBSCRIPTIONS,
)
CONSUMERS: tuple[ConsumerSpec, ...] = tuple(subscription.spec for subscription in SUBSCRIPTIONS)


def consumer(service: str, name: str | None = None) -> ConsumerSpec:
    return next(spec for spec in CONSUMERS if spec.service == service and name in (None, spec.name))


class Settings(IntakeSettings, RoutingSettings, NotificationSettings, ReportingSettings):
    """Every service's settings: for a process running several services (`make run`, tests) and
    for the operators' commands that act on several (`doithoai seed-demo`)."""

    # Demo data with published staff passwords (`doithoai seed-demo`): only when this is on.
    # `make run` turns it on; compose and k8s leave it off.
    demo: bool = Field(False, alias="DOITHOAI_DEMO")


def build_app(
    settings: SettingsT, factories: Sequence[runtime.ServiceFactory[SettingsT]], **kwargs: Any
) -> FastAPI:
    """A process running `factories`, declaring the whole deployment's topology."""
    return runtime.build_app(settings, factories, consumers=CONSUMERS, **kwargs)


SERVICES = ("intake", "routing", "notification", "reporting")
SERVICE_SETTINGS: dict[str, type[CommonSettings]] = {
    "intake": IntakeSettings,
    "routing": RoutingSettings,
    "notification": NotificationSettings,
    "reporting": ReportingSettings,
}


def service_settings(name: str) -> CommonSettings:
    """What `doithoai serve NAME` reads from the environment: that service's settings only."""
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}")
    return SERVICE_SETTINGS[name]()


def build_service_app(settings: CommonSettings, name: str) -> FastAPI:
    """One service's process (`doithoai serve NAME`): only that service is assembled; the others
    contribute their consumer declarations to the topology. `settings` must carry the service's
    own fields (`service_settings(name)`, or `Settings`)."""
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}")
    if not isinstance(settings, SERVICE_SETTINGS[name]):
        raise TypeError(f"{name} needs {SERVICE_SETTINGS[name].__name__}, not {type(settings).__name__}")
    factory = importlib.import_module(f"services.{name}.app").build_service
    return build_app(settings, [factory], title=f"doithoai {name}")
