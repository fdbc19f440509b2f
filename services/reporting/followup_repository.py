"""Reporting's follow-up collections: tasks, their status history, and reminders sent."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.reporting.followup import OPEN, REMINDED
from shared.clock import iso, utcnow
from shared.contracts import Envelope
from shared.outbox import OUTBOX_FIELDS, ensure_outbox_index, outbox_fields

TASKS = "reporting_tasks"
TASK_HISTORY = "reporting_task_history"
REMINDERS = "reporting_task_reminders"
# A task as read: without the outbox's bookkeeping (the writer's host and process id among it),
# which the board and the API never show.
_TASK = {field: 0 for field in OUTBOX_FIELDS}


class FollowUpRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.tasks = db[TASKS]
        self.history = db[TASK_HISTORY]
        self.reminders = db[REMINDERS]

    async def ensure_indexes(self) -> None:
        await self.tasks.create_index(
            [("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("status", ASCENDING)]
        )
        await self.tasks.create_index([("commune_id", ASCENDING), ("office_id", ASCENDING)])
        await self.tasks.create_index([("status", ASCENDING)])
        await self.history.create_index(
            [("commune_id", ASCENDING), ("task_id", ASCENDING), ("at", ASCENDING)]
        )
        for collection in (self.tasks, self.reminders):
            await ensure_outbox_index(collection)

    async def create(self, commune_id: str, task: dict, event: Envelope) -> bool:
        """Inserts a new task with its event. A task opened before (a reissued notice) is kept as
        it is but takes the number the new notice prints (`notice_number`); no event for it."""
        try:
            await self.tasks.insert_one(
                {
                    **task,
                    "commune_id": commune_id,
                    "revision": 0,
                    "created_at": iso(utcnow()),
                    **outbox_fields([event]),
                }
            )
        except DuplicateKeyError:
            if "notice_number" in task:
                await self.tasks.update_one(
                    {"_id": task["_id"], "commune_id": commune_id},
                    {"$set": {"notice_number": task["notice_number"]}},
                )
            return False
        return True

    async def take_over(self, commune_id: str, task_ids: list[str], by: dict) -> int:
        """Marks the earlier tasks `task_ids` taken over by the task `by` names (`superseded_by`,
        `followup.taken_over_by`), keeping their status; a task another took over first keeps that
        one (an older link of the chain), and marking again by the same task only updates what it
        records (a reissued notice's number). Each marked task's revision moves on, so a change
        read before (a scan's escalation, a staff change) is refused. Returns how many changed."""
        if not task_ids:
            return 0
        first_or_same = {
            "$or": [{"superseded_by": {"$exists": False}}, {"superseded_by.task_id": by["task_id"]}]
        }
        # `$and`, not a bare `$or`: nx-27017 applies a bare `$or` to the whole filter
        result = await self.tasks.update_many(
            {"$and": [{"_id": {"$in": task_ids}, "commune_id": commune_id}, first_or_same]},
            {"$set": {"superseded_by": by}, "$inc": {"revision": 1}},
        )
        return result.modified_count

    async def get(self, commune_id: str, task_id: str) -> dict | None:
        return await self.tasks.find_one({"_id": task_id, "commune_id": commune_id}, _TASK)

    async def change_status(self, task: dict, status: str, event: Envelope, entry: dict) -> bool:
        result = await self.tasks.update_one(
            {"_id": task["_id"], "commune_id": task["commune_id"], "revision": task["revision"]},
            {
                "$set": {
                    "status": status,
                    "revision": task["revision"] + 1,
                    "updated_at": entry["at"],
                    **outbox_fields([event]),
                }
            },
        )
        if result.modified_count != 1:
            return False
        await self.history.insert_one(
            {"_id": event.event_id, "commune_id": task["commune_id"], "task_id": task["_id"], **entry}
        )
        return True

    async def for_dialogue(
        self, commune_id: str, dialogue_id: str, submission_ids: Sequence[str] | None = None
    ) -> list[dict]:
        """The dialogue's tasks by id; with `submission_ids`, those that follow one of them up."""
        query: dict[str, Any] = {"commune_id": commune_id, "dialogue_id": dialogue_id}
        if submission_ids is not None:
            query["submission_ids"] = {"$in": list(submission_ids)}
        return await self.tasks.find(query, _TASK).sort("_id", ASCENDING).to_list()

    async def open_tasks(self, limit: int = 5000) -> list[dict]:
        return (
            await self.tasks.find({"status": {"$in": [s.value for s in REMINDED]}}, _TASK)
            .limit(limit)
            .to_list()
        )

    async def unresolved_before(self, commune_id: str, dialogue_ids: list[str]) -> list[dict]:
        """Tasks of earlier dialogues still open: they carry over as long-running (kéo dài)."""
        if not dialogue_ids:
            return []
        query = {
            "commune_id": commune_id,
            "dialogue_id": {"$in": dialogue_ids},
            "status": {"$in": [s.value for s in OPEN]},
        }
        return await self.tasks.find(query, _TASK).to_list()

    async def task_history(self, commune_id: str, task_id: str) -> list[dict]:
        return (
            await self.history.find({"commune_id": commune_id, "task_id": task_id})
            .sort("at", ASCENDING)
            .to_list()
        )

    async def histories(self, commune_id: str, task_ids: list[str]) -> list[dict]:
        """The history entries of several tasks, oldest first."""
        if not task_ids:
            return []
        return (
            await self.history.find({"commune_id": commune_id, "task_id": {"$in": task_ids}})
            .sort("at", ASCENDING)
            .to_list()
        )

    async def record_reminder(self, commune_id: str, reminder_id: str, event: Envelope) -> bool:
        try:
            await self.reminders.insert_one(
                {"_id": reminder_id, "commune_id": commune_id, "at": iso(utcnow()), **outbox_fields([event])}
            )
        except DuplicateKeyError:
            return False
        return True
