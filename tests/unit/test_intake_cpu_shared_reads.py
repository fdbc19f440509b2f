"""Shared reads (shared.batching.SharedReads) and the directory's commune read through them.

A gated fake read stands in for the store: the tests must hold a read open at will, change what
the store holds while it is on its way and cancel a caller mid-read, which a real store cannot
be made to do on cue."""

from __future__ import annotations

import asyncio

import pytest

from services.demo.seed import demo_commune
from shared.batching import SharedReads
from shared.directory import DirectoryReader, commune_document


class GatedStore:
    """Each read returns what `values` holds for its key when the read is sent; read number k
    waits until the test opens gate k."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}
        self.sent: list[tuple[str, object]] = []  # (key, value as the read found it)
        self.gates = [asyncio.Event() for _ in range(10)]
        self.failing: dict[int, Exception] = {}  # read number -> its error

    async def read(self, key: str) -> object:
        found = self.values.get(key)
        number = len(self.sent)
        self.sent.append((key, found))
        await self.gates[number].wait()
        if number in self.failing:
            raise self.failing[number]
        return found

    def open_all(self) -> None:
        for gate in self.gates:
            gate.set()


async def test_an_idle_reader_sends_each_read_at_once():
    store = GatedStore()
    store.open_all()
    store.values["a"] = 1
    reads = SharedReads(store.read)
    assert [await reads.get("a") for _ in range(3)] == [1, 1, 1]
    assert len(store.sent) == 3


async def test_callers_arriving_during_a_read_share_the_next_one_which_sees_what_they_saw():
    store = GatedStore()
    store.values["a"] = "before"
    reads = SharedReads(store.read)
    first = asyncio.create_task(reads.get("a"))
    await asyncio.sleep(0.01)  # the first read is on its way, holding "before"
    store.values["a"] = "after"  # stored before the next callers asked
    later = [asyncio.create_task(reads.get("a")) for _ in range(5)]
    await asyncio.sleep(0.01)
    assert store.sent == [("a", "before")]  # the later callers wait for the first read to be back
    store.open_all()
    assert await first == "before"
    assert await asyncio.gather(*later) == ["after"] * 5  # never the read sent before they asked
    assert store.sent == [("a", "before"), ("a", "after")]


async def test_reads_of_different_keys_go_concurrently():
    store = GatedStore()
    store.values.update(a=1, b=2)
    reads = SharedReads(store.read)
    tasks = [asyncio.create_task(reads.get("a")), asyncio.create_task(reads.get("b"))]
    await asyncio.sleep(0.01)
    assert [key for key, _ in store.sent] == ["a", "b"]  # b did not wait for a
    store.open_all()
    assert await asyncio.gather(*tasks) == [1, 2]


async def test_a_failed_read_raises_to_each_of_its_callers_and_the_next_call_reads_again():
    store = GatedStore()
    store.values["a"] = 1
    store.failing = {0: ConnectionError("store down"), 1: ConnectionError("still down")}
    reads = SharedReads(store.read)
    first = asyncio.create_task(reads.get("a"))
    await asyncio.sleep(0.01)
    waiting = [asyncio.create_task(reads.get("a")) for _ in range(3)]
    await asyncio.sleep(0.01)
    store.gates[0].set()
    with pytest.raises(ConnectionError):
        await first
    await asyncio.sleep(0.01)
    store.gates[1].set()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    store.open_all()
    assert await reads.get("a") == 1
    assert len(store.sent) == 3


async def test_a_caller_cancelled_mid_read_leaves_the_others_their_result():
    store = GatedStore()
    store.values["a"] = 1
    reads = SharedReads(store.read)
    busy = asyncio.create_task(reads.get("a"))
    await asyncio.sleep(0.01)
    leaving, staying = asyncio.create_task(reads.get("a")), asyncio.create_task(reads.get("a"))
    await asyncio.sleep(0.01)
    leaving.cancel()
    store.open_all()
    assert (await busy, await staying) == (1, 1)
    assert leaving.cancelled()
    assert len(store.sent) == 2


class FakeCommunes:
    def __init__(self, store: GatedStore) -> None:
        self.store = store

    async def find_one(self, query: dict) -> dict | None:
        return await self.store.read(query["_id"])  # type: ignore[return-value]


class FakeDb:
    def __init__(self, store: GatedStore) -> None:
        self.communes = FakeCommunes(store)

    def __getitem__(self, name: str) -> FakeCommunes:
        assert name == "communes"
        return self.communes


async def test_a_dialogue_opened_while_a_commune_read_is_on_its_way_takes_the_next_submission():
    store = GatedStore()
    closed = demo_commune().model_copy(update={"current_dialogue_id": None})
    store.values["demo"] = commune_document(closed)
    directory = DirectoryReader(FakeDb(store))  # type: ignore[arg-type]
    earlier = asyncio.create_task(directory.commune("demo"))
    await asyncio.sleep(0.01)
    store.values["demo"] = commune_document(demo_commune())  # the plan API opened the dialogue
    later = [asyncio.create_task(directory.commune("demo")) for _ in range(3)]
    await asyncio.sleep(0.01)
    store.open_all()
    assert (await earlier).current_dialogue_id is None
    assert {c.current_dialogue_id for c in await asyncio.gather(*later)} == {"demo-2017"}
    assert len(store.sent) == 2  # the three later requests made one read
    assert await directory.commune("missing") is None
