"""Routing's learning data: the commune's examples (`routing_examples`, one per commune and
submission: a redelivered or second correction replaces it), its models, versioned
(`routing_models`), and its learning state (`routing_learning`: the active version, the
versions activated before, and whether a retraining is pending). Every key starts with the
commune id: nothing here is ever read across communes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.routing.learning.model import Example

EXAMPLES = "routing_examples"
MODELS = "routing_models"
STATE = "routing_learning"

Doc = dict[str, Any]


@dataclass(frozen=True)
class State:
    commune_id: str
    active_version: int | None = None
    # Versions activated before the active one, oldest first: where a rollback goes.
    previous: tuple[int, ...] = ()
    examples: int = 0
    pending_at: float | None = None  # when the last example arrived, until retrained
    last_version: int = 0

    @classmethod
    def of(cls, commune_id: str, doc: Doc | None) -> State:
        if doc is None:
            return cls(commune_id)
        return cls(
            commune_id,
            doc.get("active_version"),
            tuple(doc.get("previous") or ()),
            int(doc.get("examples") or 0),
            doc.get("pending_at"),
            int(doc.get("last_version") or 0),
        )


class LearningStore(Protocol):
    async def put_example(self, commune_id: str, example: Example, revision: int, at: float) -> bool:
        """Store or replace the submission's example unless a later revision is stored; True if stored."""
        ...

    async def examples(self, commune_id: str, limit: int) -> list[Example]:
        """The commune's latest `limit` examples, oldest first."""
        ...

    async def state(self, commune_id: str) -> State: ...

    async def pending(self, arrived_before: float) -> list[State]:
        """Communes whose last example arrived before `arrived_before` and are not retrained since."""
        ...

    async def claim(self, state: State) -> bool:
        """Clear the pending mark if no example arrived since `state` was read."""
        ...

    async def save_model(self, commune_id: str, doc: Doc) -> int:
        """Store a model under the commune's next version; that version."""
        ...

    async def put_weights(self, commune_id: str, version: int, weights: Doc) -> None:
        """The trained model of a saved version (`CommuneModel.to_doc`)."""
        ...

    async def model(self, commune_id: str, version: int) -> Doc | None: ...

    async def models(self, commune_id: str) -> list[Doc]:
        """The commune's stored models without their weights, newest first."""
        ...

    async def set_active(self, commune_id: str, version: int | None, previous: tuple[int, ...]) -> None: ...


def _example_doc(commune_id: str, example: Example, revision: int, at: float) -> Doc:
    return {
        "commune_id": commune_id,
        "submission_id": example.submission_id,
        "text": example.text,
        "topic": example.topic,
        "office_id": example.office_id,
        "revision": revision,
        "at": at,
    }


def _example(doc: Doc) -> Example:
    return Example(doc["submission_id"], doc["text"], int(doc["topic"]), doc.get("office_id"))


_SUMMARY = {"weights": 0}


class MongoLearningStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.examples_ = db[EXAMPLES]
        self.models_ = db[MODELS]
        self.state_ = db[STATE]

    async def ensure_indexes(self) -> None:
        await self.examples_.create_index([("commune_id", ASCENDING), ("at", ASCENDING)])
        await self.models_.create_index([("commune_id", ASCENDING), ("version", ASCENDING)])
        await self.state_.create_index([("pending_at", ASCENDING)])

    async def put_example(self, commune_id: str, example: Example, revision: int, at: float) -> bool:
        key = f"{commune_id}:{example.submission_id}"
        try:
            result = await self.examples_.update_one(
                {"_id": key, "revision": {"$lte": revision}},
                {"$set": _example_doc(commune_id, example, revision, at)},
                upsert=True,
            )
        except DuplicateKeyError:  # a later revision is stored
            return False
        if result.upserted_id is not None:
            await self.state_.update_one({"_id": commune_id}, {"$inc": {"examples": 1}}, upsert=True)
        await self.state_.update_one({"_id": commune_id}, {"$set": {"pending_at": at}}, upsert=True)
        return True

    async def examples(self, commune_id: str, limit: int) -> list[Example]:
        docs = await self.examples_.find({"commune_id": commune_id}).sort("at", -1).limit(limit).to_list(None)
        return [_example(d) for d in reversed(docs)]

    async def state(self, commune_id: str) -> State:
        return State.of(commune_id, await self.state_.find_one({"_id": commune_id}))

    async def pending(self, arrived_before: float) -> list[State]:
        docs = await self.state_.find({"pending_at": {"$lt": arrived_before}}).to_list(None)
        return [State.of(d["_id"], d) for d in docs]

    async def claim(self, state: State) -> bool:
        result = await self.state_.update_one(
            {"_id": state.commune_id, "pending_at": state.pending_at}, {"$set": {"pending_at": None}}
        )
        return result.modified_count == 1

    async def save_model(self, commune_id: str, doc: Doc) -> int:
        state = await self.state_.find_one_and_update(
            {"_id": commune_id},
            {"$inc": {"last_version": 1}},
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        if state is None:  # an upsert returning the document after it always finds one
            raise RuntimeError(f"no learning state for {commune_id}")
        version = int(state["last_version"])
        await self.models_.insert_one(
            {**doc, "_id": f"{commune_id}:{version}", "commune_id": commune_id, "version": version}
        )
        return version

    async def put_weights(self, commune_id: str, version: int, weights: Doc) -> None:
        await self.models_.update_one({"_id": f"{commune_id}:{version}"}, {"$set": {"model": weights}})

    async def model(self, commune_id: str, version: int) -> Doc | None:
        return await self.models_.find_one({"_id": f"{commune_id}:{version}"})

    async def models(self, commune_id: str) -> list[Doc]:
        docs = (
            await self.models_.find({"commune_id": commune_id}, {"model": 0})
            .sort("version", -1)
            .to_list(None)
        )
        return [{k: v for k, v in d.items() if k not in {"model", "_id"}} for d in docs]

    async def set_active(self, commune_id: str, version: int | None, previous: tuple[int, ...]) -> None:
        await self.state_.update_one(
            {"_id": commune_id},
            {"$set": {"active_version": version, "previous": list(previous)}},
            upsert=True,
        )


@dataclass
class InMemoryLearningStore:
    """The same store in memory: the replay benchmark and unit tests."""

    _examples: dict[tuple[str, str], tuple[int, float, Example]] = field(default_factory=dict)
    _models: dict[tuple[str, int], Doc] = field(default_factory=dict)
    _state: dict[str, State] = field(default_factory=dict)

    async def put_example(self, commune_id: str, example: Example, revision: int, at: float) -> bool:
        key = (commune_id, example.submission_id)
        stored = self._examples.get(key)
        if stored is not None and stored[0] > revision:
            return False
        self._examples[key] = (revision, at, example)
        state = await self.state(commune_id)
        self._state[commune_id] = State(
            commune_id,
            state.active_version,
            state.previous,
            state.examples + (stored is None),
            at,
            state.last_version,
        )
        return True

    async def examples(self, commune_id: str, limit: int) -> list[Example]:
        mine = sorted(
            (at, i, e) for i, ((c, _), (_, at, e)) in enumerate(self._examples.items()) if c == commune_id
        )
        return [e for _, _, e in mine[-limit:]]

    async def state(self, commune_id: str) -> State:
        return self._state.get(commune_id) or State(commune_id)

    async def pending(self, arrived_before: float) -> list[State]:
        return [s for s in self._state.values() if s.pending_at is not None and s.pending_at < arrived_before]

    async def claim(self, state: State) -> bool:
        current = await self.state(state.commune_id)
        if current.pending_at != state.pending_at:
            return False
        self._state[state.commune_id] = _replace(current, pending_at=None)
        return True

    async def save_model(self, commune_id: str, doc: Doc) -> int:
        state = await self.state(commune_id)
        version = state.last_version + 1
        self._state[commune_id] = _replace(state, last_version=version)
        self._models[(commune_id, version)] = {**doc, "commune_id": commune_id, "version": version}
        return version

    async def put_weights(self, commune_id: str, version: int, weights: Doc) -> None:
        self._models[(commune_id, version)]["model"] = weights

    async def model(self, commune_id: str, version: int) -> Doc | None:
        return self._models.get((commune_id, version))

    async def models(self, commune_id: str) -> list[Doc]:
        mine = sorted((v, d) for (c, v), d in self._models.items() if c == commune_id)
        return [{k: x for k, x in d.items() if k != "model"} for _, d in reversed(mine)]

    async def set_active(self, commune_id: str, version: int | None, previous: tuple[int, ...]) -> None:
        state = await self.state(commune_id)
        self._state[commune_id] = _replace(state, active_version=version, previous=previous)


def _replace(state: State, **changes: Any) -> State:
    return replace(state, **changes)
