"""Look-ups in flight in one process (`services/routing/in_flight.py`): a look-up is compared
with every item it may have missed, an item is forgotten once no look-up can miss it, and
petitions routed at the same moment join one issue. The last test routes over the in-memory
twin wrapped so that its reads and writes suspend as the store's do (the real store's version
is `tests/integration/test_repeats_lookup.py`)."""

from __future__ import annotations

import asyncio

from services.routing.handlers import route
from services.routing.in_flight import InFlight
from services.routing.memory import InMemoryDecisions
from services.routing.recurrence import Candidate
from tests.unit.test_repeat_index import FLOOD, deps_over, received

KEYS = ("b00:aaaaaa", "b01:bbbbbb")


def candidate(submission_id: str, cluster_id: str | None = None) -> Candidate:
    return Candidate(
        submission_id=submission_id,
        dialogue_id="d",
        year=2017,
        hamlet=None,
        topic=3,
        tokens=frozenset({"lo", "dal"}),
        cluster_id=cluster_id or submission_id,
        text="lo dal",
    )


def test_a_look_up_sees_items_not_indexed_when_its_reads_were_sent():
    in_flight = InFlight()
    with in_flight.lookup("demo") as first:
        first.add(candidate("A"), KEYS, starts_cluster=True)
        with in_flight.lookup("demo") as second:
            assert [p.candidate.submission_id for p in second.ahead(KEYS, exclude="new")] == ["A"]
            first.stored = True
        # A's look-up is still open: it was not indexed when the second began
        with in_flight.lookup("demo") as third:
            assert [p.candidate.submission_id for p in third.ahead(KEYS, exclude="new")] == ["A"]
            second.add(candidate("B", "A"), KEYS, starts_cluster=False)
            assert [p.candidate.submission_id for p in third.ahead(KEYS, exclude="new")] == ["A", "B"]
            assert [p.candidate.submission_id for p in second.ahead(KEYS, exclude="B")] == ["A"]  # not B
            assert third.ahead(("b00:cccccc",), exclude="new") == []  # no band key shared, as in the index


def test_an_item_indexed_before_the_cluster_read_was_sent_is_in_its_count():
    in_flight = InFlight()
    with in_flight.lookup("demo") as reading:  # its band keys are being read
        with in_flight.lookup("demo") as early:
            early.add(candidate("A"), KEYS, starts_cluster=True)
            early.stored = True
        with in_flight.lookup("demo") as late:
            late.add(candidate("B", "A"), KEYS, starts_cluster=False)
            [a, b] = reading.ahead(KEYS, exclude="new")
            assert not reading.counted_in_read(a)  # no cluster read marked yet
            reading.mark_clusters_read()  # A's writes were acknowledged before: in the count
            late.stored = True  # B's after: perhaps not
        assert reading.counted_in_read(a) and not reading.counted_in_read(b)


def test_an_indexed_item_is_forgotten_once_no_look_up_can_have_missed_it():
    in_flight = InFlight()
    with in_flight.lookup("demo") as older:  # began before A was indexed
        with in_flight.lookup("demo") as first:
            first.add(candidate("A"), KEYS, starts_cluster=True)
            first.stored = True
        assert first.pending is not None and first.pending.settled.is_set()
        with in_flight.lookup("demo") as later:  # began after: A is in what it reads
            assert later.ahead(KEYS, exclude="new") == []
        assert [p.candidate.submission_id for p in older.ahead(KEYS, exclude="new")] == ["A"]
        assert in_flight.entries("demo") == 1
    assert in_flight.entries("demo") == 0


def test_an_item_not_stored_is_forgotten_at_once_and_communes_are_apart():
    in_flight = InFlight()
    with in_flight.lookup("demo") as watching, in_flight.lookup("other") as elsewhere:
        with in_flight.lookup("demo") as redelivered:
            redelivered.add(candidate("A"), KEYS, starts_cluster=True)
            assert elsewhere.ahead(KEYS, exclude="new") == []
        assert watching.ahead(KEYS, exclude="new") == []  # its decision was stored before: it is in the index
        assert redelivered.pending is not None and redelivered.pending.settled.is_set()


class Suspending(InMemoryDecisions):
    """The in-memory twin whose look-ups and writes take a turn of the event loop, as a store's
    round trips do, so that concurrent events interleave."""

    async def clusters_sharing(self, commune_id, keys, hamlet=None, before_clusters_read=None):
        await asyncio.sleep(0)
        return await super().clusters_sharing(commune_id, keys, hamlet, before_clusters_read)

    async def save(self, *args, **kwargs):
        await asyncio.sleep(0)
        return await super().save(*args, **kwargs)


async def test_identical_petitions_routed_at_the_same_moment_join_one_issue():
    decisions = Suspending()
    deps = deps_over(decisions)
    text = FLOOD.format(n=5)
    routed = await asyncio.gather(*(route(deps, *received(f"P{n:02d}", text)) for n in range(12)))
    assert {r.decision.cluster_id for r in routed} == {"P00"}
    assert sorted(r.decision.times_raised for r in routed) == list(range(1, 13))
    cluster = await decisions.cluster("demo", "P00")
    assert cluster is not None and cluster.count == 12
    assert deps.in_flight.entries("demo") == 0
