"""Group commit against the real store: concurrent writes share commands, each caller gets its
own result (a duplicate refused for its caller only), and reporting's read-model merge, now made
of writes that need no result, still gives the same item whatever the order and grouping of
events."""

from __future__ import annotations

import asyncio
import random

import pytest
from prometheus_client import CollectorRegistry

from services.reporting.repository import ItemRepository
from shared.group_commit import GroupWriter
from shared.mongo import StoreOperations, create_client, database

pytestmark = pytest.mark.integration


@pytest.fixture
async def store(make_settings):
    settings = make_settings()
    operations, registry = StoreOperations(), CollectorRegistry()
    operations.register("probe", registry)
    client = create_client(settings, operations)

    def commands(name: str) -> float:
        return registry.get_sample_value("doithoai_probe_store_operations_total", {"command": name}) or 0

    yield database(client, settings), commands
    await client.drop_database(settings.mongodb_db)
    await client.close()


async def test_concurrent_inserts_share_commands_and_only_the_duplicate_is_refused(store):
    db, commands = store
    await db.things.insert_one({"_id": "t7", "commune_id": "demo"})
    writer = GroupWriter(db.things)
    before = commands("insert")
    stored = await asyncio.gather(*(writer.insert({"_id": f"t{i}", "commune_id": "demo"}) for i in range(40)))
    assert stored == [i != 7 for i in range(40)]
    assert commands("insert") - before < 40 / 4
    assert await db.things.count_documents({}) == 40


def received(i: int) -> dict:
    return {
        "dialogue_id": "d",
        "tracking_code": f"DT-{i}",
        "kind": "petition",
        "text": f"Ý kiến {i}",
        "hamlet": "ấp Chợ",
        "received_at": "2026-11-25T06:00:00+00:00",
    }


def routed(i: int, revision: int) -> dict:
    return {
        "dialogue_id": "d",
        "topic": 1 + revision,
        "office_id": f"office-{revision}",
        "routing_revision": revision,
        "routed_at": f"2026-11-25T06:0{revision + 1}:00+00:00",
    }


async def test_read_model_merge_gives_the_same_item_in_any_order_and_grouping(store):
    db, _ = store
    repo = ItemRepository(db)
    events = {
        i: [received(i), routed(i, 0), routed(i, 1), {"office_notified_at": "2026-11-25T06:05:00+00:00"}]
        for i in range(30)
    }
    rng = random.Random(7)
    work = [
        (i, fields) for i, fields_list in events.items() for fields in fields_list for _ in range(2)
    ]  # every event twice
    rng.shuffle(work)
    await asyncio.gather(*(repo.merge("demo", f"s{i}", fields) for i, fields in work))
    for i in range(30):
        item = await db.reporting_items.find_one({"_id": f"s{i}"})
        assert item["routing_revision"] == 1 and item["office_id"] == "office-1" and item["topic"] == 2, item
        assert item["tracking_code"] == f"DT-{i}" and item["office_notified_at"].startswith(
            "2026-11-25T06:05"
        )
    await repo.merge("demo", "s0", routed(0, 0))  # a late copy of an older revision changes nothing
    assert (await db.reporting_items.find_one({"_id": "s0"}))["office_id"] == "office-1"
    await repo.merge("demo", "s0", routed(0, 2))  # a newer one wins
    assert (await db.reporting_items.find_one({"_id": "s0"}))["office_id"] == "office-2"
    assert await db.reporting_items.count_documents({"commune_id": "demo"}) == 30
