"""Group commit (shared.group_commit.GroupWriter). A fake collection stands in for the store
here: the test must hold a bulk write open at will, cancel a caller mid-write and make the
store refuse single writes of a batch, which a real store cannot be made to do on cue (the real
store's grouping is tested in tests/integration/test_messaging.py and test_group_commit_store.py)."""

from __future__ import annotations

import asyncio

import pytest
from pymongo import InsertOne, UpdateOne
from pymongo.errors import AutoReconnect, BulkWriteError, DuplicateKeyError, WriteError

from shared.group_commit import GroupWriter


class GatedCollection:
    """Records each bulk write's ids; write number k waits until the test opens gate k.
    Ids listed in `refuse` are refused with the given error code, the rest of the batch stored."""

    name = "gated"

    def __init__(self, refuse: dict[str, int] | None = None) -> None:
        self.started: list[list[str]] = []
        self.writes: list[list[str]] = []
        self.gates = [asyncio.Event() for _ in range(10)]
        self.refuse = refuse or {}
        self.fail_next: Exception | None = None

    async def bulk_write(self, ops, ordered: bool) -> None:
        assert ordered is False
        ids = [op._doc["_id"] if isinstance(op, InsertOne) else op._filter["_id"] for op in ops]
        gate = self.gates[len(self.started)]
        self.started.append(ids)
        await gate.wait()
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        self.writes.append(ids)
        refused = [
            {"index": i, "code": self.refuse[d], "errmsg": f"refused {d}"}
            for i, d in enumerate(ids)
            if d in self.refuse
        ]
        if refused:
            raise BulkWriteError({"writeErrors": refused, "nInserted": len(ids) - len(refused)})

    def open_all(self) -> None:
        for gate in self.gates:
            gate.set()


def clear(doc_id: str) -> UpdateOne:
    return UpdateOne({"_id": doc_id}, {"$set": {"outbox_pending": False}})


async def test_writes_made_in_one_moment_go_together():
    collection = GatedCollection()
    collection.open_all()
    writer = GroupWriter(collection)
    await asyncio.gather(*(writer.write(clear(f"d{i}")) for i in range(5)))
    assert collection.writes == [[f"d{i}" for i in range(5)]]


async def test_writes_arriving_during_a_write_go_together_in_the_next_one():
    collection = GatedCollection()
    writer = GroupWriter(collection)
    tasks = [asyncio.create_task(writer.write(clear("d0")))]
    await asyncio.sleep(0.01)  # d0 is being written; d1..d9 wait
    tasks += [asyncio.create_task(writer.write(clear(f"d{i}"))) for i in range(1, 10)]
    await asyncio.sleep(0.01)
    collection.open_all()
    await asyncio.gather(*tasks)
    assert collection.writes == [["d0"], [f"d{i}" for i in range(1, 10)]]


async def test_an_idle_writer_sends_each_write_at_once():
    collection = GatedCollection()
    collection.open_all()
    writer = GroupWriter(collection)
    for i in range(3):
        await writer.write(clear(f"d{i}"))
    assert collection.writes == [["d0"], ["d1"], ["d2"]]


async def test_a_caller_cancelled_mid_write_neither_stops_nor_repeats_the_others_writes():
    collection = GatedCollection()
    writer = GroupWriter(collection)
    tasks = {"d0": asyncio.create_task(writer.write(clear("d0")))}
    await asyncio.sleep(0.01)
    tasks |= {f"d{i}": asyncio.create_task(writer.write(clear(f"d{i}"))) for i in range(1, 4)}
    await asyncio.sleep(0.01)
    collection.gates[0].set()  # d0's write ends; d1, d2 and d3 go together
    await asyncio.sleep(0.01)
    assert collection.started == [["d0"], ["d1", "d2", "d3"]]
    tasks["d1"].cancel()  # mid-write
    await asyncio.sleep(0.01)
    collection.open_all()
    await asyncio.wait_for(asyncio.gather(tasks["d0"], tasks["d2"], tasks["d3"]), timeout=2)
    assert collection.writes == [["d0"], ["d1", "d2", "d3"]]  # written once, d1's too
    assert tasks["d1"].cancelled()


async def test_a_refused_write_fails_only_its_own_caller():
    collection = GatedCollection(refuse={"dup": 11000, "bad": 2})
    collection.open_all()
    writer = GroupWriter(collection)
    hold = asyncio.create_task(writer.write(clear("first")))
    results = await asyncio.gather(
        writer.insert({"_id": "new"}),
        writer.insert({"_id": "dup"}),
        writer.write(InsertOne({"_id": "bad"})),
        hold,
        return_exceptions=True,
    )
    assert results[0] is True
    assert results[1] is False  # a duplicate key: `insert` says so instead of raising
    assert isinstance(results[2], WriteError) and not isinstance(results[2], DuplicateKeyError)
    assert results[2].code == 2
    assert results[3] is None


async def test_a_failed_command_fails_every_write_in_it_and_the_next_batch_goes_on():
    collection = GatedCollection()
    writer = GroupWriter(collection)
    first = asyncio.create_task(writer.write(clear("d0")))
    await asyncio.sleep(0.01)
    later = [asyncio.create_task(writer.write(clear(f"d{i}"))) for i in (1, 2)]
    await asyncio.sleep(0.01)
    collection.fail_next = AutoReconnect("store gone")
    collection.gates[0].set()
    with pytest.raises(AutoReconnect):
        await first
    collection.open_all()
    await asyncio.gather(*later)
    assert collection.writes == [["d1", "d2"]]


async def test_a_batch_is_never_larger_than_its_limit():
    collection = GatedCollection()
    writer = GroupWriter(collection, max_batch=3)
    tasks = [asyncio.create_task(writer.write(clear(f"d{i}"))) for i in range(8)]
    await asyncio.sleep(0.01)
    collection.open_all()
    await asyncio.gather(*tasks)
    assert [len(w) for w in collection.writes] == [3, 3, 2]


async def test_a_handler_returning_too_few_results_fails_its_callers_instead_of_leaving_them_waiting():
    from shared.batching import Batcher

    async def handle(_key, requests):
        return requests[:-1]

    batcher = Batcher(handle, name="short")
    results = await asyncio.wait_for(
        asyncio.gather(batcher.submit(1), batcher.submit(2), return_exceptions=True), timeout=2
    )
    assert all(isinstance(r, RuntimeError) and "1 results for 2 requests" in str(r) for r in results)
