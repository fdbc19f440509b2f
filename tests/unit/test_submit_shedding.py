"""The submit use case under load shedding (`SubmitDeps.admission`): refused before anything is
stored while the estimated queued work is over the bound, accepted again under it; accepted
submissions count as arrivals in the estimate; a bulk import waits instead of being refused.
The admission is the real one, fed depth samples by the test (no broker)."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from services.demo.seed import demo_commune
from services.intake.handlers.submissions import (
    Overloaded,
    StoreUnavailable,
    submit,
    submit_many,
    wait_admitted,
)
from shared.backpressure import Admission, BacklogEstimator
from tests.unit.test_intake_handlers import FakePublisher, FakeSubmissions, command, counted, deps


def shedding(now: list[float], depth: int, *, floor_rate: float = 10.0) -> tuple[Admission, BacklogEstimator]:
    estimator = BacklogEstimator(floor_rate=floor_rate)
    estimator.observe(depth, now=now[0])
    return Admission({"routing": estimator}, max_queued_s=30.0, clock=lambda: now[0]), estimator


async def test_over_the_bound_nothing_is_stored_and_the_refusal_says_when_to_retry():
    now = [0.0]
    admission, estimator = shedding(now, depth=400)  # 40 s of work at 10/s
    store, publisher = FakeSubmissions(), FakePublisher()
    d = dataclasses.replace(deps(store, publisher), admission=admission)
    with pytest.raises(Overloaded) as refused:
        await submit(d, command())
    assert isinstance(refused.value, StoreUnavailable)  # every adapter answers it with 503
    assert refused.value.retry_after_s == 10 and refused.value.code == "overloaded"
    assert refused.value.vi and refused.value.en
    assert store.docs == {} and publisher.published == []
    assert counted(d, "unavailable") == 1 and counted(d, "accepted") == 0

    estimator.observe(250, now=1.0)  # 150 drained in a second: 250 left at 150/s
    accepted = await submit(d, command())
    assert accepted.submission_id in store.docs and publisher.published == [accepted.submission_id]


async def test_accepted_submissions_count_as_arrivals_in_the_estimate():
    now = [0.0]
    admission, estimator = shedding(now, depth=100)
    d = dataclasses.replace(deps(FakeSubmissions()), admission=admission)
    await submit(d, command())
    await submit_many(d, [command(submission_id=f"job-{n}") for n in range(3)])
    estimator.observe(104, now=1.0)  # 100 + 4 arrived, 104 queued: nothing drained
    assert estimator.rate == estimator.floor_rate


async def test_a_bulk_import_waits_while_shed_and_keeps_its_lease():
    now = [0.0]
    admission, estimator = shedding(now, depth=160)  # 16 s: 1 s over the import's half of the bound
    d = dataclasses.replace(deps(FakeSubmissions()), admission=admission)
    renewals = 0

    async def renew() -> None:
        nonlocal renewals
        renewals += 1
        if renewals == 2:
            estimator.observe(0, now=0.0)  # routing caught up

    await asyncio.wait_for(wait_admitted(d, renew), timeout=10)
    assert renewals == 2


async def test_without_shedding_everything_is_admitted():
    d = deps(FakeSubmissions())
    assert d.admission.refusal() is None
    await asyncio.wait_for(wait_admitted(d, _never), timeout=1)


async def _never() -> None:
    raise AssertionError("nothing to wait for")


async def test_a_bulk_import_waits_for_half_the_bound_leaving_the_rest_to_residents():
    """Seen from outside: an 8,000-row import kept the queue at the bound, so residents of every
    commune were answered 503 for minutes. An import batch goes on only under half the bound."""
    now = [0.0]
    admission, estimator = shedding(now, depth=160)  # 16 s of work: residents admitted (bound 30 s)
    d = dataclasses.replace(deps(FakeSubmissions()), admission=admission)
    assert d.admission.refusal() is None
    waited: list[float] = []

    async def renew() -> None:
        waited.append(now[0])
        estimator.observe(150, now=0.0)  # 15 s: half the bound

    await asyncio.wait_for(wait_admitted(d, renew), timeout=10)
    assert waited == [0.0]  # it waited once, until the queue was down to half the bound


async def test_one_communes_flood_does_not_refuse_another_communes_resident():
    """Over the bound, the commune that brought the queued work is refused and a commune that
    brought little of it is accepted (up to 1.5 x the bound; `shared.backpressure`)."""
    now = [0.0]
    admission, estimator = shedding(now, depth=200)  # 20 s: under the 30 s bound
    store = FakeSubmissions()
    d = dataclasses.replace(deps(store), admission=admission)
    for _ in range(20):
        await submit(d, command())  # demo's flood, admitted while under the bound
    estimator.observe(400, now=0.0)  # 40 s queued now
    with pytest.raises(Overloaded):
        await submit(d, command())
    neighbour = demo_commune().model_copy(update={"id": "tan-phuoc"})
    accepted = await submit(d, command(commune=neighbour))
    assert store.docs[accepted.submission_id]["commune_id"] == "tan-phuoc"
