"""The look-ups behind linking a submission to earlier ones raising the same issue (in this
dialogue and the commune's earlier ones), over the repeat index (`repeat_index`): every read is
by `_id`, and the reads made at the same moment by concurrent events go together in one query.
Every caller still gets what it would get alone."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.routing import repeat_index
from services.routing.recurrence import Candidate
from shared.batching import Batcher

Doc = dict[str, Any]
# `_id`s asked in one query: bounds a batch's query and reply.
MAX_IDS_PER_READ = 2_000


def candidate_from(doc: dict[str, Any]) -> Candidate:
    """A stored decision as a candidate to compare a new item with."""
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


class IdReads:
    """Documents of one collection read by `_id`; concurrent reads share one `$in` query."""

    def __init__(self, collection: AsyncCollection[Doc]) -> None:
        self._collection = collection
        self._reads: Batcher[tuple[str, ...], dict[str, Doc]] = Batcher(
            self._read_together, name=f"id-reads:{collection.name}"
        )

    async def read(self, ids: Sequence[str]) -> dict[str, Doc]:
        """The documents found among `ids`, by `_id`."""
        if not ids:
            return {}
        return await self._reads.submit(tuple(dict.fromkeys(ids)))

    async def _read_together(self, _key: Hashable, requests: list[tuple[str, ...]]) -> list[dict[str, Doc]]:
        wanted = list(dict.fromkeys(i for ids in requests for i in ids))
        found: dict[str, Doc] = {}
        for start in range(0, len(wanted), MAX_IDS_PER_READ):
            chunk = wanted[start : start + MAX_IDS_PER_READ]
            async for doc in self._collection.find({"_id": {"$in": chunk}}):
                found[doc["_id"]] = doc
        return [{i: found[i] for i in ids if i in found} for ids in requests]


class Repeats:
    """Look-ups in the repeat index (`routing_repeats`): two `_id` reads per new item, and a
    third of one document when it repeats an earlier one, whatever the number of stored items."""

    def __init__(self, repeats: AsyncCollection[Doc], limits: repeat_index.Limits) -> None:
        self._reads = IdReads(repeats)
        self.limits = limits
        # Band-key documents a look-up found over their bound, trimmed by the commune's next
        # stored item (with its own index writes). At most the keys of the look-ups in flight.
        self._to_trim: dict[str, set[str]] = {}

    async def clusters_sharing(
        self,
        commune_id: str,
        keys: Sequence[str],
        hamlet: str | None = None,
        before_clusters_read: Callable[[], None] | None = None,
    ) -> list[repeat_index.Cluster]:
        """The clusters holding the most of the new item's band `keys` (at most
        `limits.clusters_per_lookup`), with the representatives an item of `hamlet` may be
        compared with (their members are read for the matched one only, `with_members`)."""
        key_docs = await self._reads.read([repeat_index.key_id(commune_id, key) for key in keys])
        over = repeat_index.oversized(key_docs.values(), self.limits)
        if over:
            self._to_trim.setdefault(commune_id, set()).update(over)
        ranked = repeat_index.rank_clusters(keys, key_docs, commune_id, self.limits)
        if not ranked:
            return []
        if before_clusters_read is not None:
            before_clusters_read()
        found = await self._reads.read(repeat_index.reads_for(commune_id, ranked))
        return repeat_index.clusters_from(commune_id, ranked, found, hamlet, key_docs, self.limits)

    async def with_members(self, commune_id: str, cluster: repeat_index.Cluster) -> repeat_index.Cluster:
        """`cluster` with its members, read by `_id` (one document)."""
        members_id = repeat_index.members_doc_id(commune_id, cluster.cluster_id)
        found = await self._reads.read([members_id])
        return repeat_index.with_members(cluster, found.get(members_id), self.limits)

    async def cluster(self, commune_id: str, cluster_id: str) -> repeat_index.Cluster | None:
        ids = [
            repeat_index.cluster_doc_id(commune_id, cluster_id),
            repeat_index.members_doc_id(commune_id, cluster_id),
        ]
        return repeat_index.cluster_from(commune_id, cluster_id, await self._reads.read(ids))

    def take_trims(self, commune_id: str) -> set[str]:
        """The band-key documents of the commune to trim with the next index write."""
        return self._to_trim.pop(commune_id, set())
