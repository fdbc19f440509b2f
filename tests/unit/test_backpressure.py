"""The queued-work estimator and the admission rule behind intake's load shedding
(shared/backpressure.py), fed depth samples at chosen times: no broker."""

from __future__ import annotations

import pytest

from shared.backpressure import MAX_RETRY_AFTER_S, Admission, BacklogEstimator, CommuneShares


def test_the_drain_rate_is_measured_while_the_queue_stays_busy() -> None:
    estimator = BacklogEstimator(floor_rate=1.0, smoothing=1.0)
    estimator.observe(100, now=0.0)
    estimator.arrived(30)  # this process added 30 in the second that followed
    estimator.observe(110, now=1.0)  # so 20 were drained
    assert estimator.rate == pytest.approx(20.0)
    assert estimator.seconds(now=1.0) == pytest.approx(110 / 20)


def test_the_rate_is_a_moving_average_of_busy_intervals() -> None:
    estimator = BacklogEstimator(floor_rate=1.0, smoothing=0.5)
    estimator.observe(100, now=0.0)
    estimator.observe(80, now=1.0)  # 20/s
    estimator.observe(70, now=2.0)  # 10/s: the average moves half way
    assert estimator.rate == pytest.approx(15.0)


def test_a_queue_that_ran_empty_shows_at_least_what_it_drained() -> None:
    estimator = BacklogEstimator(floor_rate=1.0, smoothing=0.5)
    estimator.observe(10, now=0.0)
    estimator.observe(0, now=1.0)  # at least 10/s, maybe more: the consumer was idle part of it
    assert estimator.rate == pytest.approx(10.0)
    estimator.observe(0, now=2.0)  # idle: nothing learned, the rate is kept
    estimator.arrived(3)
    estimator.observe(0, now=3.0)  # 3/s drained while mostly idle: no reason to lower it
    assert estimator.rate == pytest.approx(10.0)
    assert estimator.seconds(now=3.0) == 0


def test_the_floor_rate_bounds_the_estimate_when_nothing_drains() -> None:
    estimator = BacklogEstimator(floor_rate=5.0)
    estimator.observe(40, now=0.0)
    assert estimator.seconds(now=0.0) == pytest.approx(8.0)  # never measured: the floor
    estimator.arrived(10)
    estimator.observe(50, now=1.0)  # the consumer is down: nothing drained
    assert estimator.rate == 5.0
    assert estimator.seconds(now=1.0) == pytest.approx(10.0)


def test_arrivals_it_does_not_see_only_make_it_more_careful() -> None:
    """Another replica's 20 arrivals look like 20 fewer drained: the estimate lengthens."""
    seen = BacklogEstimator(floor_rate=1.0, smoothing=1.0)
    unseen = BacklogEstimator(floor_rate=1.0, smoothing=1.0)
    for estimator, known in ((seen, 20), (unseen, 0)):
        estimator.observe(100, now=0.0)
        estimator.arrived(known)
        estimator.observe(100, now=1.0)
    assert seen.rate == pytest.approx(20.0)
    assert unseen.rate == 1.0
    assert unseen.seconds(now=1.0) > seen.seconds(now=1.0)


def test_an_old_sample_says_nothing() -> None:
    estimator = BacklogEstimator(floor_rate=1.0, stale_s=5.0)
    assert estimator.seconds(now=0.0) is None
    estimator.observe(1000, now=0.0)
    assert estimator.seconds(now=4.0) == 1000
    assert estimator.seconds(now=6.0) is None


def test_admission_refuses_above_the_bound_with_a_retry_after() -> None:
    now = [0.0]
    estimator = BacklogEstimator(floor_rate=10.0)
    admission = Admission({"q": estimator}, max_queued_s=30.0, clock=lambda: now[0])
    assert admission.refusal() is None  # nothing sampled yet: admitted
    estimator.observe(300, now=0.0)  # 30 s at 10/s: at the bound, admitted
    assert admission.refusal() is None
    estimator.observe(345, now=0.0)  # 34.5 s: 4.5 s over
    assert admission.refusal() == 5
    estimator.observe(100_000, now=0.0)
    assert admission.refusal() == MAX_RETRY_AFTER_S
    now[0] = 60.0  # the broker stopped answering: the stale estimate admits
    assert admission.refusal() is None


def test_admission_takes_the_fullest_queue_and_counts_arrivals_in_each() -> None:
    first, second = BacklogEstimator(floor_rate=1.0), BacklogEstimator(floor_rate=1.0)
    admission = Admission({"a": first, "b": second}, max_queued_s=10.0, clock=lambda: 0.0)
    first.observe(5, now=0.0)
    second.observe(50, now=0.0)
    assert admission.queued_seconds() == 50
    admission.arrived(4)
    first.observe(9, now=1.0)  # 5 + 4 arrived - 9 left: nothing drained
    assert first.rate == 1.0


def test_always_admits() -> None:
    assert Admission.always().refusal() is None


def _flooded(now: list[float], depth: int) -> tuple[Admission, BacklogEstimator]:
    estimator = BacklogEstimator(floor_rate=10.0)
    estimator.observe(depth, now=now[0])
    return Admission({"q": estimator}, max_queued_s=30.0, clock=lambda: now[0]), estimator


def test_over_the_bound_a_commune_under_its_fair_share_is_still_admitted() -> None:
    """Communes share the queue: one commune's flood fills it, another's resident gets in."""
    now = [100.0]
    admission, estimator = _flooded(now, depth=400)  # 40 s: over the 30 s bound
    admission.arrived(395, commune_id="flooding")
    admission.arrived(5, commune_id="quiet")
    assert admission.refusal(commune_id="flooding") == 10
    assert admission.refusal(commune_id="quiet") is None
    assert admission.refusal(commune_id="new") is None  # brought nothing yet: under its share
    assert admission.refusal() == 10  # who asks is not known: the bound as it is
    estimator.observe(460, now=now[0])  # 46 s: past the headroom (1.5 x 30 s), nobody
    assert admission.refusal(commune_id="quiet") == 16


def test_a_lone_commune_meets_the_bound_as_before() -> None:
    now = [0.0]
    admission, _ = _flooded(now, depth=400)
    admission.arrived(400, commune_id="only")
    assert admission.refusal(commune_id="only") == 10
    fresh, _ = _flooded(now, depth=400)  # nobody brought anything recently
    assert fresh.refusal(commune_id="only") == 10


def test_shares_are_of_the_recent_work_only() -> None:
    shares = CommuneShares(window_s=30.0)
    shares.add("a", 100, now=0.0)
    shares.add("b", 10, now=20.0)
    assert shares.under_fair_share("b", now=25.0) and not shares.under_fair_share("a", now=25.0)
    # 31 s later a's burst is forgotten: b alone brought work, nobody to be fair to
    assert not shares.under_fair_share("b", now=31.0)
    assert shares.under_fair_share("a", now=31.0)
