"""Open data: a dialogue's conclusions and how far each has got, without personal data.

Nothing a resident typed is published: an issue is shown by the summary the Party office
reviewed (the meeting record's `summaries`, by issue key), masked for personal data; an issue
without one shows only its topic and hamlet with `UNDER_REVIEW`. An issue the Party office keeps
out of public views (the record's `public` flag false: a family or land dispute, a complaint
about a named official) is left out entirely, row and all; issued documents still print it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from services.reporting.documents.common import issue_key
from services.reporting.followup import raised_by_issue, with_times_raised
from services.reporting.handlers.errors import NotFound
from services.reporting.handlers.ports import Doc, FollowUpDeps, MeetingDeps
from services.reporting.meeting import withheld as withheld_keys
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


def open_rows(
    tasks: list[Doc],
    items: list[Doc],
    summaries: Mapping[str, str] | None = None,
    withheld: frozenset[str] = frozenset(),
    raised: Mapping[str, int] | None = None,
) -> list[Doc]:
    """Tasks once the conclusion notice is issued; before that, one row per issue (its first
    routed item: an issue raised 57 times is one row counting 57, not 57 rows). Each shows its
    issue's reviewed summary (tasks carry their issue's key as `cluster_id`); the issues whose key
    is `withheld` are left out and the rest numbered without gaps. An item row shows its issue's
    count of times raised from `raised` (`followup.raised_by_issue`), a task row its own."""
    authority, status = AuthorityLevel.labels_vi(), FollowUpStatus.labels_vi()
    reviewed = summaries or {}

    def key_of(row: Doc) -> str:
        return str(row.get("cluster_id") or row["_id"]) if tasks else issue_key(row)

    firsts: dict[str, Doc] = {}
    for item in items if not tasks else ():
        if item.get("topic") is not None:
            firsts.setdefault(key_of(item), item)
    source = tasks or list(firsts.values())

    shown = [r for r in source if key_of(r) not in withheld]
    rows = []
    for n, row in enumerate(
        sorted(shown, key=lambda r: (r.get("topic") or 99, r.get("hamlet") or "", r["_id"])), start=1
    ):
        key = key_of(row)
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
                "times_raised": (None if tasks else (raised or {}).get(key)) or row.get("times_raised") or 1,
            }
        )
    return rows


async def open_data(deps: FollowUpDeps, commune_id: str, dialogue_id: str) -> OpenData:
    commune = await deps.directory.commune(commune_id)
    dialogue = await deps.directory.dialogue(commune_id, dialogue_id) if commune else None
    if commune is None or dialogue is None:
        raise NotFound(dialogue_id)
    record = await deps.meetings.get(commune_id, dialogue_id) if deps.meetings else None
    items = await deps.items.for_dialogue(commune_id, dialogue_id)
    rows = open_rows(
        with_times_raised(await deps.tasks.for_dialogue(commune_id, dialogue_id), items, dialogue.year),
        items,
        (record or {}).get("summaries") or {},
        withheld_keys(record),
        raised_by_issue(items, dialogue.year),
    )
    return OpenData(commune, dialogue, rows)


async def published_summaries(deps: FollowUpDeps | MeetingDeps, commune_id: str, dialogue_id: str) -> Doc:
    """Per submission of the dialogue, what a public view may say of it (Open311 reads this through
    intake): `summaries` holds its issue's reviewed summary, masked, for the issues reviewed and
    public; `withheld` the submissions of the issues kept out of public views."""
    commune = await deps.directory.commune(commune_id)
    dialogue = await deps.directory.dialogue(commune_id, dialogue_id) if commune else None
    if commune is None or dialogue is None:
        raise NotFound(dialogue_id)
    record = await deps.meetings.get(commune_id, dialogue_id) if deps.meetings else None
    reviewed: Mapping[str, str] = (record or {}).get("summaries") or {}
    hidden = withheld_keys(record)
    summaries: dict[str, str] = {}
    withheld: list[str] = []
    for index, item in enumerate(await deps.items.for_dialogue(commune_id, dialogue_id)):
        key, submission_id = issue_key(item, index), str(item["_id"])
        if key in hidden:
            withheld.append(submission_id)
        elif reviewed.get(key):
            summaries[submission_id] = mask_personal_data(reviewed[key]) or ""
    return {"dialogue_id": dialogue_id, "summaries": summaries, "withheld": sorted(withheld)}
