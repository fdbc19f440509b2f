"""The outbox relay republishes only entries whose writer is gone (shared/outbox.py): a slow
writer holding its lease is left alone however old its entry, a dead writer's entry is
republished exactly once even with two relays racing for it, and an entry this process is
publishing right now is never taken by its own relay."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient, monitoring

from shared.contracts import Envelope, Kind, Source, SubmissionReceivedV1
from shared.mongo import create_client, database
from shared.outbox import OWNERS, Outbox, outbox_fields, owner_id

pytestmark = pytest.mark.integration
GRACE = timedelta(seconds=0.2)


def envelope(n: int) -> Envelope:
    payload = SubmissionReceivedV1(
        submission_id=f"s{n}",
        dialogue_id="demo-2017",
        tracking_code=f"DT-LEASE{n:03d}",
        source=Source.CITIZEN,
        kind=Kind.PETITION,
        text="Đường ngập",
        received_at=datetime(2017, 3, 1, tzinfo=UTC),
    )
    return Envelope.wrap(payload, commune_id="demo", correlation_id=f"c{n}")


class Recorder:
    def __init__(self, hold: asyncio.Event | None = None) -> None:
        self.published: list[str] = []
        self._hold = hold

    async def publish(self, event: Envelope) -> None:
        if self._hold is not None:
            await self._hold.wait()  # a slow broker or store: the writer is still at work
        self.published.append(event.event_id)


@pytest.fixture
async def collection(make_settings):
    settings = make_settings()
    client = create_client(settings)
    yield database(client, settings)["lease_outbox"]
    await client.drop_database(settings.mongodb_db)
    await client.close()


def other_writer(collection, recorder, name: str, lease_s: float = 15.0) -> Outbox:
    """An outbox standing for another process's."""
    outbox = Outbox(recorder, [collection], lease_s=lease_s)
    outbox.owner = name
    return outbox


async def test_a_slow_writer_holding_its_lease_is_never_republished(collection):
    writer = other_writer(collection, Recorder(), "host-b:42:slow")
    await writer.renew_lease()
    left = envelope(1)
    # Stored a minute ago by the other process, which is still at it (a slow store).
    await collection.insert_one(
        {"_id": "slow", **outbox_fields([left]), "outbox_owner": writer.owner, "outbox_at": time.time() - 60}
    )
    recorder = Recorder()
    relay = Outbox(recorder, [collection], hold_s=0.1)
    for _ in range(3):
        assert await relay.stale(GRACE) == []
        assert await relay.publish_stale(await relay.stale(GRACE)) == 0
        await writer.renew_lease()
    assert (await collection.find_one({"_id": "slow"}))["outbox_pending"] is True
    assert recorder.published == []


async def test_a_dead_writers_entry_is_republished_exactly_once_by_racing_relays(collection):
    dead = other_writer(collection, Recorder(), "host-c:7:dead", lease_s=0.3)
    await dead.renew_lease()  # then it dies: nobody renews
    gone = envelope(2)
    await collection.insert_many(
        [
            {
                "_id": "left",
                **outbox_fields([gone]),
                "outbox_owner": dead.owner,
                "outbox_at": time.time() - 60,
            },
            # Written before entries named their writer: its writer is unknown, so gone.
            {
                "_id": "old",
                "outbox": [envelope(3).model_dump(mode="json")],
                "outbox_pending": True,
                "outbox_at": 1.0,
            },
        ]
    )
    first, second = Recorder(), Recorder()
    relays = [Outbox(first, [collection]), other_writer(collection, second, "host-d:9:relay")]
    assert [d["_id"] for _, d in await relays[0].stale(GRACE)] == ["old"]  # the lease still runs
    await asyncio.sleep(0.35)
    found = [await relay.stale(GRACE) for relay in relays]  # both see both entries
    assert all(sorted(d["_id"] for _, d in stale) == ["left", "old"] for stale in found)
    counts = await asyncio.gather(*(relay.publish_stale(stale) for relay, stale in zip(relays, found)))
    published = first.published + second.published
    assert sum(counts) == 2 and len(published) == 2  # each event once, by one of the relays
    assert {e["outbox"][0]["event_id"] for _, e in found[0]} == set(published)
    assert await collection.count_documents({"outbox_pending": True}) == 0
    assert await relays[0].stale(GRACE) == [] and await relays[1].stale(GRACE) == []


async def test_an_entry_this_process_is_publishing_is_not_taken_by_its_own_relay(collection):
    hold = asyncio.Event()
    recorder = Recorder(hold)
    outbox = Outbox(recorder, [collection], hold_s=0.1)
    doc = {"_id": "busy", **outbox_fields([envelope(4)]), "outbox_at": time.time() - 60}
    await collection.insert_one(doc)
    publishing = asyncio.create_task(outbox.publish_written(collection, doc))
    await asyncio.sleep(0.05)
    assert doc["outbox_owner"] == owner_id()
    assert await outbox.stale(GRACE) == []  # old, but being published here right now
    hold.set()
    assert await publishing == 1
    assert await outbox.stale(GRACE) == [] and len(recorder.published) == 1


async def test_a_failed_publish_is_retried_by_its_own_relay_after_the_grace_period(collection):
    class Flaky(Recorder):
        down = True

        async def publish(self, event: Envelope) -> None:
            if self.down:
                raise ConnectionError("broker down")
            await super().publish(event)

    recorder = Flaky()
    outbox = Outbox(recorder, [collection])
    doc = {"_id": "failed", **outbox_fields([envelope(5)]), "outbox_at": time.time() - 1}
    await collection.insert_one(doc)
    with pytest.raises(ConnectionError):
        await outbox.publish_written(collection, doc)
    [(_, found)] = await outbox.stale(GRACE)  # its writer (this process) gave it up
    recorder.down = False
    assert await outbox.publish_stale([(collection, found)]) == 1 and len(recorder.published) == 1
    lease = await collection.database[OWNERS].find_one({"_id": owner_id()})
    assert lease is None  # only a relay loop (`keep_lease`) holds a lease


async def test_the_relay_scans_the_collection_only_when_something_may_be_left_behind(make_settings):
    class Finds(monitoring.CommandListener):
        def __init__(self) -> None:
            self.collections: list[str] = []

        def started(self, event: monitoring.CommandStartedEvent) -> None:
            if event.command_name == "find":
                self.collections.append(event.command["find"])

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
            pass

        def failed(self, event: monitoring.CommandFailedEvent) -> None:
            pass

    settings, finds = make_settings(), Finds()
    client = AsyncMongoClient(settings.mongodb_url, event_listeners=[finds])
    collection = database(client, settings)["scan_outbox"]
    try:
        relay = Outbox(Recorder(), [collection])
        await relay.renew_lease()
        await relay.stale(GRACE)  # the first pass scans
        assert finds.collections.count("scan_outbox") == 1
        for _ in range(5):
            assert await relay.stale(GRACE) == []
        assert finds.collections.count("scan_outbox") == 1  # nothing may be left: leases only
        owners = collection.database[OWNERS]
        await owners.insert_one({"_id": "host-e:3:crashed", "until": time.time() - 1})
        await collection.insert_one(
            {
                "_id": "left",
                **outbox_fields([envelope(6)]),
                "outbox_owner": "host-e:3:crashed",
                "outbox_at": 1.0,
            }
        )
        [(_, left)] = await relay.stale(GRACE)  # a writer gone since: scanned again
        assert left["_id"] == "left" and finds.collections.count("scan_outbox") == 2
        assert await relay.publish_stale([(collection, left)]) == 1
        assert await relay.stale(GRACE) == [] and finds.collections.count("scan_outbox") == 2
    finally:
        await client.drop_database(settings.mongodb_db)
        await client.close()


async def test_an_outbox_keeping_its_payload_in_the_document_publishes_it_whole(collection):
    """A document that holds its event's payload as its own fields (a routing decision with
    the earlier items it lists) keeps one copy: the outbox entry has no payload, and the
    writer, `flush_document` and a relay taking it from a dead writer all publish the full one."""

    class Keeps(Recorder):
        def __init__(self) -> None:
            super().__init__()
            self.events: list[Envelope] = []

        async def publish(self, event: Envelope) -> None:
            self.events.append(event)
            await super().publish(event)

    sent = [envelope(n) for n in (7, 8, 9)]
    docs = [{"_id": e.payload["submission_id"], "commune_id": "demo", **e.payload, "seen": 1} for e in sent]
    for doc, event in zip(docs, sent):
        doc.update(outbox_fields([event], payloads_in_document=True))
    [written, flushed, left] = docs
    left |= {"outbox_owner": "host-f:5:crashed", "outbox_at": time.time() - 60}
    await collection.insert_many([dict(d) for d in docs])
    stored = await collection.find_one({"_id": "s7"})
    assert "payload" not in stored["outbox"][0]  # one copy of the text, in the document

    recorder, relayed = Keeps(), Keeps()
    outbox, relay = Outbox(recorder, [collection]), Outbox(relayed, [collection])
    assert await outbox.publish_written(collection, written) == 1
    assert await outbox.flush_document(collection, "demo", "s8") == 1
    [(_, found)] = await relay.stale(GRACE)
    assert found["_id"] == "s9" and await relay.publish_stale([(collection, found)]) == 1
    published = recorder.events + relayed.events
    assert [e.model_dump() for e in published] == [e.model_dump() for e in sent]
    assert await collection.count_documents({"outbox_pending": True}) == 0


async def test_a_lease_not_renewed_while_the_store_is_unreachable_is_one_line_not_a_traceback(
    collection, caplog
):
    """The store stopping (a shutdown, an outage) is expected: the renewal loop says so in one
    warning and tries again, and an operator's log holds no traceback for it."""
    from pymongo.errors import AutoReconnect

    outbox = Outbox(Recorder(), [collection])

    async def unreachable() -> None:
        raise AutoReconnect("127.0.0.1:1: connection closed")

    outbox.renew_lease = unreachable  # type: ignore[method-assign]
    with caplog.at_level("WARNING", logger="shared.outbox"):
        loop = asyncio.create_task(outbox.keep_lease(0.01))
        await asyncio.sleep(0.05)
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
    records = [r for r in caplog.records if r.name == "shared.outbox"]
    # what an operator's log shows of each: one line with the error, no traceback
    shown = [logging.Formatter("%(message)s").format(r) for r in records]
    assert records and not any("Traceback" in line or "\n" in line for line in shown), shown
    assert all("store unreachable" in r.getMessage() and "connection closed" in r.error for r in records)
