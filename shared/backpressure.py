"""Load shedding: refuse new work while the work already queued would take too long.

A service that accepts work for a consumer further down the pipeline (intake for routing)
estimates, in seconds, the work queued ahead of that consumer, and while that exceeds a bound
it refuses new work at once (the adapters answer 503 with `Retry-After`; nothing is stored), so
a burst is absorbed by the senders' retries instead of by an ever longer queue.

- `BacklogEstimator` (pure): fed a sample of the queue's depth every second or so, and the
  arrivals this process caused in between, it keeps the consumer's drain rate (items/s, a
  moving average over intervals in which the queue never ran empty, never below `floor_rate`)
  and answers `seconds() = depth / rate`. Arrivals this process does not see (another replica,
  other events bound to the same queue) make the drain look slower and the estimate longer:
  the error is on the side of refusing early, never of queueing more.
- `QueueWatch`: the loop that samples the depths with a passive queue declare (`message_count`,
  one broker round trip per queue per interval, on its own connection, so a missing queue
  closes none of the consumers' channels).
- `Admission`: what the use case asks, without any I/O: `refusal()` is None (go on) or the
  seconds to put in `Retry-After`. A stale estimate (the broker unreachable for `stale_s`)
  admits: shedding protects the queue, it does not replace the store-outage path.
- `CommuneShares`: the communes share one queue, so over the bound the commune that brought
  less than its fair share of the recent work (this process's arrivals over `window_s`, split
  evenly among the communes that brought any) is still admitted, up to `FAIR_HEADROOM` times
  the bound: one commune's flood does not shut the door on the others' residents, and the
  queue stays bounded all the same.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import Counter as Tally
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractChannel
from prometheus_client import CollectorRegistry, Counter, Gauge

log = logging.getLogger(__name__)

MAX_RETRY_AFTER_S = 120
# Over the bound, a commune under its fair share is admitted until the queue holds this many
# times the bound.
FAIR_HEADROOM = 1.5


@dataclass
class _Sample:
    at: float
    depth: int


class BacklogEstimator:
    """Seconds of work queued ahead of one consumer, from depth samples and known arrivals."""

    def __init__(self, *, floor_rate: float, smoothing: float = 0.3, stale_s: float = 5.0) -> None:
        if floor_rate <= 0:
            raise ValueError("floor_rate must be positive")
        self.floor_rate = floor_rate
        self._smoothing = smoothing
        self._stale_s = stale_s
        self._last: _Sample | None = None
        self._arrivals = 0  # caused by this process since the last sample
        self._rate: float | None = None  # measured drain rate, items/s

    def arrived(self, count: int = 1) -> None:
        self._arrivals += count

    def observe(self, depth: int, now: float) -> None:
        last, arrivals = self._last, self._arrivals
        self._last, self._arrivals = _Sample(now, max(0, depth)), 0
        if last is None or now <= last.at:
            return
        drained = max(0, last.depth + arrivals - depth)
        rate = drained / (now - last.at)
        if last.depth > 0 and depth > 0:
            # Busy through the whole interval: what it drained is what it can drain.
            self._rate = rate if self._rate is None else self._rate + self._smoothing * (rate - self._rate)
        elif drained and rate > (self._rate or 0.0):
            # It ran empty: it can drain at least this much.
            self._rate = rate

    @property
    def rate(self) -> float:
        """The drain rate the estimate uses (items/s)."""
        return max(self.floor_rate, self._rate or 0.0)

    @property
    def depth(self) -> int | None:
        return self._last.depth if self._last else None

    def seconds(self, now: float) -> float | None:
        """Seconds of queued work, or None when no recent sample says."""
        if self._last is None or now - self._last.at > self._stale_s:
            return None
        return self._last.depth / self.rate


class CommuneShares:
    """How much of the recent work each commune brought: arrivals counted per whole second over
    the last `window_s` seconds."""

    def __init__(self, window_s: float = 30.0) -> None:
        self.window_s = window_s
        self._seconds: deque[tuple[int, Tally[str]]] = deque()  # (second, arrivals per commune)

    def add(self, commune_id: str, count: int, now: float) -> None:
        second = int(now)
        if not self._seconds or self._seconds[-1][0] != second:
            self._seconds.append((second, Tally()))
        self._seconds[-1][1][commune_id] += count
        self._forget(now)

    def _forget(self, now: float) -> None:
        while self._seconds and self._seconds[0][0] <= now - self.window_s:
            self._seconds.popleft()

    def under_fair_share(self, commune_id: str, now: float) -> bool:
        """True when other communes brought work too and this one brought less than an even
        share of it (a commune that brought none is under its share)."""
        self._forget(now)
        totals: Tally[str] = Tally()
        for _, arrivals in self._seconds:
            totals.update(arrivals)
        active = [c for c, n in totals.items() if n > 0]
        if not active or active == [commune_id]:
            return False  # nobody else to be fair to: the bound applies as it is
        fair = sum(totals.values()) / len(set(active) | {commune_id})
        return totals.get(commune_id, 0) < fair


class Admission:
    """Admits new work while every watched queue holds at most `max_queued_s` of work; above
    that, a commune under its fair share of the recent work (`CommuneShares`) up to
    `FAIR_HEADROOM` times the bound."""

    def __init__(
        self,
        estimators: dict[str, BacklogEstimator],
        max_queued_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        shed: Counter | None = None,
        shares: CommuneShares | None = None,
    ) -> None:
        self.estimators = estimators
        self.max_queued_s = max_queued_s
        self._clock = clock
        self._shed = shed
        self._shares = shares if shares is not None else CommuneShares()

    @classmethod
    def always(cls) -> Admission:
        """Admits everything (no queue to watch: the in-memory broker, tests)."""
        return cls({}, math.inf)

    def queued_seconds(self) -> float | None:
        now = self._clock()
        known = [s for e in self.estimators.values() if (s := e.seconds(now)) is not None]
        return max(known) if known else None

    def refusal(self, share: float = 1.0, commune_id: str | None = None) -> int | None:
        """None: admit. Else the seconds after which to try again (for `Retry-After`): about
        when the queue is back under `share` of the bound at the measured rate, at most two
        minutes. Bulk work waits for a smaller share, leaving the rest to residents' posts.
        With `commune_id`, a commune under its fair share is admitted up to `FAIR_HEADROOM`
        times the bound."""
        queued = self.queued_seconds()
        bound = self.max_queued_s * share
        if queued is None or queued <= bound:
            return None
        if (
            commune_id is not None
            and queued <= bound * FAIR_HEADROOM
            and self._shares.under_fair_share(commune_id, self._clock())
        ):
            return None
        return min(MAX_RETRY_AFTER_S, max(1, math.ceil(queued - bound)))

    def refused(self, count: int = 1) -> None:
        """Count work refused by `refusal()` (`doithoai_<service>_shed_total`)."""
        if self._shed is not None:
            self._shed.inc(count)

    def arrived(self, count: int = 1, commune_id: str | None = None) -> None:
        for estimator in self.estimators.values():
            estimator.arrived(count)
        if commune_id is not None and self.estimators:
            self._shares.add(commune_id, count, self._clock())


class QueueWatch:
    """Samples the depth of the watched queues every `interval_s` into their estimators."""

    def __init__(
        self,
        amqp_url: str,
        admission: Admission,
        interval_s: float,
        *,
        service: str,
        registry: CollectorRegistry,
    ) -> None:
        self._url = amqp_url
        self._admission = admission
        self._interval_s = interval_s
        self._queued = Gauge(
            f"doithoai_{service}_queued_work_seconds",
            "Estimated seconds of work queued ahead of the watched consumer (depth / drain rate); "
            "new work is refused above the bound (DOITHOAI_MAX_QUEUED_SECONDS).",
            ["queue"],
            registry=registry,
        )
        self._children = {name: self._queued.labels(name) for name in admission.estimators}

    async def sample(self, channel: AbstractChannel) -> None:
        for name, estimator in self._admission.estimators.items():
            queue = await channel.declare_queue(name, passive=True)
            estimator.observe(int(queue.declaration_result.message_count or 0), time.monotonic())
            if (seconds := estimator.seconds(time.monotonic())) is not None:
                self._children[name].set(round(seconds, 2))

    async def run(self) -> None:
        """For the service's lifetime: reconnects and reopens the channel after any failure."""
        if not self._admission.estimators:
            return
        warned = False
        while True:
            try:
                connection = await aio_pika.connect(self._url, timeout=5)
                async with connection:
                    channel = await connection.channel()
                    while True:
                        await self.sample(channel)
                        warned = False
                        await asyncio.sleep(self._interval_s)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not warned:  # once per outage, not every second
                    log.warning("queue depths not sampled: %s", exc)
                    warned = True
            await asyncio.sleep(self._interval_s)


def watching(
    queues: Sequence[str],
    *,
    max_queued_s: float,
    floor_rate: float,
    service: str,
    registry: CollectorRegistry,
    stale_s: float = 5.0,
) -> Admission:
    shed = Counter(
        f"doithoai_{service}_shed_total",
        "New work refused (503 with Retry-After) because the queued work exceeded the bound.",
        registry=registry,
    )
    estimators = {name: BacklogEstimator(floor_rate=floor_rate, stale_s=stale_s) for name in queues}
    return Admission(estimators, max_queued_s, shed=shed)
