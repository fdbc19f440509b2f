"""Group commit: the writes a busy process makes to one collection, sent together.

While one bulk write is on its way to the store, the writes that arrive wait and go together in
the next one, so a process under load sends one command per round trip instead of one per
document, and an idle one sends each write at once. Every caller still returns only once its own
write is stored (or raises its own error), so "nothing is acknowledged before it is stored"
holds as with single writes.

Why: a command costs the store far more than one more document in it (on real MongoDB each
command is a round trip and a journal commit; on the wire-protocol store used in tests, most of
its CPU per write).

The bulk write runs in a task of its own (`shared.batching.Batcher`): a caller cancelled
meanwhile leaves the others' writes to finish, and a write is never sent twice. Writes are
unordered (`ordered=False`): callers must not put two writes that depend on each other's order
into the same collection at the same time (an insert and its later clear are never concurrent:
the clear starts after the insert returned).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from pymongo import InsertOne, ReplaceOne, UpdateMany, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError, WriteError

from shared.batching import Batcher
from shared.mongo import Collection, Document

WriteOp = InsertOne[Document] | UpdateOne | UpdateMany | ReplaceOne[Document]

# Server codes of a duplicate key (the same set PyMongo maps to DuplicateKeyError).
_DUPLICATE_KEY_CODES = frozenset({11000, 11001, 12582})
MAX_BATCH = 1000


class GroupWriter:
    """Writes to one collection, grouped while the store is busy (see the module's text)."""

    def __init__(self, collection: Collection, max_batch: int = MAX_BATCH) -> None:
        self._collection = collection
        self._batches: Batcher[WriteOp, None] = Batcher(
            self._write, max_batch=max_batch, name=f"group-commit:{collection.name}"
        )

    async def write(self, op: WriteOp) -> None:
        """Store `op`; raises `DuplicateKeyError` (or `WriteError`) when the store refused this
        write, and the batch's error (e.g. `ConnectionFailure`) when the whole command failed."""
        await self._batches.submit(op)

    async def insert(self, doc: Document) -> bool:
        """Insert `doc`; False when a document with its key exists (a redelivery, a repeat)."""
        try:
            await self.write(InsertOne(doc))
        except DuplicateKeyError:
            return False
        return True

    async def _write(self, _key: Hashable, ops: list[WriteOp]) -> list[WriteError | None]:
        try:
            await self._collection.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:
            refused = {error["index"]: error for error in exc.details.get("writeErrors", ())}
            return [_write_error(refused[i]) if i in refused else None for i in range(len(ops))]
        return [None] * len(ops)


def _write_error(error: Mapping[str, Any]) -> WriteError:
    cls = DuplicateKeyError if error.get("code") in _DUPLICATE_KEY_CODES else WriteError
    return cls(error.get("errmsg", "write refused"), error.get("code"), error)
