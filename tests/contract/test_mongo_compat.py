"""Every MongoDB operation the code relies on, against the server the tests use.

The same file run with MONGODB_URL pointing at a real MongoDB must pass too: it pins the
subset that behaves alike on both (see shared/mongo.py and shared/outbox.py)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.deployment import Settings
from shared.mongo import create_client, database


@pytest.fixture
async def db(mongodb_url, request):
    settings = Settings(MONGODB_URL=mongodb_url, MONGODB_DB=f"compat_{request.node.name[:40]}")
    client = create_client(settings)
    db = database(client, settings)
    yield db
    await client.drop_database(db.name)
    await client.close()


async def test_insert_and_find_keeps_types(db):
    now = datetime.now(UTC).replace(microsecond=123000)
    await db.c.insert_one(
        {
            "_id": "a",
            "commune_id": "demo",
            "at": now,
            "n": 3,
            "flag": True,
            "sub": {"xs": ["x", "y"]},
            "outbox": [{"event_id": "e1", "payload": {"k": [1]}}],
        }
    )
    doc = await db.c.find_one({"_id": "a", "commune_id": "demo"})
    assert doc["at"] == now and doc["at"].tzinfo is not None
    assert doc["sub"] == {"xs": ["x", "y"]} and doc["outbox"] == [{"event_id": "e1", "payload": {"k": [1]}}]
    assert bool(doc["flag"]) is True
    assert await db.c.find_one({"_id": "a"}, {"outbox": 0}) == {k: v for k, v in doc.items() if k != "outbox"}


async def test_unique_compound_index_raises_duplicate_key(db):
    await db.c.create_index([("commune_id", ASCENDING), ("tracking_code", ASCENDING)], unique=True)
    await db.c.insert_one({"_id": "a", "commune_id": "demo", "tracking_code": "DT-1"})
    await db.c.insert_one({"_id": "b", "commune_id": "other", "tracking_code": "DT-1"})
    with pytest.raises(DuplicateKeyError):
        await db.c.insert_one({"_id": "c", "commune_id": "demo", "tracking_code": "DT-1"})
    with pytest.raises(DuplicateKeyError):
        await db.c.insert_one({"_id": "a", "commune_id": "demo", "tracking_code": "DT-2"})


async def test_guarded_set_moves_forward_only(db):
    await db.c.insert_one({"_id": "a", "commune_id": "demo", "status_rank": 1})
    forward = await db.c.update_one(
        {"_id": "a", "commune_id": "demo", "status_rank": {"$lt": 3}},
        {"$set": {"status_rank": 3, "status": "notified"}},
    )
    back = await db.c.update_one(
        {"_id": "a", "commune_id": "demo", "status_rank": {"$lt": 2}},
        {"$set": {"status_rank": 2, "status": "routed"}},
    )
    assert (forward.modified_count, back.modified_count) == (1, 0)
    assert (await db.c.find_one({"_id": "a"}))["status"] == "notified"


async def test_outbox_pending_query_and_clear(db):
    now = time.time()
    await db.c.create_index([("outbox_pending", ASCENDING), ("outbox_at", ASCENDING)])
    await db.c.insert_one(
        {"_id": "a", "outbox": [{"event_id": "e"}], "outbox_pending": True, "outbox_at": now - 60}
    )
    await db.c.insert_one({"_id": "b"})
    # Set on an existing document, as an update that causes an event does:
    await db.c.update_one(
        {"_id": "b"},
        {
            "$set": {
                "outbox": [{"event_id": "f"}],
                "outbox_pending": True,
                "outbox_at": now + 60,
                "lease": now + 1.5,
            }
        },
    )
    due = (
        await db.c.find({"outbox_pending": True, "outbox_at": {"$lt": now}}, {"outbox": 1})
        .limit(10)
        .to_list()
    )
    assert [d["_id"] for d in due] == ["a"]
    await db.c.update_one(
        {"_id": "a", "outbox_pending": True}, {"$set": {"outbox_pending": False}, "$unset": {"outbox": ""}}
    )
    cleared = await db.c.find_one({"_id": "a"})
    assert "outbox" not in cleared and not cleared["outbox_pending"]
    assert await db.c.count_documents({"outbox_pending": True}) == 1
    assert (
        await db.c.count_documents({"lease": {"$lt": now + 2}}) == 1
        and await db.c.count_documents({"lease": {"$lt": now}}) == 0
    )


async def test_upsert_set_merges_fields_from_any_order(db):
    await db.c.update_one(
        {"_id": "i", "commune_id": "demo"},
        {"$set": {"topic": 3, "routed_at": "2026-01-02T00:00:00.000000Z", "ids": ["x"]}},
        upsert=True,
    )
    await db.c.update_one(
        {"_id": "i", "commune_id": "demo"},
        {"$set": {"text": "t", "received_at": "2026-01-01T00:00:00.000000Z"}},
        upsert=True,
    )
    await db.c.update_one(
        {"_id": "j", "commune_id": "demo"},
        {"$set": {"received_at": "2025-12-31T00:00:00.000000Z"}},
        upsert=True,
    )
    doc = await db.c.find_one({"_id": "i"})
    assert doc == {
        "_id": "i",
        "commune_id": "demo",
        "topic": 3,
        "routed_at": "2026-01-02T00:00:00.000000Z",
        "ids": ["x"],
        "text": "t",
        "received_at": "2026-01-01T00:00:00.000000Z",
    }
    order = await db.c.find({"commune_id": "demo"}).sort("received_at", ASCENDING).to_list()
    assert [d["_id"] for d in order] == ["j", "i"]


async def test_replace_upsert_is_idempotent(db):
    for name in ("x", "y"):
        await db.c.replace_one(
            {"_id": "demo"}, {"_id": "demo", "name": name, "offices": [{"id": "a"}]}, upsert=True
        )
    assert await db.c.count_documents({}) == 1
    assert (await db.c.find_one({"_id": "demo"}))["name"] == "y"


async def test_inc_and_ttl_index(db):
    await db.c.insert_one({"_id": "n", "attempts": 0})
    await db.c.update_one({"_id": "n"}, {"$inc": {"attempts": 1}})
    await db.c.update_one({"_id": "n"}, {"$inc": {"attempts": 1}})
    assert (await db.c.find_one({"_id": "n"}))["attempts"] == 2
    await db.p.create_index([("processed_at", ASCENDING)], expireAfterSeconds=3600)
    await db.p.insert_one({"_id": "e1", "processed_at": datetime.now(UTC)})
    assert await db.p.find_one({"_id": "e1"}, {"_id": 1}) == {"_id": "e1"}


async def test_ping(db):
    assert (await db.command("ping"))["ok"]


async def test_revision_guard_with_or_exists_and_array_in(db):
    await db.c.insert_one({"_id": "a", "commune_id": "demo"})
    await db.c.insert_one({"_id": "b", "commune_id": "demo", "rev": 2, "keys": ["k1", "k2"]})
    older = lambda rev: {"$or": [{"rev": {"$lt": rev}}, {"rev": {"$exists": False}}]}  # noqa: E731
    assert (await db.c.update_one({"_id": "a", **older(0)}, {"$set": {"rev": 0}})).matched_count == 1
    assert (await db.c.update_one({"_id": "b", **older(1)}, {"$set": {"rev": 1}})).matched_count == 0
    # Array fields are matched with $in (the wire server does not match a bare value against an array).
    found = await db.c.find({"commune_id": "demo", "keys": {"$in": ["k2", "zz"]}}, {"_id": 1}).to_list()
    assert found == [{"_id": "b"}]
    assert (await db.c.delete_one({"_id": "a", "commune_id": "demo"})).deleted_count == 1


async def test_binary_files_and_concurrent_counter(db):
    import asyncio

    from bson import Binary
    from pymongo import ReturnDocument

    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 400
    await db.d.insert_one(
        {"_id": "doc", "files": {"pdf": Binary(pdf), "html": Binary("Số 05-TB/ĐU".encode())}}
    )
    stored = await db.d.find_one({"_id": "doc"})
    assert bytes(stored["files"]["pdf"]) == pdf and bytes(stored["files"]["html"]).decode() == "Số 05-TB/ĐU"

    async def next_number() -> int:
        doc = await db.counters.find_one_and_update(
            {"_id": "demo:2015-2020:TB", "commune_id": "demo"},
            {"$inc": {"seq": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        return doc["seq"]

    numbers = await asyncio.gather(*(next_number() for _ in range(20)))
    assert sorted(numbers) == list(range(1, 21))


async def test_an_or_beside_other_conditions_is_wrapped_in_and(db):
    """nx-27017 0.8.1 applies a bare `$or` to the whole filter: `{_id: "b", $or: [..., {f: {$exists:
    false}}]}` updated document "a" (found by a flaky follow-up board, 2026-11-25). Wrapped in
    `$and`, as reporting's read model and intake's follow-up facts write it, only "b" changes; on
    real MongoDB both forms mean the same."""
    await db.o.insert_many(
        [{"_id": "a", "commune_id": "demo", "v": "a"}, {"_id": "b", "commune_id": "demo", "v": "b"}]
    )
    older = {"$or": [{"rev": {"$lt": 0}}, {"rev": {"$exists": False}}]}
    result = await db.o.update_one(
        {"$and": [{"_id": "b", "commune_id": "demo"}, older]}, {"$set": {"v": "b2", "rev": 0}}
    )
    assert result.matched_count == 1
    assert {d["_id"]: d["v"] for d in await db.o.find({}).to_list()} == {"a": "a", "b": "b2"}
    again = await db.o.update_one(
        {"$and": [{"_id": "b", "commune_id": "demo"}, older]}, {"$set": {"v": "b3"}}
    )
    assert again.matched_count == 0  # rev 0 is not older than 0
    insert_many_errors = None
    try:
        await db.o.insert_many(
            [{"_id": "a", "commune_id": "demo"}, {"_id": "c", "commune_id": "demo"}], ordered=False
        )
    except Exception as exc:  # noqa: BLE001 - the bulk import relies on the shape of this error
        insert_many_errors = exc.details["writeErrors"]
    assert [(e["index"], e["code"]) for e in insert_many_errors] == [
        (0, 11000)
    ] and await db.o.count_documents({"_id": "c"}) == 1
    assert (
        await db.o.update_many({"_id": {"$in": ["a", "c"]}}, {"$set": {"seen": True}})
    ).modified_count == 2


async def test_facet_of_groups_counts_several_ways_in_one_round_trip(db):
    """The staff dashboards count in one `$facet` of single-field `$group`s; nx-27017 takes no
    compound group key (`{_id: {a: "$a", b: "$b"}}` comes back as the literal), so none is used."""
    await db.f.insert_many(
        [
            {
                "_id": str(i),
                "commune_id": "demo",
                "status": "routed" if i % 2 else "received",
                "topic": i % 3,
                "needs_review": i == 0,
            }
            for i in range(6)
        ]
    )
    cursor = await db.f.aggregate(
        [
            {"$match": {"commune_id": "demo"}},
            {
                "$facet": {
                    "status": [{"$group": {"_id": "$status", "n": {"$sum": 1}}}],
                    "review": [
                        {"$match": {"needs_review": {"$in": [True, 1]}}},
                        {"$group": {"_id": "$needs_review", "n": {"$sum": 1}}},
                    ],
                }
            },
        ]
    )
    [row] = await cursor.to_list()
    assert {g["_id"]: g["n"] for g in row["status"]} == {"routed": 3, "received": 3}
    assert sum(g["n"] for g in row["review"]) == 1
