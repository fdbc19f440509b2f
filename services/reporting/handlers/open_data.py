"""Open data: a dialogue's conclusions and how far each has got, without personal data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.reporting.handlers.errors import NotFound
from services.reporting.handlers.ports import Doc, FollowUpDeps
from shared.contracts import AuthorityLevel, FollowUpStatus
from shared.directory import Commune, Dialogue

NOT_CONCLUDED = "Đang tổng hợp"  # the status of a routed item before the conclusion notice


@dataclass(frozen=True)
class OpenData:
    commune: Commune
    dialogue: Dialogue
    rows: list[Doc]


def open_rows(tasks: list[Doc], items: list[Doc]) -> list[Doc]:
    """Tasks once the conclusion notice is issued; before that, the routed items."""
    source = tasks or [i for i in items if i.get("topic") is not None]
    authority, status = AuthorityLevel.labels_vi(), FollowUpStatus.labels_vi()
    rows = []
    for n, row in enumerate(
        sorted(source, key=lambda r: (r.get("topic") or 99, r.get("hamlet") or "", r["_id"])), start=1
    ):
        rows.append(
            {
                "stt": n,
                "topic": row.get("topic_name") or "",
                "hamlet": row.get("hamlet") or "Toàn xã",
                "issue": row["text"],
                "office": row.get("office_name") or "",
                "authority": authority.get(row.get("authority_level") or AuthorityLevel.COMMUNE, ""),
                "due": date.fromisoformat(row["due"]).strftime("%d/%m/%Y") if row.get("due") else "",
                "status": status.get(row.get("status") or "", NOT_CONCLUDED),
                "times_raised": row.get("times_raised") or 1,
            }
        )
    return rows


async def open_data(deps: FollowUpDeps, commune_id: str, dialogue_id: str) -> OpenData:
    commune = await deps.directory.commune(commune_id)
    dialogue = await deps.directory.dialogue(commune_id, dialogue_id) if commune else None
    if commune is None or dialogue is None:
        raise NotFound(dialogue_id)
    rows = open_rows(
        await deps.tasks.for_dialogue(commune_id, dialogue_id),
        await deps.items.for_dialogue(commune_id, dialogue_id),
    )
    return OpenData(commune, dialogue, rows)
