"""A dialogue's submissions as reporting needs them before routing has decided them.

Reporting's read model holds an item from its `submission.routed.v1` on (the event carries the
facts of the received submission too). Until then the submission is intake's alone: stored with
`routing_revision` -1 (`logic.accept_submission`), which intake's status consumer raises when it
records the routed event. Reporting lists these (`/internal/v1/.../unrouted`) so that its
documents count the items still being classified, and asks for the received facts of items its
read model holds without them (routed by a routing version whose event did not carry them).

Both reads are bounded and go through an index the wire store uses: `_id`, or the compound
index that leads with `routing_revision` (every field matched with `$eq`: nx-27017 turns a bare
value into an array-containment test no index serves). Unrouted submissions are few, the routing
backlog of one dialogue; the store is not asked to sort them (it would pick the dialogue's index
and read every item of the dialogue), the caller does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from services.intake.repository import SUBMISSIONS
from shared.clock import iso

NOT_ROUTED = -1  # `routing_revision` of a submission whose routing intake has not recorded
# What reporting's read model takes from a received submission (no submitter, no contact).
FIELDS = ("tracking_code", "dialogue_id", "source", "organisation", "kind", "text", "hamlet", "received_at")
PROJECTION = dict.fromkeys(FIELDS, 1)


def received_facts(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored submission as reporting's read model would have it from its received event."""
    facts = {field: doc.get(field) for field in FIELDS}
    received_at = facts["received_at"]
    facts["received_at"] = iso(received_at) if received_at is not None else None
    return {"id": doc["_id"], **facts}


class UnroutedSubmissions:
    def __init__(self, db: AsyncDatabase) -> None:
        self.submissions = db[SUBMISSIONS]

    async def ensure_indexes(self) -> None:
        await self.submissions.create_index(
            [("routing_revision", ASCENDING), ("commune_id", ASCENDING), ("dialogue_id", ASCENDING)]
        )

    async def of_dialogue(self, commune_id: str, dialogue_id: str, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` submissions of the dialogue whose routing is not recorded, in no order."""
        query = {
            "routing_revision": {"$eq": NOT_ROUTED},
            "commune_id": {"$eq": commune_id},
            "dialogue_id": {"$eq": dialogue_id},
        }
        cursor = self.submissions.find(query, PROJECTION).limit(limit)
        return [received_facts(doc) async for doc in cursor]

    async def named(
        self, commune_id: str, dialogue_id: str, submission_ids: Sequence[str]
    ) -> list[dict[str, Any]]:
        """The received facts of the named submissions of the dialogue, routed or not."""
        if not submission_ids:
            return []
        query = {
            "_id": {"$in": list(submission_ids)},
            "commune_id": {"$eq": commune_id},
            "dialogue_id": {"$eq": dialogue_id},
        }
        return [received_facts(doc) async for doc in self.submissions.find(query, PROJECTION)]
