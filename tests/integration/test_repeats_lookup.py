"""Routing's look-up of earlier items in the store: one query while few stored items share a band
key with the new one, the ranked two-step read (keys first, then the best candidates' fields)
beyond MAX_CANDIDATES, and never another commune's items. MAX_CANDIDATES is lowered to 3 here
so that a handful of documents exercises both paths."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import CollectorRegistry

from services.routing import repeats
from services.routing.repository import DecisionRepository
from shared.mongo import StoreOperations, create_client, database

pytestmark = pytest.mark.integration
KEYS = tuple(f"b{band:02d}:k{band}" for band in range(8))


def decision(doc_id: str, shared: int, commune_id: str = "demo") -> dict:
    """A stored decision sharing its first `shared` band keys with KEYS."""
    keys = list(KEYS[:shared]) + [f"b{band:02d}:other-{doc_id}" for band in range(shared, 8)]
    return {
        "_id": doc_id,
        "commune_id": commune_id,
        "dialogue_id": "d",
        "year": 2017,
        "hamlet": "ấp Chợ",
        "topic": 1,
        "tokens": ["duong", "ngap"],
        "cluster_id": doc_id,
        "text": f"Đường ngập ({doc_id})",
        "answer": None,
        "match_keys": keys,
    }


@pytest.fixture
async def store(make_settings, monkeypatch):
    monkeypatch.setattr(repeats, "MAX_CANDIDATES", 3)
    settings = make_settings()
    operations, registry = StoreOperations(), CollectorRegistry()
    operations.register("probe", registry)
    client = create_client(settings, operations)
    repo = DecisionRepository(database(client, settings))

    def finds() -> float:
        return registry.get_sample_value("doithoai_probe_store_operations_total", {"command": "find"}) or 0

    yield repo, finds
    await client.drop_database(settings.mongodb_db)
    await client.close()


async def test_few_sharing_items_are_read_in_one_query_without_the_item_itself_or_another_commune(store):
    repo, finds = store
    await repo.decisions.insert_many(
        [
            decision("a", 1),
            decision("b", 2),
            decision("c", 3),
            decision("self", 8),
            decision("none", 0),
            decision("elsewhere", 8, "other"),
        ]
    )
    before = finds()
    found = await repo.candidates("demo", KEYS, exclude="self")
    assert sorted(c.submission_id for c in found) == ["a", "b", "c"]
    assert finds() - before == 1
    assert {c.text for c in found} == {"Đường ngập (a)", "Đường ngập (b)", "Đường ngập (c)"}


async def test_beyond_max_candidates_the_items_sharing_the_most_keys_are_kept(store):
    repo, finds = store
    await repo.decisions.insert_many(
        [decision(f"s{shared}", shared) for shared in range(1, 8)] + [decision("elsewhere", 8, "other")]
    )
    before = finds()
    found = await repo.candidates("demo", KEYS, exclude="s7")
    assert sorted(c.submission_id for c in found) == ["s4", "s5", "s6"]
    assert finds() - before == 3  # the try for all of them, the keys, the best three's fields


async def test_look_ups_made_together_share_one_query_and_each_gets_its_own_candidates(store, monkeypatch):
    monkeypatch.setattr(repeats, "MAX_CANDIDATES", 10)
    repo, finds = store
    other_keys = tuple(f"b{band:02d}:z{band}" for band in range(8))
    await repo.decisions.insert_many(
        [
            decision("a", 1),
            decision("b", 3),
            decision("self", 8),
            {**decision("z", 0), "match_keys": list(other_keys)},
            decision("elsewhere", 8, "other"),
        ]
    )
    before = finds()
    first, second, third = await asyncio.gather(
        repo.candidates("demo", KEYS, exclude="self"),
        repo.candidates("demo", other_keys, exclude="new"),
        repo.candidates("demo", KEYS, exclude="new"),
    )
    assert finds() - before == 1
    assert sorted(c.submission_id for c in first) == ["a", "b"]
    assert [c.submission_id for c in second] == ["z"]
    assert sorted(c.submission_id for c in third) == ["a", "b", "self"]
    alone = [
        sorted(c.submission_id for c in await repo.candidates("demo", keys, exclude))
        for keys, exclude in ((KEYS, "self"), (other_keys, "new"))
    ]
    assert alone == [["a", "b"], ["z"]]  # the same as each looked up on its own


@pytest.mark.parametrize("max_batch_read, queries", [(5_000, 1), (6, 1 + 3 * 3)])
async def test_look_ups_together_finding_many_items_rank_each_request_as_alone(
    store, monkeypatch, max_batch_read, queries
):
    """Up to MAX_BATCH_READ sharing items: one query for the batch, each request ranked here;
    beyond it, the batch's try and then each request's own try, keys and best fields."""
    monkeypatch.setattr(repeats, "MAX_BATCH_READ", max_batch_read)
    repo, finds = store  # MAX_CANDIDATES is 3
    await repo.decisions.insert_many(
        [decision(f"s{shared}", shared) for shared in range(1, 8)] + [decision("elsewhere", 8, "other")]
    )
    first_keys = KEYS[:1] + tuple(f"b{band:02d}:none" for band in range(1, 8))  # shared by every s item once
    before = finds()
    found = await asyncio.gather(
        repo.candidates("demo", KEYS, exclude="s7"),
        repo.candidates("demo", KEYS, exclude="s1"),
        repo.candidates("demo", first_keys, exclude="new"),
    )
    assert finds() - before == queries
    alone = [
        sorted(c.submission_id for c in await repo.candidates("demo", keys, exclude))
        for keys, exclude in ((KEYS, "s7"), (KEYS, "s1"), (first_keys, "new"))
    ]
    assert [sorted(c.submission_id for c in f) for f in found] == alone
    assert alone == [["s4", "s5", "s6"], ["s5", "s6", "s7"], ["s1", "s2", "s3"]]


async def test_cluster_members_read_together_share_one_query_and_stay_in_their_commune(store):
    repo, finds = store
    await repo.decisions.insert_many(
        [
            {**decision("a1", 0), "cluster_id": "a1"},
            {**decision("a2", 0), "cluster_id": "a1"},
            {**decision("b1", 0), "cluster_id": "b1"},
            {**decision("x", 0, "other"), "cluster_id": "a1"},
        ]
    )
    before = finds()
    together = await asyncio.gather(
        repo.members("demo", "a1"), repo.members("demo", "b1"), repo.members("demo", "none")
    )
    assert finds() - before == 1
    assert [sorted(c.submission_id for c in group) for group in together] == [["a1", "a2"], ["b1"], []]
    alone = [sorted(c.submission_id for c in await repo.members("demo", cluster)) for cluster in ("a1", "b1")]
    assert alone == [["a1", "a2"], ["b1"]]
