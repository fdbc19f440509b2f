"""A service's consumer, declared next to its use cases.

A `Subscription` names the service's queue, the events it takes, and for each event the use case
that handles it: a plain module-level function `handler(deps, envelope, payload)`, importable and
testable alone. The queue's bindings are the handler map's keys, so there is no second list: the
deployment's topology (`shared.topology.Topology.consumers`) is built from these declarations,
and `bind(deps)` gives the running `Consumer` with the service's dependencies applied.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from shared.contracts import Envelope, Payload
from shared.messaging import Consumer, EventHandler, GiveUpHook
from shared.topology import ConsumerSpec

D = TypeVar("D")

# False: the event had been handled before (a handler that de-duplicates by its own write).
UseCase = Callable[[D, Envelope, Any], Awaitable[bool | None]]
GiveUp = Callable[[D, Envelope, Any, str], Awaitable[None]]


@dataclass(frozen=True)
class Subscription(Generic[D]):
    service: str
    queue: str
    handlers: Mapping[type[Payload], UseCase[D]]
    description: str = ""
    # Events whose use case de-duplicates by its own write (an insert under a unique id per
    # effect, or a conditional update) and returns False for an event handled before: the
    # processed-events check is skipped for them.
    self_deduplicating: frozenset[type[Payload]] = frozenset()
    # Routing keys this queue took in earlier versions: unbound at start-up, queued copies dropped.
    retired_keys: tuple[str, ...] = ()
    # Records a final status once an event is given up (dead-lettered).
    on_give_up: GiveUp[D] | None = None

    @property
    def spec(self) -> ConsumerSpec:
        keys = tuple(payload.routing_key() for payload in self.handlers)
        return ConsumerSpec(self.service, self.queue, keys, self.retired_keys)

    def bind(self, deps: D) -> Consumer:
        handlers: dict[str, EventHandler] = {
            payload.routing_key(): functools.partial(handler, deps)
            for payload, handler in self.handlers.items()
        }
        give_up: GiveUpHook | None = functools.partial(self.on_give_up, deps) if self.on_give_up else None
        return Consumer(
            self.spec,
            handlers,
            on_give_up=give_up,
            description=self.description,
            self_deduplicating=frozenset(payload.routing_key() for payload in self.self_deduplicating),
        )
