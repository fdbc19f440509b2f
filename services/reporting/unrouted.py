"""A dialogue's items before routing has decided them (pure).

Reporting's read model holds an item from its `submission.routed.v1` on: the event carries the
received submission's facts with the routing (source, organisation, received time). Until then
the submission is intake's alone, and reporting lists it from intake
(`/internal/v1/.../unrouted`) whenever it builds a document or lists the dialogue's items, so
that what is still being classified is counted ("Còn N ý kiến đang phân loại") and the counts by
source, kind and hamlet stay whole. An item both sides hold (routed, and intake has not recorded
it yet) is the read model's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Doc = dict[str, Any]
# The facts of a received submission, as intake answers them and as the read model stores them
# (`received_at` an ISO-8601 UTC string, `shared.clock.iso`).
RECEIVED_FIELDS = (
    "dialogue_id",
    "tracking_code",
    "source",
    "organisation",
    "kind",
    "text",
    "hamlet",
    "received_at",
)


@dataclass(frozen=True)
class Unrouted:
    """Intake's answer: the received facts (`id` and `RECEIVED_FIELDS`) of the dialogue's
    submissions routing has not decided yet; `complete` false when intake holds more than one
    answer carries (then `submissions` is only part of them)."""

    submissions: tuple[Doc, ...]
    complete: bool


def received_fields(facts: Mapping[str, Any]) -> Doc:
    """What the read model stores of a received submission, from intake's facts."""
    return {field: facts.get(field) for field in RECEIVED_FIELDS}


def with_unrouted(commune_id: str, stored: Sequence[Doc], unrouted: Sequence[Mapping[str, Any]]) -> list[Doc]:
    """The read model's items with those intake holds unrouted and the read model does not, as
    read-model items without routing facts, oldest first."""
    known = {item["_id"] for item in stored}
    extra = [
        {"_id": facts["id"], "commune_id": commune_id, **received_fields(facts)}
        for facts in unrouted
        if facts["id"] not in known
    ]
    # stable: items received at the same time keep the store's order
    return sorted([*stored, *extra], key=lambda item: str(item.get("received_at") or ""))
