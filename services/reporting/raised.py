"""How many times an issue was raised (pure): the one count the conclusion notice and the report
print for an issue ("[Nêu 5 lần]") and the follow-up tasks, open data ("Số lần nêu") and public views
show: the dialogue's petitions merged into the issue plus its mentions in earlier years.

The count each item was given when it arrived (its own `times_raised`) is not used: it counts the
cluster as the repeat finder saw it then, before later petitions joined and before staff moved
items between issues, so two items of one issue disagree and neither is the issue's count.

`with_earlier_followup` joins each earlier round an item names to the follow-up task of that
round, so the documents say how it ended."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Reporting's own source: an unresolved conclusion of an earlier dialogue carried into this one,
# its `times_raised` the count it was concluded with there.
CARRIED_OVER = "carried_over"


def earlier_mentions(members: Iterable[Mapping[str, Any]], year: int) -> int:
    """The issue's mentions in dialogues before `year`: the distinct (year, text) earlier items its
    members carry (`earlier`, from the repeat finder; an entry without a year is of this
    dialogue), and at least one for each earlier year they name (`years_raised`)."""
    listed = list(members)
    texts = {
        (int(e["year"]), str(e.get("text", "")))
        for m in listed
        for e in m.get("earlier") or ()
        if e.get("year", year) < year
    }
    years = {int(y) for m in listed for y in m.get("years_raised") or () if int(y) < year}
    return len(texts) + len(years - {y for y, _ in texts})


def times_raised(members: Iterable[Mapping[str, Any]], year: int) -> int:
    """How many times the issue whose items in the dialogue of `year` are `members` was raised:
    its petitions there plus its earlier years' mentions (`earlier_mentions`), or, when larger, the
    count an unresolved conclusion carried over among `members` was concluded with. At least 1."""
    listed = list(members)
    petitions = [m for m in listed if m.get("source") != CARRIED_OVER]
    carried = max(
        (int(m.get("times_raised") or 1) for m in listed if m.get("source") == CARRIED_OVER), default=0
    )
    return max(len(petitions) + max(earlier_mentions(petitions, year), carried), 1)


def earlier_conclusion(task: Mapping[str, Any]) -> str:
    """The Secretary's conclusion a follow-up task carries out: its text when the task was opened
    from a conclusion of the meeting record and that conclusion had words of its own ("" for a
    default task, whose text is the resident's)."""
    if not task.get("conclusion_kind"):
        return ""
    text = str(task.get("text") or "")
    return "" if text == task.get("issue_text") else text


def with_earlier_followup(
    items: Iterable[Mapping[str, Any]], tasks: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """`items` with each earlier round they carry (`earlier`) completed by that round's follow-up:
    the task (of an earlier dialogue, in `tasks`) that followed up the earlier submission, its
    conclusion, office, status and due date (`followup_*`), so the documents say how the
    earlier round ended rather than repeat the answer typed then. A carried-over item's own round
    (its `earlier` entry names no submission) is the task it was carried from (`carried_from`):
    once a later task took over an earlier one, both follow the first submission up, and the
    round is the later one's."""
    by_submission: dict[str, Mapping[str, Any]] = {}
    by_id: dict[str, Mapping[str, Any]] = {}
    for each in tasks:
        by_id[str(each.get("_id"))] = each
        for sid in each.get("submission_ids") or ():
            by_submission.setdefault(str(sid), each)
    out: list[dict[str, Any]] = []
    for item in items:
        entries = []
        carried = item.get("source") == CARRIED_OVER
        for entry in item.get("earlier") or ():
            sid = entry.get("submission_id") or (item.get("_id") if carried else None)
            own = carried and not entry.get("submission_id")
            followed = by_id.get(str(item.get("carried_from"))) if own else None
            followed = followed or (by_submission.get(str(sid)) if sid else None)
            if followed is None:
                entries.append(entry)
                continue
            entries.append(
                {
                    **entry,
                    "followup_task": str(followed.get("_id") or ""),
                    "conclusion": earlier_conclusion(followed),
                    "followup_office": followed.get("office_name") or "",
                    "followup_status": followed.get("status") or "",
                    "followup_due": followed.get("due"),
                }
            )
        out.append({**item, "earlier": entries} if item.get("earlier") else dict(item))
    return out
