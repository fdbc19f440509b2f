"""Reporting's meeting records (`reporting_meetings`, one document per commune and dialogue) and
the audit of their edits (reporting's audit trail, `shared.audit`).

A staff change replaces the record's fields in one write conditioned on the revision it was
read at, with its `MeetingRecordedV1` in the same document's outbox; attendance is written on
its own, conditioned on intake's revision, so neither overwrites the other."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.reporting.meeting import record_id
from services.reporting.repository import ITEMS
from shared.clock import utcnow
from shared.contracts import Envelope
from shared.ids import new_id
from shared.outbox import ensure_outbox_index, outbox_fields

MEETINGS = "reporting_meetings"
AUDIT = "reporting_audit"  # reporting's audit trail, `shared.audit.audit_collection("reporting")`
_STATE = (
    "revision",
    "started_at",
    "ended_at",
    "chair",
    "minute_taker",
    "delegates_present",
    "programme",
    "interventions",
    "summaries",
    "public",
    "conclusions",
    "locked",
)
# What says which issue an item belongs to (`documents.common.issue_key`): read without the text
_KEY_FIELDS = {"_id": 1, "id": 1, "cluster_id": 1, "duplicate_of": 1, "tracking_code": 1}
_IN_CHUNK = 5000  # keys per `$in` (on the wire server one of 2,000 took 0.3 s, four of 500 0.7 s)


class MeetingRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.meetings = db[MEETINGS]
        self.audit = db[AUDIT]
        self.items = db[ITEMS]  # the read model, read here by issue for what is published

    async def ensure_indexes(self) -> None:
        await self.meetings.create_index([("commune_id", ASCENDING), ("dialogue_id", ASCENDING)])
        await ensure_outbox_index(self.meetings)

    async def get(self, commune_id: str, dialogue_id: str) -> dict[str, Any] | None:
        return await self.meetings.find_one(
            {"_id": record_id(commune_id, dialogue_id), "commune_id": commune_id}, {"outbox": 0}
        )

    async def items_of_issues(
        self, commune_id: str, dialogue_id: str, keys: Collection[str]
    ) -> list[dict[str, Any]]:
        """The dialogue's items (`_KEY_FIELDS` only) whose cluster, duplicated submission or own
        id is one of `keys`: every item whose issue key is one of them, and maybe others (an item
        of another cluster that duplicates one of them), which the caller leaves out by key.
        One `$in` per field instead of a whole `$or`: the wire server answers each much faster."""
        scope = {"commune_id": commune_id, "dialogue_id": dialogue_id}
        found: dict[str, dict[str, Any]] = {}
        ordered = sorted(keys)
        for start in range(0, len(ordered), _IN_CHUNK):
            chunk = ordered[start : start + _IN_CHUNK]
            for field in ("cluster_id", "duplicate_of", "_id"):
                async for item in self.items.find({**scope, field: {"$in": chunk}}, _KEY_FIELDS):
                    found.setdefault(str(item["_id"]), item)
        return list(found.values())

    async def items_stamp(self, commune_id: str, dialogue_id: str) -> str | None:
        """When the dialogue's items were last routed (the latest `routed_at`, set by every routed
        event, a re-routing too), as a mark of their change; None: none routed yet."""
        cursor = (
            self.items.find(
                {"commune_id": commune_id, "dialogue_id": dialogue_id}, {"_id": 0, "routed_at": 1}
            )
            .sort("routed_at", DESCENDING)
            .limit(1)
        )
        async for item in cursor:
            return str(item.get("routed_at") or "") or None
        return None

    async def items_by_id(
        self, commune_id: str, dialogue_id: str, submission_ids: Collection[str]
    ) -> list[dict[str, Any]]:
        """The items among `submission_ids` that belong to the commune's dialogue (`_KEY_FIELDS`)."""
        query = {
            "commune_id": commune_id,
            "dialogue_id": dialogue_id,
            "_id": {"$in": sorted(set(submission_ids))},
        }
        return await self.items.find(query, _KEY_FIELDS).to_list()

    async def save(self, record: dict[str, Any], expected_revision: int, event: Envelope | None) -> bool:
        """False if the record changed since it was read at `expected_revision`."""
        fields = {k: record[k] for k in _STATE} | (outbox_fields([event]) if event else {})
        key = {"_id": record["_id"], "commune_id": record["commune_id"]}
        if expected_revision == 0:  # the first change: create it, or take over one only attendance made
            try:
                await self.meetings.insert_one({**key, "dialogue_id": record["dialogue_id"], **fields})
                return True
            except DuplicateKeyError:
                result = await self.meetings.update_one(
                    {**key, "revision": {"$exists": False}}, {"$set": fields}
                )
                return result.modified_count == 1
        result = await self.meetings.update_one({**key, "revision": expected_revision}, {"$set": fields})
        return result.modified_count == 1

    async def set_attendance(self, commune_id: str, dialogue_id: str, attendance: dict[str, Any]) -> bool:
        """Keeps the attendance of the latest revision; an older or repeated one changes nothing."""
        key = {"_id": record_id(commune_id, dialogue_id), "commune_id": commune_id}
        try:  # no record yet: one holding only the attendance (no revision: nothing recorded by staff)
            await self.meetings.insert_one({**key, "dialogue_id": dialogue_id, "attendance": attendance})
            return True
        except DuplicateKeyError:
            pass
        result = await self.meetings.update_one(
            {**key, "attendance": {"$exists": False}}, {"$set": {"attendance": attendance}}
        )
        if result.modified_count:
            return True
        result = await self.meetings.update_one(
            {**key, "attendance.revision": {"$lt": attendance["revision"]}},
            {"$set": {"attendance": attendance}},
        )
        return result.modified_count == 1

    async def record_edit(self, commune_id: str, entry: dict[str, Any]) -> None:
        """One audited edit: who, when, the action, its target and the values before and after."""
        await self.audit.insert_one(
            {
                "_id": new_id(),
                "commune_id": commune_id,
                "via": "meeting",
                "at": utcnow(),
                "status": 200,
                **entry,
            }
        )

    async def lock(self, commune_id: str, dialogue_id: str) -> None:
        """The notice is issued: the record is kept as it was concluded."""
        await self.meetings.update_one(
            {"_id": record_id(commune_id, dialogue_id), "commune_id": commune_id, "locked": False},
            {"$set": {"locked": True}},
        )
