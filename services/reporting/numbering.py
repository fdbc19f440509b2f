"""Document numbers: from 01 per document type per Party committee term (HD 36-HD/VPTW),
never repeated, also when two offices issue at the same moment (one atomic `$inc`)."""

from __future__ import annotations

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

COUNTERS = "reporting_counters"


class DocumentNumbers:
    def __init__(self, db: AsyncDatabase) -> None:
        self.counters = db[COUNTERS]

    async def next(self, commune_id: str, term: str, type_code: str) -> int:
        key = {"_id": f"{commune_id}:{term}:{type_code}", "commune_id": commune_id}
        try:
            doc = await self.counters.find_one_and_update(
                key, {"$inc": {"seq": 1}}, upsert=True, return_document=ReturnDocument.AFTER
            )
        except DuplicateKeyError:  # two first-ever upserts raced; the counter exists now
            doc = await self.counters.find_one_and_update(
                key, {"$inc": {"seq": 1}}, return_document=ReturnDocument.AFTER
            )
        if doc is None:  # an upsert always returns the document
            raise RuntimeError(f"counter {key['_id']} vanished")
        return int(doc["seq"])


def document_code(number: int | None, type_code: str) -> str:
    """`05-TB/ĐU`; an unnumbered document prints blanks for the number."""
    return f"{number:02d}-{type_code}/ĐU" if number is not None else f"    -{type_code}/ĐU"
