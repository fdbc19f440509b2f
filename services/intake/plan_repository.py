"""Intake writes the commune directory's dialogue plans and the duties recorded as done."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.clock import iso, utcnow
from shared.contracts import Envelope
from shared.directory import COMMUNES, DEADLINE_MARKS, DIALOGUES, Dialogue, dialogue_document, dialogue_key
from shared.outbox import ensure_outbox_index, outbox_fields


class PlanRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.dialogues = db[DIALOGUES]
        self.communes = db[COMMUNES]
        self.marks = db[DEADLINE_MARKS]

    async def ensure_indexes(self) -> None:
        await self.dialogues.create_index([("commune_id", ASCENDING), ("year", ASCENDING)])
        await self.dialogues.create_index([("status", ASCENDING)])
        await ensure_outbox_index(self.dialogues)
        await self.marks.create_index([("commune_id", ASCENDING), ("dialogue_id", ASCENDING)])

    async def create(self, dialogue: Dialogue, event: Envelope) -> bool:
        try:
            await self.dialogues.insert_one({**dialogue_document(dialogue), **outbox_fields([event])})
        except DuplicateKeyError:
            return False
        return True

    async def replace(
        self, dialogue: Dialogue, expected_version: int, expected_status: str, event: Envelope
    ) -> bool:
        """Store the new version only if nobody changed the plan since it was read."""
        doc = dialogue_document(dialogue)
        key = doc.pop("_id")
        result = await self.dialogues.update_one(
            {
                "_id": key,
                "commune_id": dialogue.commune_id,
                "version": expected_version,
                "status": expected_status,
            },
            {"$set": {**doc, **outbox_fields([event])}},
        )
        return result.modified_count == 1

    async def open_for_submissions(self, commune_id: str, dialogue_id: str) -> None:
        await self.communes.update_one({"_id": commune_id}, {"$set": {"current_dialogue_id": dialogue_id}})

    async def close_for_submissions(self, commune_id: str, dialogue_id: str) -> None:
        """A dialogue that was held, closed or cancelled takes no more submissions."""
        await self.communes.update_one(
            {"_id": commune_id, "current_dialogue_id": dialogue_id}, {"$set": {"current_dialogue_id": None}}
        )

    async def set_calendar(self, commune_id: str, calendar: dict[str, Any]) -> bool:
        """False: no such commune."""
        result = await self.communes.update_one({"_id": commune_id}, {"$set": {"calendar": calendar}})
        return result.matched_count == 1

    async def set_office_holders(self, commune_id: str, holders: dict[str, Any]) -> bool:
        """False: no such commune."""
        result = await self.communes.update_one({"_id": commune_id}, {"$set": {"office_holders": holders}})
        return result.matched_count == 1

    async def delete_draft(self, commune_id: str, dialogue_id: str) -> bool:
        result = await self.dialogues.delete_one(
            {"_id": dialogue_key(commune_id, dialogue_id), "commune_id": commune_id, "status": "draft"}
        )
        return result.deleted_count == 1

    async def mark_done(self, commune_id: str, dialogue_id: str, key: str, by: str, note: str | None) -> bool:
        try:
            await self.marks.insert_one(
                {
                    "_id": f"{dialogue_key(commune_id, dialogue_id)}:{key}",
                    "commune_id": commune_id,
                    "dialogue_id": dialogue_id,
                    "key": key,
                    "by": by,
                    "note": note,
                    "done_at": iso(utcnow()),
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def unmark_done(self, commune_id: str, dialogue_id: str, key: str) -> bool:
        """False: this duty was not recorded as done."""
        result = await self.marks.delete_one(
            {"_id": f"{dialogue_key(commune_id, dialogue_id)}:{key}", "commune_id": commune_id}
        )
        return result.deleted_count == 1
