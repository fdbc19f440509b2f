"""Routing's own collections: one decision per submission, with its outbox, the audit trail of
staff changes, and the repeat index (`repeat_index`) kept up to date with the decisions.
`DecisionRepository` is the MongoDB side of the `Decisions` port
(`services/routing/handlers/ports.py`); `DecisionOutbox` publishes what it stored."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from pymongo import ASCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, WriteError

from services.routing import repeat_index
from services.routing.repeats import Repeats
from shared.batching import Batcher
from shared.clock import iso, utcnow
from shared.contracts import Envelope, SubmissionRoutedV1
from shared.group_commit import GroupWriter
from shared.ids import new_id
from shared.mongo import Collection
from shared.outbox import OUTBOX_FIELDS, Outbox, ensure_outbox_index, outbox_fields

DECISIONS = "routing_decisions"
CHANGES = "routing_changes"
REPEATS = "routing_repeats"  # the repeat index (`repeat_index`)
_ITEM_FIELDS = {
    k: 1
    for k in (
        "dialogue_id",
        "year",
        "hamlet",
        "topic",
        "text",
        "cluster_id",
        "match_keys",
        "tokens",
        "match_places",
        "decided_at",
    )
}
# What a decision keeps only for matching: never shown in a list.
_UNSHOWN = {**dict.fromkeys(OUTBOX_FIELDS, 0), "match_keys": 0, "tokens": 0, "match_places": 0}
log = logging.getLogger(__name__)
# Server codes of a duplicate key (those PyMongo raises as DuplicateKeyError): an upsert racing
# another change's for the same index document; not reported as a failed write.
_DUPLICATE_KEY_CODES = frozenset({11000, 11001, 12582})
MAX_CHANGES_PER_COMMAND = 50  # about 1,000 index writes


def _outbox_of(envelope: Envelope) -> dict[str, Any]:
    """The outbox of a decision document, which holds the event's payload as its own fields."""
    return outbox_fields([envelope], payloads_in_document=True)


class IndexWriter:
    """The index writes of concurrent stored changes in one unordered bulk command (group
    commit, as `shared.group_commit.GroupWriter`): each change hands over all its writes as one
    request, so a change costs one waiting caller, not one task per write. Every change gets
    back, per write, the store's error, or None when the write was applied; a command that
    failed as a whole raises to every change in it."""

    def __init__(self, collection: Collection) -> None:
        self._collection = collection
        self._batches: Batcher[list[UpdateOne], list[dict[str, Any] | None]] = Batcher(
            self._write, max_batch=MAX_CHANGES_PER_COMMAND, name=f"group-commit:{collection.name}"
        )

    async def write(self, ops: list[UpdateOne]) -> list[dict[str, Any] | None]:
        return await self._batches.submit(ops)

    async def _write(
        self, _key: Hashable, changes: list[list[UpdateOne]]
    ) -> Sequence[list[dict[str, Any] | None]]:
        refused: dict[int, dict[str, Any]] = {}
        try:
            await self._collection.bulk_write([op for ops in changes for op in ops], ordered=False)
        except BulkWriteError as exc:
            refused = {error["index"]: error for error in exc.details.get("writeErrors", ())}
        results, start = [], 0
        for ops in changes:
            results.append([refused.get(i) for i in range(start, start + len(ops))])
            start += len(ops)
        return results


def answer_entry(commune_id: str, submission_id: str, text: str, by: str, at: str) -> dict[str, Any]:
    """The change log's entry for an answer recorded on a decision."""
    return {
        "_id": new_id(),
        "commune_id": commune_id,
        "submission_id": submission_id,
        "action": "answer",
        "by": by,
        "reason": text,
        "at": at,
    }


class DecisionRepository:
    def __init__(self, db: AsyncDatabase, limits: repeat_index.Limits | None = None) -> None:
        self.decisions = db[DECISIONS]
        self.changes = db[CHANGES]
        self.repeats = db[REPEATS]
        self._decision_inserts = GroupWriter(self.decisions)  # concurrent events' decisions in one command
        self._index_writes = IndexWriter(self.repeats)  # concurrent events' index writes in one command
        self._repeats = Repeats(self.repeats, limits or repeat_index.Limits())  # reads by `_id`, together

    async def ensure_indexes(self) -> None:
        await self.decisions.create_index(
            [("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("topic", ASCENDING)]
        )
        await self.decisions.create_index([("commune_id", ASCENDING), ("needs_review", ASCENDING)])
        await ensure_outbox_index(self.decisions)
        await self.changes.create_index([("commune_id", ASCENDING), ("submission_id", ASCENDING)])
        await self.build_index()

    async def build_index(self, chunk: int = 5_000) -> int:
        """Build the repeat index from the stored decisions when it is empty (a store from
        before the index): once, at start-up, in decision order; how many were indexed. Two
        processes building at once write the same documents, and one of each is kept."""
        if await self.repeats.find_one({}, {"_id": 1}) is not None:
            return 0
        docs: dict[str, dict[str, Any]] = {}
        limits, indexed = self._repeats.limits, 0
        fields = _ITEM_FIELDS | {"commune_id": 1, "duplicate_of": 1}
        cursor = self.decisions.find({"match_keys": {"$exists": True}}, fields).sort(
            [("decided_at", ASCENDING), ("_id", ASCENDING)]
        )
        async for doc in cursor:
            item = repeat_index.Item.of(doc)
            keys = [repeat_index.key_id(doc["commune_id"], key) for key in item.keys]
            trims = repeat_index.oversized((docs[k] for k in keys if k in docs), limits)
            for write in repeat_index.index_writes(doc["commune_id"], item, limits, trims):
                repeat_index.apply(docs, write)
            indexed += 1
        built = list(docs.values())
        for start in range(0, len(built), chunk):
            try:
                await self.repeats.insert_many(built[start : start + chunk], ordered=False)
            except BulkWriteError:  # another process built the same documents meanwhile
                log.info("repeat index partly built by another process")
        return indexed

    async def clusters_sharing(
        self,
        commune_id: str,
        keys: tuple[str, ...],
        hamlet: str | None = None,
        before_clusters_read: Callable[[], None] | None = None,
    ) -> list[repeat_index.Cluster]:
        return await self._repeats.clusters_sharing(commune_id, keys, hamlet, before_clusters_read)

    async def cluster(self, commune_id: str, cluster_id: str) -> repeat_index.Cluster | None:
        return await self._repeats.cluster(commune_id, cluster_id)

    async def with_members(self, commune_id: str, cluster: repeat_index.Cluster) -> repeat_index.Cluster:
        return await self._repeats.with_members(commune_id, cluster)

    async def _write_index(self, writes: list[repeat_index.Write]) -> None:
        """The index writes of one stored change, in one command with other events' writes. A
        write the store refuses is logged, not raised: the decision is stored and published
        either way; only later repeats may miss this item."""
        if not writes:
            return
        try:
            errors = await self._index_writes.write(
                [UpdateOne(where, update, upsert=upsert) for where, update, upsert in writes]
            )
        except Exception as exc:  # the whole command failed: every write of this change with it
            log.warning("repeat index writes failed", extra={"failed": len(writes), "error": repr(exc)})
            return
        failed = [e for e in errors if e is not None and e.get("code") not in _DUPLICATE_KEY_CODES]
        if failed:
            first = WriteError(failed[0].get("errmsg", "write refused"), failed[0].get("code"), failed[0])
            log.warning("repeat index writes failed", extra={"failed": len(failed), "error": repr(first)})

    async def _index(self, commune_id: str, doc: dict[str, Any], held: repeat_index.Held) -> None:
        item = repeat_index.Item.of(doc)
        trims = self._repeats.take_trims(commune_id)
        limits = self._repeats.limits
        await self._write_index(repeat_index.index_writes(commune_id, item, limits, trims, held))

    async def save(
        self,
        decision: SubmissionRoutedV1,
        envelope: Envelope,
        source_event_id: str,
        extra: dict[str, Any] | None = None,
        held: repeat_index.Held = repeat_index.Held(),
    ) -> dict[str, Any] | None:
        """Store the decision with its event (`envelope`, which wraps `decision`), and its index
        entry (less what `held` shows the index holds already); the stored document, or None if
        this submission was already routed."""
        doc = {
            "_id": decision.submission_id,
            "commune_id": envelope.commune_id,
            **envelope.payload,
            **(extra or {}),
            "source_event_id": source_event_id,
            "decided_at": utcnow(),
            **_outbox_of(envelope),
        }
        if not await self._decision_inserts.insert(doc):
            return None  # stored before: so was its index entry
        await self._index(envelope.commune_id, doc, held)
        return doc

    async def get(self, commune_id: str, submission_id: str) -> dict[str, Any] | None:
        return await self.decisions.find_one({"_id": submission_id, "commune_id": commune_id}, {"outbox": 0})

    async def revise(
        self, decision: SubmissionRoutedV1, envelope: Envelope, expected_revision: int, audit: dict[str, Any]
    ) -> bool:
        """Store the next revision and its event, only if nobody revised it meanwhile; the
        audit entry (who, when, why, before and after) is kept under the event's id."""
        before = await self.decisions.find_one_and_update(
            {"_id": decision.submission_id, "commune_id": envelope.commune_id, "revision": expected_revision},
            {"$set": {**decision.model_dump(mode="json"), **_outbox_of(envelope)}},
            projection=_ITEM_FIELDS,
            return_document=ReturnDocument.BEFORE,
        )
        if before is None:
            return False
        commune_id, old_cluster = envelope.commune_id, before.get("cluster_id") or before["_id"]
        new_cluster = decision.cluster_id or decision.submission_id
        if new_cluster != old_cluster:  # merged into another issue: the index follows
            item = repeat_index.Item.of(
                {**before, "cluster_id": new_cluster, "duplicate_of": decision.duplicate_of}
            )
            await self._write_index(
                repeat_index.leave_writes(commune_id, decision.submission_id, old_cluster)
                + repeat_index.index_writes(commune_id, item, self._repeats.limits)
            )
        await self.changes.insert_one(
            {
                "_id": envelope.event_id,
                "commune_id": envelope.commune_id,
                "submission_id": decision.submission_id,
                **audit,
            }
        )
        return True

    async def record_answer(
        self, decision: SubmissionRoutedV1, envelope: Envelope, expected_revision: int, by: str
    ) -> bool:
        """The revision carrying the answer, with its event, only if nobody revised it meanwhile."""
        at = iso(utcnow())
        commune_id, submission_id = envelope.commune_id, decision.submission_id
        result = await self.decisions.update_one(
            {"_id": submission_id, "commune_id": commune_id, "revision": expected_revision},
            {
                "$set": {
                    **decision.model_dump(mode="json"),
                    "answered_by": by,
                    "answered_at": at,
                    **_outbox_of(envelope),
                }
            },
        )
        if result.modified_count != 1:
            return False
        cluster_id = decision.cluster_id or submission_id
        await self._write_index(
            [repeat_index.answer_write(commune_id, submission_id, cluster_id, decision.answer or "")]
        )
        await self.changes.insert_one(answer_entry(commune_id, submission_id, decision.answer or "", by, at))
        return True

    async def review_queue(self, commune_id: str, limit: int = 200) -> list[dict[str, Any]]:
        cursor = (
            self.decisions.find({"commune_id": commune_id, "needs_review": True}, _UNSHOWN)
            .sort("decided_at", ASCENDING)
            .limit(limit)
        )
        return await cursor.to_list()

    async def change_log(self, commune_id: str, submission_id: str) -> list[dict[str, Any]]:
        return (
            await self.changes.find({"commune_id": commune_id, "submission_id": submission_id})
            .sort("at", ASCENDING)
            .to_list()
        )


class DecisionOutbox:
    """The events stored with routing's decisions, published through the service's outbox."""

    def __init__(self, outbox: Outbox, repo: DecisionRepository) -> None:
        self._outbox, self._decisions = outbox, repo.decisions

    async def publish_saved(self, stored: dict[str, Any]) -> None:
        await self._outbox.publish_written(self._decisions, stored)

    async def flush(self, commune_id: str, submission_id: str) -> None:
        await self._outbox.flush_document(self._decisions, commune_id, submission_id)
