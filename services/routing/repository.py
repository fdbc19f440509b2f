"""Routing's own collection: one decision per submission, with its outbox."""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.clock import utcnow
from shared.contracts import Envelope, SubmissionRoutedV1
from shared.outbox import ensure_outbox_index, outbox_fields

DECISIONS = "routing_decisions"


class DecisionRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.decisions = db[DECISIONS]

    async def ensure_indexes(self) -> None:
        await self.decisions.create_index([("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("topic", ASCENDING)])
        await self.decisions.create_index([("commune_id", ASCENDING), ("needs_review", ASCENDING)])
        await ensure_outbox_index(self.decisions)

    async def save(self, decision: SubmissionRoutedV1, envelope: Envelope, source_event_id: str) -> bool:
        """Store the decision with its event; False if this submission was already routed."""
        doc = {
            "_id": decision.submission_id,
            "commune_id": envelope.commune_id,
            **decision.model_dump(mode="json"),
            "source_event_id": source_event_id,
            "decided_at": utcnow(),
            **outbox_fields([envelope]),
        }
        try:
            await self.decisions.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True
