"""The issues an earlier dialogue left unresolved, as items of a later one (kéo dài): what the
documents print and what the meeting page lists so the Secretary can conclude on them again.

One reading for both, so the meeting page lists exactly the carried-over issues the notice
prints, under the same keys (`documents.common.issue_key`: the earlier task's cluster).
A task a later dialogue's task took over (`supersedes`, opened from a conclusion recorded on the
carried-over issue) is no longer carried: the later task is, while it is unresolved, with the
tasks it took over (`carried_supersedes`), so a conclusion on it takes over all of them."""

from __future__ import annotations

from dataclasses import dataclass

from services.reporting.handlers.ports import Directory, Doc, MeetingStore, TaskStore
from services.reporting.raised import with_earlier_followup
from services.reporting.rendering import carried_items, superseded
from shared.directory import Dialogue


@dataclass(frozen=True)
class Carried:
    """`earlier`: every task of the dialogues before this one (how each earlier round ended);
    `items`: the unresolved ones carried into it, each round completed by its follow-up."""

    earlier: list[Doc]
    items: list[Doc]


async def carried_over(
    tasks: TaskStore,
    directory: Directory,
    commune_id: str,
    dialogue: Dialogue,
    meetings: MeetingStore | None = None,
) -> Carried:
    """The commune's earlier dialogues' tasks and the unresolved issues carried into `dialogue`;
    with `meetings`, each printed by the summary staff reviewed for it in an earlier record."""
    years = {d.id: d.year for d in await directory.dialogues(commune_id) if d.year < dialogue.year}
    earlier = [t for did in years for t in await tasks.for_dialogue(commune_id, did)]
    open_ones = await tasks.unresolved_before(commune_id, list(years))
    taken = superseded(earlier)
    kept = [t for t in open_ones if t["_id"] not in taken]
    summaries = await earlier_summaries(meetings, commune_id, years, kept)
    items = carried_items(open_ones, years, taken, summaries)
    # the tasks each one had taken over in turn: a conclusion on it takes them over too
    before = {str(t["_id"]): list(t.get("supersedes") or ()) for t in earlier}
    items = [{**i, "carried_supersedes": before.get(str(i.get("carried_from")), [])} for i in items]
    return Carried(earlier, with_earlier_followup(items, earlier))


async def earlier_summaries(
    meetings: MeetingStore | None, commune_id: str, years: dict[str, int], open_ones: list[Doc]
) -> dict[str, str]:
    """Each carried task's id -> the summary staff reviewed for its issue (`PUT …/issues/{key}`,
    the key the task's `cluster_id`), the one that year's notice printed: in the record of the
    task's own dialogue, else of the latest earlier one holding a summary under that key (a task
    that took over an earlier one keeps its issue's key)."""
    if meetings is None or not open_ones:
        return {}
    newest_first = sorted(years, key=lambda did: years[did], reverse=True)
    records = {did: (await meetings.get(commune_id, did)) or {} for did in newest_first}
    out: dict[str, str] = {}
    for task in open_ones:
        key = str(task.get("cluster_id") or "")
        own = str(task.get("dialogue_id") or "")
        for did in [own, *(d for d in newest_first if d != own and years[d] < years.get(own, 0))]:
            said = ((records.get(did) or {}).get("summaries") or {}).get(key)
            if said:
                out[str(task["_id"])] = str(said)
                break
    return out


__all__ = ["Carried", "carried_over", "earlier_summaries"]
