"""How the earlier rounds of a repeated item ended, for the staff item page: for each earlier
submission asked (routing's earlier items of the repeat), the follow-up task of an earlier
dialogue that followed it up, joined as the documents join it (`raised.with_earlier_followup`)
and said as they say it (`documents.model.Earlier`), on today's date (overdue or not).

A submission no task of an earlier dialogue followed up (a year before the system, or a round
whose notice was never issued) is left out: the page then says so beside the answer given then."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from services.reporting.documents.model import Earlier
from services.reporting.handlers.documents import load_dialogue
from services.reporting.handlers.ports import Doc, DocumentDeps
from services.reporting.raised import with_earlier_followup
from shared.personal_data import mask_personal_data

MAX_ASKED = 50  # earlier submissions one call may ask for (an item's repeats: a handful)


def _due(value: Any) -> date | None:
    if isinstance(value, str) and value:
        return date.fromisoformat(value[:10])
    return value if isinstance(value, date) else None


async def earlier_followup(
    deps: DocumentDeps,
    commune_id: str,
    dialogue_id: str,
    submission_ids: Sequence[str],
    *,
    as_typed: bool,
) -> dict[str, Doc]:
    """By submission id (of `submission_ids`, raised in dialogues before `dialogue_id`'s year): the
    task that followed it up, its dialogue and year, the conclusion (masked unless `as_typed`),
    office, status and due date, `outcome_vi` and the document's `line_vi` ("Đợt năm 2016: kết
    luận “…”; kết quả: …"). `NotFound` for an unknown commune or dialogue."""
    commune, dialogue = await load_dialogue(deps, commune_id, dialogue_id)
    years = {d.id: d.year for d in await deps.directory.dialogues(commune.id) if d.year < dialogue.year}
    asked = list(dict.fromkeys(submission_ids))
    if not asked or not years:
        return {}
    # only the tasks that followed an asked submission up (the earlier dialogues' others are many)
    tasks = [t for did in years for t in await deps.tasks.for_dialogue(commune.id, did, asked)]
    [probe] = with_earlier_followup([{"earlier": [{"submission_id": s} for s in asked]}], tasks)
    today = deps.clock().astimezone(ZoneInfo(dialogue.timezone)).date()
    task_dialogue = {str(t.get("_id")): str(t.get("dialogue_id")) for t in tasks}
    found: dict[str, Doc] = {}
    for entry in probe["earlier"]:
        if not entry.get("followup_task"):
            continue
        conclusion = " ".join(str(entry.get("conclusion") or "").split())
        shown = conclusion if as_typed else mask_personal_data(conclusion)
        of_dialogue = task_dialogue.get(entry["followup_task"], "")
        round_ = Earlier(
            years.get(of_dialogue, 0),
            "",
            None,
            conclusion=shown,
            office=str(entry.get("followup_office") or ""),
            status=str(entry.get("followup_status") or ""),
            due=_due(entry.get("followup_due")),
            as_of=today,
        )
        found[str(entry["submission_id"])] = {
            "task_id": entry["followup_task"],
            "dialogue_id": of_dialogue,
            "year": round_.year,
            "conclusion": shown,
            "office": round_.office,
            "status": round_.status,
            "due": round_.due.isoformat() if round_.due else None,
            "overdue": round_.overdue,
            "outcome_vi": round_.outcome,
            "line_vi": round_.line,
        }
    return found
