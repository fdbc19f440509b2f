"""The grouping of outbox clears (shared.outbox._Clears). A fake collection stands in for the
store here: the test must hold a bulk write open at will and cancel its caller mid-write, which a
real store cannot be made to do on cue (the real store's grouping is tested in
tests/integration/test_messaging.py)."""

from __future__ import annotations

import asyncio

from shared.outbox import _Clears


class GatedCollection:
    """Records each bulk write's ids; write number k waits until the test opens gate k."""

    def __init__(self) -> None:
        self.started: list[list[str]] = []
        self.writes: list[list[str]] = []
        self.gates = [asyncio.Event() for _ in range(10)]

    async def bulk_write(self, updates, ordered: bool) -> None:
        ids = [u._filter["_id"] for u in updates]
        gate = self.gates[len(self.started)]
        self.started.append(ids)
        await gate.wait()
        self.writes.append(ids)

    def open_all(self) -> None:
        for gate in self.gates:
            gate.set()


async def test_clears_arriving_during_a_write_go_together_in_the_next_one():
    collection = GatedCollection()
    clears = _Clears(collection)
    tasks = [asyncio.create_task(clears.clear(f"d{i}", 1.0)) for i in range(10)]
    await asyncio.sleep(0.01)  # d0 is being written; d1..d9 wait
    collection.open_all()
    await asyncio.gather(*tasks)
    assert collection.writes == [["d0"], [f"d{i}" for i in range(1, 10)]]


async def test_a_writer_cancelled_mid_write_leaves_the_others_clears_to_the_next_writer():
    collection = GatedCollection()
    clears = _Clears(collection)
    tasks = {f"d{i}": asyncio.create_task(clears.clear(f"d{i}", 1.0)) for i in range(4)}
    await asyncio.sleep(0.01)
    collection.gates[0].set()  # d0's own write ends; d1 writes d1, d2 and d3 together
    await asyncio.sleep(0.01)
    assert collection.started == [["d0"], ["d1", "d2", "d3"]]
    tasks["d1"].cancel()  # mid-write
    await asyncio.sleep(0.01)
    collection.open_all()
    await asyncio.wait_for(asyncio.gather(tasks["d0"], tasks["d2"], tasks["d3"]), timeout=2)
    assert collection.writes[-1] == ["d2", "d3"]  # written again by the next writer
