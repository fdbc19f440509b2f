"""The look-ups behind linking a submission to earlier ones raising the same issue (in this
dialogue and the commune's earlier ones): stored items sharing a fingerprint band key, and a
cluster's members, read from routing's decisions. Look-ups made at the same moment in one commune
go together in one query; every caller still gets what it would get alone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.collection import AsyncCollection

from services.routing.recurrence import Candidate
from shared.batching import Batcher

_FIELDS = {
    "dialogue_id": 1,
    "year": 1,
    "hamlet": 1,
    "topic": 1,
    "tokens": 1,
    "cluster_id": 1,
    "text": 1,
    "answer": 1,
}
MAX_CANDIDATES = 500
MAX_SCANNED = 20_000  # key lists read to rank candidates; a commune stores far fewer items
# Items read with their fields and keys for a batch of look-ups: bounds routing's memory; beyond
# it each look-up goes on its own.
MAX_BATCH_READ = 5_000


def candidate_from(doc: dict[str, Any]) -> Candidate:
    return Candidate(
        submission_id=doc["_id"],
        dialogue_id=doc["dialogue_id"],
        year=doc.get("year") or 0,
        hamlet=doc.get("hamlet"),
        topic=doc["topic"],
        tokens=frozenset(doc.get("tokens") or ()),
        cluster_id=doc.get("cluster_id") or doc["_id"],
        text=doc["text"],
        answer=doc.get("answer"),
    )


class Repeats:
    def __init__(self, decisions: AsyncCollection[dict[str, Any]]) -> None:
        self._decisions = decisions
        # Look-ups of one commune made while another is on its way go together in one query: a
        # store that serves `match_keys` without an index scans the commune's decisions once per
        # batch instead of once per event.
        self._lookups: Batcher[tuple[tuple[str, ...], str], list[Candidate]] = Batcher(
            self._look_up_together, name="repeats"
        )
        self._member_reads: Batcher[str, list[Candidate]] = Batcher(
            self._members_together, name="cluster-members"
        )

    async def members(self, commune_id: str, cluster_id: str) -> list[Candidate]:
        """The stored items of a cluster (the first MAX_CANDIDATES), read together with other
        events' clusters in the same commune at the same moment."""
        return await self._member_reads.submit(cluster_id, key=commune_id)

    async def _members_of(self, commune_id: str, cluster_id: str) -> list[Candidate]:
        cursor = (
            self._decisions.find({"commune_id": commune_id, "cluster_id": cluster_id}, _FIELDS)
            .sort("decided_at", ASCENDING)
            .limit(MAX_CANDIDATES)
        )
        return [candidate_from(d) async for d in cursor]

    async def _members_together(
        self, key: Hashable, cluster_ids: list[str]
    ) -> list[list[Candidate] | BaseException]:
        """One query for the batch's clusters; beyond MAX_CANDIDATES items in all, each cluster
        is read on its own (its first MAX_CANDIDATES by decision time), as without grouping."""
        commune_id = str(key)
        if len(cluster_ids) == 1:
            return [await self._members_of(commune_id, cluster_ids[0])]
        wanted = sorted(set(cluster_ids))
        found = (
            await self._decisions.find(
                {"commune_id": commune_id, "cluster_id": {"$in": wanted}}, {**_FIELDS, "decided_at": 1}
            )
            .limit(MAX_CANDIDATES + 1)
            .to_list()
        )
        if len(found) > MAX_CANDIDATES:
            return [await self._members_of(commune_id, cluster_id) for cluster_id in cluster_ids]
        found.sort(key=lambda doc: str(doc.get("decided_at")))
        by_cluster: dict[str, list[Candidate]] = {}
        for doc in found:
            by_cluster.setdefault(doc.get("cluster_id") or doc["_id"], []).append(candidate_from(doc))
        return [by_cluster.get(cluster_id, []) for cluster_id in cluster_ids]

    async def candidates(self, commune_id: str, keys: tuple[str, ...], exclude: str) -> list[Candidate]:
        """The stored items sharing the most band keys with the new one (like InMemoryIndex),
        looked up together with other events' look-ups in the same commune at the same moment."""
        return await self._lookups.submit((keys, exclude), key=commune_id)

    async def _look_up_together(
        self, key: Hashable, requests: list[tuple[tuple[str, ...], str]]
    ) -> list[list[Candidate] | BaseException]:
        """The candidates each request would get on its own (`_candidates_of`), for a batch: one
        query reads every item sharing a key with the batch, with its keys, and each request gets
        those sharing one of its own keys, ranked here (`_choose`) beyond MAX_CANDIDATES. A store
        that scans the commune's decisions per query then scans once per batch, not per request.
        Only beyond MAX_BATCH_READ sharing items is each request looked up on its own."""
        commune_id = str(key)
        if len(requests) > 1:
            every_key = sorted({key for keys, _ in requests for key in keys})
            sharing = {"commune_id": commune_id, "match_keys": {"$in": every_key}}
            found = (
                await self._decisions.find(sharing, {**_FIELDS, "match_keys": 1})
                .limit(MAX_BATCH_READ + 1)
                .to_list()
            )
            if len(found) <= MAX_BATCH_READ:
                chosen = _choose(
                    requests, [doc["_id"] for doc in found], [doc.get("match_keys") or () for doc in found]
                )
                built = {i: candidate_from(found[i]) for i in set().union(*chosen)}
                return [[built[i] for i in indices] for indices in chosen]
        return [await self._candidates_of(commune_id, keys, exclude) for keys, exclude in requests]

    async def _candidates_of(self, commune_id: str, keys: tuple[str, ...], exclude: str) -> list[Candidate]:
        """The stored items sharing the most band keys with the new one (like InMemoryIndex).
        Usually no more than MAX_CANDIDATES share any: one query then reads them all with the
        fields scoring needs. Beyond that they are ranked (`_choose`): first only their keys are
        read, then the full fields of the best MAX_CANDIDATES, so no document is read twice."""
        sharing = {"commune_id": commune_id, "match_keys": {"$in": list(keys)}}
        found = await self._decisions.find(sharing, _FIELDS).limit(MAX_CANDIDATES + 2).to_list()
        others = [d for d in found if d["_id"] != exclude]
        if len(found) < MAX_CANDIDATES + 2 and len(others) <= MAX_CANDIDATES:  # every one of them
            return [candidate_from(d) for d in others]
        cursor = self._decisions.find(sharing, {"match_keys": 1}).limit(MAX_SCANNED)
        keyed = [(doc["_id"], doc.get("match_keys") or ()) async for doc in cursor]
        ids = [doc_id for doc_id, _ in keyed]
        [best] = _choose([(keys, exclude)], ids, [doc_keys for _, doc_keys in keyed])
        if not best:
            return []
        cursor = self._decisions.find(
            {"commune_id": commune_id, "_id": {"$in": [ids[i] for i in best]}}, _FIELDS
        )
        return [candidate_from(d) async for d in cursor]


def _choose(
    requests: list[tuple[tuple[str, ...], str]], ids: list[str], doc_keys: list[Iterable[str]]
) -> list[list[int]]:
    """For each (keys, exclude) request, the positions (in the order read) of the stored items
    sharing one of its keys, never its own; when more than MAX_CANDIDATES do, those sharing the
    most keys (ties by id), as InMemoryIndex ranks them. Through an index of the items by key,
    so a request costs what its keys share, not what the batch read."""
    postings: dict[str, list[int]] = {}
    for index, keys in enumerate(doc_keys):
        for key in dict.fromkeys(keys):
            postings.setdefault(key, []).append(index)
    chosen = []
    for keys, exclude in requests:
        shared = Counter(i for key in dict.fromkeys(keys) for i in postings.get(key, ()))
        mine = [i for i in shared if ids[i] != exclude]
        if len(mine) > MAX_CANDIDATES:
            mine = sorted(mine, key=lambda i: (-shared[i], ids[i]))[:MAX_CANDIDATES]
        chosen.append(sorted(mine))
    return chosen
