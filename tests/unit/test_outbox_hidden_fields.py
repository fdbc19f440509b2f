"""`OUTBOX_FIELDS` names every field the outbox and its relay write into a document, so the
projections and views built from it leave none of them (the writer's host and process id in
`outbox_owner` among them) in what an API returns."""

from __future__ import annotations

from shared.outbox import OUTBOX_FIELDS, Outbox, outbox_fields


class _Recorder:
    """A collection that records the update the relay's take-over writes."""

    def __init__(self) -> None:
        self.updates: list[dict] = []

    async def update_one(self, query: dict, update: dict):
        self.updates.append(update)

        class Result:
            modified_count = 1

        return Result()


async def test_every_field_the_outbox_writes_is_named():
    collection = _Recorder()
    outbox = Outbox(publisher=None, collections=())  # type: ignore[arg-type]
    assert await outbox._take(collection, {"_id": "x", "outbox_at": 1.0})  # type: ignore[arg-type]
    (update,) = collection.updates
    written = set(outbox_fields([])) | set(update["$set"])
    assert written <= set(OUTBOX_FIELDS), written - set(OUTBOX_FIELDS)
    assert {"outbox_owner", "outbox_claim"} <= set(OUTBOX_FIELDS)
