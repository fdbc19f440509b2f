"""Open data: a dialogue's conclusions and how far each has got, without personal data.

Nothing a resident typed is published: an issue is shown by the summary the Party office
reviewed (the meeting record's `summaries`, by issue key), masked for personal data; an issue
without one shows only its topic and hamlet with `UNDER_REVIEW`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from services.reporting.documents.common import issue_key
from services.reporting.handlers.errors import NotFound
from services.reporting.handlers.ports import Doc, FollowUpDeps
from shared.contracts import AuthorityLevel, FollowUpStatus
from shared.directory import Commune, Dialogue
from shared.personal_data import mask_personal_data

NOT_CONCLUDED = "Đang tổng hợp"  # the status of a routed item before the conclusion notice
UNDER_REVIEW = "Nội dung đang được rà soát"  # an issue whose summary staff have not reviewed yet


@dataclass(frozen=True)
class OpenData:
    commune: Commune
    dialogue: Dialogue
    rows: list[Doc]


def public_text(key: str, summaries: Mapping[str, str]) -> str:
    """The reviewed summary of an issue, masked, or `UNDER_REVIEW`; never the text as typed."""
    return mask_personal_data(summaries.get(key)) or UNDER_REVIEW


def open_rows(tasks: list[Doc], items: list[Doc], summaries: Mapping[str, str] | None = None) -> list[Doc]:
    """Tasks once the conclusion notice is issued; before that, the routed items. Each shows its
    issue's reviewed summary (tasks carry their issue's key as `cluster_id`)."""
    source = tasks or [i for i in items if i.get("topic") is not None]
    authority, status = AuthorityLevel.labels_vi(), FollowUpStatus.labels_vi()
    reviewed = summaries or {}
    rows = []
    for n, row in enumerate(
        sorted(source, key=lambda r: (r.get("topic") or 99, r.get("hamlet") or "", r["_id"])), start=1
    ):
        key = str(row.get("cluster_id") or row["_id"]) if tasks else issue_key(row)
        rows.append(
            {
                "stt": n,
                "topic": row.get("topic_name") or "",
                "hamlet": row.get("hamlet") or "Toàn xã",
                "issue": public_text(key, reviewed),
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
    record = await deps.meetings.get(commune_id, dialogue_id) if deps.meetings else None
    rows = open_rows(
        await deps.tasks.for_dialogue(commune_id, dialogue_id),
        await deps.items.for_dialogue(commune_id, dialogue_id),
        (record or {}).get("summaries") or {},
    )
    return OpenData(commune, dialogue, rows)
