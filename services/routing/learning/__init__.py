"""Learning from the office: every item staff confirm or correct is a labelled example of its
commune; a per-commune model trained from them is blended with the rules
(`blend`), retrained in the background after corrections (`services/routing/handlers/learning.py`)
and stored versioned so that a bad model can be rolled back (`store`)."""

from __future__ import annotations

from dataclasses import dataclass

from services.routing.learning.blend import Policy
from services.routing.learning.cache import ModelCache
from services.routing.learning.store import LearningStore


@dataclass(frozen=True)
class Learning:
    """What routing's use cases need to learn: the store, the process's model cache, and when the
    model may speak."""

    store: LearningStore
    cache: ModelCache
    policy: Policy
    # Quiet time after a commune's last correction before it is retrained (seconds).
    debounce_s: float = 10.0
    # At most this many of the commune's latest examples train its model.
    max_examples: int = 5000


__all__ = ["Learning", "LearningStore", "ModelCache", "Policy"]
