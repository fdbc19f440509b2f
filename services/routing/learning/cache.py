"""The process's loaded models, per commune: bounded, and a model is read again once the
commune's active version changed (seen within `state_ttl_s`, at once for a change made by this
process)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from services.routing.learning.model import CommuneModel
from services.routing.learning.store import LearningStore, State


@dataclass(frozen=True)
class Active:
    state: State
    model: CommuneModel | None
    read_at: float


class ModelCache:
    def __init__(
        self,
        store: LearningStore,
        *,
        max_communes: int = 64,
        state_ttl_s: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._max = max_communes
        self._ttl = state_ttl_s
        self._clock = clock
        self._entries: OrderedDict[str, Active] = OrderedDict()

    async def get(self, commune_id: str) -> Active:
        """The commune's learning state and its active model (None: rules only)."""
        now = self._clock()
        entry = self._entries.get(commune_id)
        if entry is not None and now - entry.read_at < self._ttl:
            self._entries.move_to_end(commune_id)
            return entry
        state = await self._store.state(commune_id)
        model = entry.model if entry is not None else None
        if model is None or model.version != state.active_version:
            model = None
            if state.active_version is not None:
                doc = await self._store.model(commune_id, state.active_version)
                if doc is not None and doc.get("model"):
                    model = CommuneModel.from_doc(doc["model"])
        if model is not None and model.commune_id != commune_id:
            raise ValueError(f"stored model of {model.commune_id} under commune {commune_id}")
        entry = Active(state, model, now)
        self._entries[commune_id] = entry
        self._entries.move_to_end(commune_id)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return entry

    def invalidate(self, commune_id: str) -> None:
        self._entries.pop(commune_id, None)

    def __len__(self) -> int:
        return len(self._entries)
