"""Staff changes to a routing decision (pure): reclassify, reassign, confirm, merge into
another submission's cluster, or split out of one. Each gives the next revision of the
`submission.routed.v1` payload, with who and why."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.routing import explain
from services.routing.offices import assign_office
from shared.contracts import AuthorityLevel, RoutingChange, SubmissionRoutedV1
from shared.directory import Commune, Dialogue
from shared.errors import PermanentError
from shared.text import nfc, normalize_for_matching

NOTE_TO_RESIDENT_MAX = 500


class ChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["reclassify", "reassign", "confirm", "merge", "split"]
    topic: int | None = Field(None, ge=0, le=20, description="reclassify: the new topic")
    secondary_topic: int | None = Field(None, ge=0, le=20)
    office_id: str | None = Field(
        None, max_length=64, description="reassign (or reclassify): the office that prepares the answer"
    )
    authority_level: AuthorityLevel | None = None
    into: str | None = Field(None, max_length=64, description="merge: a submission of the cluster to join")
    by: str | None = Field(
        None, max_length=120, description="Ignored: the author is always the authenticated principal"
    )
    reason: str = Field(
        min_length=3,
        max_length=1000,
        description="Why (kept in the audit trail; staff-only, never shown to the resident)",
    )
    note_to_resident: str | None = Field(
        None,
        max_length=NOTE_TO_RESIDENT_MAX,
        description="Optional note the resident reads on the tracking page (the only staff text they see)",
    )

    @field_validator("reason", "note_to_resident", mode="before")
    @classmethod
    def _nfc(cls, value: object) -> object:
        """Vietnamese text NFC-normalised and trimmed at the boundary; an empty note is no note."""
        if not isinstance(value, str):
            return value
        text = nfc(value).strip()
        return text or None


class ChangeRejected(PermanentError):
    def __init__(self, vi: str, en: str, field: str | None = None) -> None:
        super().__init__(en)
        self.vi, self.en, self.field = vi, en, field


# The change a staff action makes, as the revision records it.
PAST: dict[str, RoutingChange] = {
    "reclassify": RoutingChange.RECLASSIFIED,
    "reassign": RoutingChange.REASSIGNED,
    "confirm": RoutingChange.CONFIRMED,
    "merge": RoutingChange.MERGED,
    "split": RoutingChange.SPLIT,
}


def apply_change(
    current: SubmissionRoutedV1,
    change: ChangeIn,
    commune: Commune,
    dialogue: Dialogue,
    *,
    target: SubmissionRoutedV1 | None = None,
) -> SubmissionRoutedV1:
    update: dict[str, Any] = {
        "revision": current.revision + 1,
        "change": PAST[change.action],
        "changed_by": change.by,
        "reason": change.reason,
        "note_to_resident": change.note_to_resident,
        "needs_review": False,
    }
    if change.action == "reclassify":
        if change.topic is None:
            raise ChangeRejected("Cần chọn nội dung (topic) mới.", "reclassify needs a topic", "topic")
        if change.topic != 0 and change.topic not in {t.number for t in dialogue.topics}:
            raise ChangeRejected(
                f"Kế hoạch không có nội dung số {change.topic}.",
                f"the plan has no topic {change.topic}",
                "topic",
            )
        assignment = assign_office(commune, change.topic, normalize_for_matching(current.text))
        office_id = change.office_id or assignment.office_id
        update |= {
            "topic": change.topic,
            "topic_name": dialogue.topic_name(change.topic),
            "secondary_topic": change.secondary_topic,
            "coordinating_office_ids": assignment.coordinating_office_ids,
        }
        update |= _office(commune, office_id)
    elif change.action == "reassign":
        if not change.office_id:
            raise ChangeRejected("Cần chọn cơ quan mới.", "reassign needs an office_id", "office_id")
        update |= _office(commune, change.office_id)
    elif change.action == "merge":
        if target is None:
            raise ChangeRejected(
                "Không tìm thấy ý kiến để gộp vào.", "merge needs an existing submission in `into`", "into"
            )
        cluster = target.cluster_id or target.submission_id
        update |= {"cluster_id": cluster, "duplicate_of": target.duplicate_of or target.submission_id}
    elif change.action == "split":
        # A fresh cluster id: the split item may have been the root its cluster is named after.
        update |= {
            "cluster_id": f"{current.submission_id}.{current.revision + 1}",
            "duplicate_of": None,
            "times_raised": 1,
            "years_raised": (),
            "earlier": (),
        }
    if change.authority_level:
        update["authority_level"] = change.authority_level
    update["explanation_vi"] = explain.staff_lines(
        PAST[change.action],
        change.by,
        update.get("topic", current.topic),
        update.get("topic_name", current.topic_name),
        update.get("office_name", current.office_name),
        explain.with_repeat(
            current.explanation_vi,
            update.get("times_raised", current.times_raised),
            update.get("years_raised", current.years_raised),
        ),
    )
    moved = update.get("office_id", current.office_id) != current.office_id
    update["previous_office_id"] = current.office_id if moved else None
    return current.model_copy(update=update)


def _office(commune: Commune, office_id: str) -> dict[str, Any]:
    office = commune.office(office_id)
    if office is None:
        known = ", ".join(o.id for o in commune.offices)
        raise ChangeRejected(
            f"Không có cơ quan '{office_id}'. Các cơ quan: {known}.",
            f"unknown office {office_id!r}",
            "office_id",
        )
    return {"office_id": office.id, "office_name": office.name}
