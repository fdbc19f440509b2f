"""Routing's own collections: one decision per submission, with its outbox, and the audit trail
of staff changes. `DecisionRepository` is the MongoDB side of the `Decisions` port
(`services/routing/handlers/ports.py`); `DecisionOutbox` publishes what it stored."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from services.routing.recurrence import Candidate
from services.routing.repeats import Repeats
from shared.clock import iso, utcnow
from shared.contracts import Envelope, SubmissionRoutedV1
from shared.group_commit import GroupWriter
from shared.ids import new_id
from shared.outbox import Outbox, ensure_outbox_index, outbox_fields

DECISIONS = "routing_decisions"
CHANGES = "routing_changes"


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
    def __init__(self, db: AsyncDatabase) -> None:
        self.decisions = db[DECISIONS]
        self.changes = db[CHANGES]
        self._decision_inserts = GroupWriter(self.decisions)  # concurrent events' decisions in one command
        self._repeats = Repeats(self.decisions)  # concurrent events' look-ups in one query

    async def ensure_indexes(self) -> None:
        await self.decisions.create_index(
            [("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("topic", ASCENDING)]
        )
        await self.decisions.create_index([("commune_id", ASCENDING), ("needs_review", ASCENDING)])
        await ensure_outbox_index(self.decisions)
        await self.decisions.create_index([("commune_id", ASCENDING), ("cluster_id", ASCENDING)])
        await self.decisions.create_index([("commune_id", ASCENDING), ("match_keys", ASCENDING)])
        await self.changes.create_index([("commune_id", ASCENDING), ("submission_id", ASCENDING)])

    async def candidates(self, commune_id: str, keys: tuple[str, ...], exclude: str) -> list[Candidate]:
        return await self._repeats.candidates(commune_id, keys, exclude)

    async def members(self, commune_id: str, cluster_id: str) -> list[Candidate]:
        return await self._repeats.members(commune_id, cluster_id)

    async def save(
        self,
        decision: SubmissionRoutedV1,
        envelope: Envelope,
        source_event_id: str,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Store the decision with its event; the stored document, or None if this submission
        was already routed."""
        doc = {
            "_id": decision.submission_id,
            "commune_id": envelope.commune_id,
            **decision.model_dump(mode="json"),
            **(extra or {}),
            "source_event_id": source_event_id,
            "decided_at": utcnow(),
            **outbox_fields([envelope]),
        }
        return doc if await self._decision_inserts.insert(doc) else None

    async def get(self, commune_id: str, submission_id: str) -> dict[str, Any] | None:
        return await self.decisions.find_one({"_id": submission_id, "commune_id": commune_id}, {"outbox": 0})

    async def revise(
        self, decision: SubmissionRoutedV1, envelope: Envelope, expected_revision: int, audit: dict[str, Any]
    ) -> bool:
        """Store the next revision and its event, only if nobody revised it meanwhile; the
        audit entry (who, when, why, before and after) is kept under the event's id."""
        result = await self.decisions.update_one(
            {"_id": decision.submission_id, "commune_id": envelope.commune_id, "revision": expected_revision},
            {"$set": {**decision.model_dump(mode="json"), **outbox_fields([envelope])}},
        )
        if result.modified_count != 1:
            return False
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
                    **outbox_fields([envelope]),
                }
            },
        )
        if result.modified_count != 1:
            return False
        await self.changes.insert_one(answer_entry(commune_id, submission_id, decision.answer or "", by, at))
        return True

    async def review_queue(self, commune_id: str, limit: int = 200) -> list[dict[str, Any]]:
        cursor = (
            self.decisions.find(
                {"commune_id": commune_id, "needs_review": True}, {"outbox": 0, "match_keys": 0, "tokens": 0}
            )
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
