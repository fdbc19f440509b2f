"""Bootstrap: the one place where a service's dependencies are assembled.

`build_app(settings, [factory, ...])` returns a FastAPI app whose lifespan opens the store,
declares the broker topology, starts the consumers and the outbox relay. Production runs one
factory per process; the embedded `make run` without RabbitMQ runs all four in one process on
FastStream's in-memory broker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Generic, TypeVar

from fastapi import APIRouter, FastAPI
from faststream.rabbit import Channel, RabbitBroker
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from faststream.rabbit.testing import TestRabbitBroker
from prometheus_client import CollectorRegistry

from shared import topology as topo
from shared.audit import AuditTrail
from shared.auth.guard import AccessGuard, ApiKeyResolver, GuardedPolicy
from shared.auth.policy import AccessTable
from shared.auth.revocation import RevokedKeys
from shared.auth.tokens import Tokens, parse_keys
from shared.directory import DirectoryReader
from shared.http import (
    OPERATIONS_ACCESS,
    install_body_limit,
    install_error_handlers,
    install_load_shedding,
    install_request_context,
    install_security_headers,
    ops_router,
)
from shared.messaging import BusPublisher, Consumer, register_consumer
from shared.mongo import Database, ProcessedEvents, StoreOperations, create_client, database
from shared.observability import ConsumerMetrics
from shared.outbox import Outbox
from shared.periodic import repeat
from shared.service_api import LocalApp
from shared.settings import CommonSettings

log = logging.getLogger(__name__)

# The settings a runtime carries: the common ones and, for a service, its own
# (`services/<name>/settings.py`). Covariant: a runtime carrying every service's settings is a
# runtime of each of them.
SettingsT_co = TypeVar("SettingsT_co", bound=CommonSettings, covariant=True)
SettingsT = TypeVar("SettingsT", bound=CommonSettings)


@dataclass(frozen=True)
class Runtime(Generic[SettingsT_co]):
    """What a service factory may use. Built once per process.

    A factory states the settings it reads, `build_service(rt: Runtime[IntakeSettings])`, and
    `build_app` accepts it only with settings of that class (or a union holding it)."""

    settings: SettingsT_co
    broker: RabbitBroker
    topology: topo.Topology
    registry: CollectorRegistry
    db: Database
    directory: DirectoryReader
    tokens: Tokens
    # The app this process serves, once built: other services' APIs called `inprocess` go to it.
    local_app: LocalApp = field(default_factory=LocalApp)
    # FastStream's in-memory broker (embedded `make run`): no queues to inspect or wait in.
    in_memory: bool = False


@dataclass
class ServiceParts:
    name: str
    metrics: ConsumerMetrics
    publisher: BusPublisher
    router: APIRouter | None = None
    consumers: Sequence[Consumer] = ()
    outbox: Outbox | None = None
    ensure_indexes: Callable[[], Awaitable[None]] | None = None
    # Loops that run for the process's lifetime (cancelled at shutdown).
    extra_tasks: list[Callable[[], Coroutine[object, object, None]]] = field(default_factory=list)
    # For operators' commands and tests.
    components: dict[str, object] = field(default_factory=dict)
    # Path -> larger request body allowed there (uploads).
    body_limits: dict[str, int] = field(default_factory=dict)
    # Run after the consumers stopped.
    on_shutdown: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # "METHOD /path" -> who may call it (services/<name>/access.py).
    access: AccessTable = field(default_factory=dict)
    # Set by the service that owns the communes' API keys: it resolves them for the guard.
    api_keys: ApiKeyResolver | None = None


ServiceFactory = Callable[[Runtime[SettingsT]], ServiceParts]


def service_base(rt: Runtime[CommonSettings], name: str) -> tuple[ConsumerMetrics, BusPublisher]:
    metrics = ConsumerMetrics(name, rt.registry)
    return metrics, BusPublisher(rt.broker, rt.topology, metrics)


def make_broker(settings: CommonSettings, registry: CollectorRegistry, app_name: str) -> RabbitBroker:
    return RabbitBroker(
        settings.rabbitmq_url,
        default_channel=Channel(prefetch_count=settings.prefetch_count, on_return_raises=True),
        log_level=logging.DEBUG,
        graceful_timeout=10.0,
        middlewares=[
            RabbitPrometheusMiddleware(
                registry=registry, app_name=app_name, metrics_prefix="doithoai_faststream"
            )
        ],
    )


def build_app(
    settings: SettingsT,
    factories: Sequence[ServiceFactory[SettingsT]],
    *,
    title: str,
    consumers: Sequence[topo.ConsumerSpec],
    in_memory: bool = False,
    registry: CollectorRegistry | None = None,
) -> FastAPI:
    """`consumers`: every consumer of the deployment (`services.deployment.CONSUMERS`), so the
    topology this process declares holds the queues of the services it does not run."""
    registry = registry or CollectorRegistry()
    broker = make_broker(settings, registry, title)
    store_operations = StoreOperations()
    client = create_client(settings, store_operations)
    db = database(client, settings)
    topology = topo.Topology(
        settings.amqp_prefix, settings.retry_delay_ms, settings.delivery_limit, tuple(consumers)
    )
    rt = Runtime(
        settings,
        broker,
        topology,
        registry,
        db,
        DirectoryReader(db),
        Tokens(parse_keys(settings.auth_keys), settings.token_ttl_s),
        in_memory=in_memory,
    )
    parts = [factory(rt) for factory in factories]
    undeclared = [c.spec for part in parts for c in part.consumers if c.spec not in topology.consumers]
    if undeclared:
        raise ValueError(f"consumers missing from the deployment's topology: {undeclared}")
    audit = AuditTrail(db)
    # doithoai_<service>_store_operations_total; a process running several services counts them together.
    store_operations.register(parts[0].name if len(parts) == 1 else "embedded", registry)
    for part in parts:
        processed = ProcessedEvents(db, part.name, settings.processed_ttl_days)
        for consumer in part.consumers:
            register_consumer(
                broker,
                consumer,
                topology=topology,
                processed=processed,
                metrics=part.metrics,
                max_retries=settings.max_retries,
                in_memory=in_memory,
            )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await _wait_for_store(db)
        for part in parts:
            await ProcessedEvents(db, part.name, settings.processed_ttl_days).ensure_indexes()
            if part.ensure_indexes:
                await part.ensure_indexes()
            await audit.ensure_indexes(part.name)
        async with _running_broker(broker, topology, in_memory, settings.rabbitmq_url):
            tasks = [
                asyncio.create_task(_relay(part, part.outbox, settings), name=f"outbox-{part.name}")
                for part in parts
                if part.outbox is not None
            ]
            tasks += [
                asyncio.create_task(task(), name=f"task-{part.name}")
                for part in parts
                for task in part.extra_tasks
            ]
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                await _bounded("background tasks", asyncio.gather(*tasks, return_exceptions=True), tasks)
        for part in parts:
            for hook in part.on_shutdown:
                try:
                    await _bounded(f"shutdown hook of {part.name}", hook())
                except Exception:
                    log.warning("shutdown hook of %s failed", part.name, exc_info=True)
        await _bounded("store client close", client.close())

    docs = settings.docs_enabled
    app = FastAPI(
        title=title,
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.runtime = rt
    rt.local_app.app = app
    app.state.guard = AccessGuard(
        rt.tokens,
        {
            key: GuardedPolicy(part.name, policy)
            for part in parts
            for key, policy in {**OPERATIONS_ACCESS, **part.access}.items()
        },
        api_keys=next((part.api_keys for part in parts if part.api_keys), None),
        audit=audit.record,
        metrics_token=settings.metrics_token,
        revoked_keys=RevokedKeys(rt.directory.key_revocation),
    )
    app.state.parts = {part.name: part for part in parts}
    install_error_handlers(app)
    install_body_limit(
        app,
        max_bytes=64 * 1024,
        larger={path: size for part in parts for path, size in part.body_limits.items()},
    )
    install_load_shedding(app, settings.max_in_flight, registry)
    install_request_context(app)
    install_security_headers(app)  # outermost: the refusals above get the headers too
    app.state.form_max_fields = settings.form_max_fields  # shared.forms.read_form

    async def ready() -> dict[str, bool]:
        checks = {"store": False, "broker": True if in_memory else False}
        with contextlib.suppress(Exception):
            await asyncio.wait_for(db.command("ping"), 2)
            checks["store"] = True
        if not in_memory:
            with contextlib.suppress(Exception):
                checks["broker"] = bool(await broker.ping(2))
        return checks

    app.include_router(ops_router(registry, ready))
    for part in parts:
        if part.router is not None:
            app.include_router(part.router)
    return app


@contextlib.asynccontextmanager
async def _running_broker(
    broker: RabbitBroker, topology: topo.Topology, in_memory: bool, amqp_url: str
) -> AsyncIterator[None]:
    if in_memory:
        async with TestRabbitBroker(broker):
            yield
        return
    await broker.connect()
    await topo.declare(broker, topology, amqp_url)
    await broker.start()
    try:
        yield
    finally:
        await _bounded("broker stop", broker.stop())


# A shutdown step that has not finished by then is abandoned (with a warning naming it and the
# tasks still pending), so a connection that never answers its close cannot hold the process.
SHUTDOWN_STEP_S = 15.0


async def _bounded(what: str, step: Awaitable[object], tasks: Sequence[asyncio.Task[None]] = ()) -> None:
    try:
        await asyncio.wait_for(step, SHUTDOWN_STEP_S)
    except TimeoutError:
        pending = [t.get_name() for t in tasks if not t.done()]
        log.warning("shutdown: %s did not finish in %.0f s; pending: %s", what, SHUTDOWN_STEP_S, pending)


async def _wait_for_store(db: Database, attempts: int = 30) -> None:
    for attempt in range(1, attempts + 1):
        try:
            await db.command("ping")
            return
        except Exception:
            if attempt == attempts:
                raise
            log.warning("store not reachable yet (attempt %d)", attempt)
            await asyncio.sleep(1)


async def _relay(part: ServiceParts, outbox: Outbox, settings: CommonSettings) -> None:
    grace = timedelta(seconds=settings.outbox_grace_s)

    async def step() -> None:
        stale = await outbox.stale(grace)
        part.metrics.outbox_backlog.set(len(stale))  # before publishing: with the broker down they stay
        part.metrics.outbox_republished.inc(await outbox.publish_stale(stale))

    interval = settings.outbox_relay_interval_s
    lease = asyncio.create_task(outbox.keep_lease(interval), name=f"outbox-lease-{part.name}")
    try:
        await asyncio.sleep(interval)
        await repeat(step, interval, f"{part.name} outbox relay")
    finally:
        lease.cancel()
