"""Issued documents, frozen: number, date, the data they were rendered from and every format."""

from __future__ import annotations

from bson import Binary
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.clock import iso, utcnow
from shared.contracts import Envelope
from shared.outbox import OUTBOX_FIELDS, ensure_outbox_index, outbox_fields

DOCUMENTS = "reporting_documents"
# An issued document as read: without the outbox's bookkeeping (the writer's host and process id
# among it), which the documents list never shows; `_LISTED` without the files either.
_READ = {field: 0 for field in OUTBOX_FIELDS}
_LISTED = _READ | {"files": 0}


class DocumentRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.documents = db[DOCUMENTS]

    async def ensure_indexes(self) -> None:
        await self.documents.create_index(
            [
                ("commune_id", ASCENDING),
                ("dialogue_id", ASCENDING),
                ("kind", ASCENDING),
                ("version", ASCENDING),
            ]
        )
        await ensure_outbox_index(self.documents)

    async def latest_version(self, commune_id: str, dialogue_id: str, kind: str) -> int:
        docs = await self.documents.find(
            {"commune_id": commune_id, "dialogue_id": dialogue_id, "kind": kind}, {"version": 1}
        ).to_list()
        return max((d["version"] for d in docs), default=0)

    async def store(self, doc: dict, files: dict[str, bytes], event: Envelope) -> bool:
        """False if that version was issued meanwhile (the caller takes the next one)."""
        try:
            await self.documents.insert_one(
                {
                    **doc,
                    "files": {fmt: Binary(content) for fmt, content in files.items()},
                    "stored_at": iso(utcnow()),
                    **outbox_fields([event]),
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def get(self, commune_id: str, document_id: str, with_files: bool = False) -> dict | None:
        projection = _READ if with_files else _LISTED
        return await self.documents.find_one({"_id": document_id, "commune_id": commune_id}, projection)

    async def issued_file(self, commune_id: str, document_id: str, fmt: str) -> bytes | None:
        """One format of an issued document, exactly as issued (None: no such document or format)."""
        doc = await self.documents.find_one({"_id": document_id, "commune_id": commune_id}, {"files": 1})
        content = ((doc or {}).get("files") or {}).get(fmt)
        return bytes(content) if content is not None else None

    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict]:
        cursor = self.documents.find({"commune_id": commune_id, "dialogue_id": dialogue_id}, _LISTED).sort(
            [("kind", ASCENDING), ("version", ASCENDING)]
        )
        return await cursor.to_list()
