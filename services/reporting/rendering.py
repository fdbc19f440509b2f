"""From the read model to rendered documents: the data each template needs (documents.build)
rendered to HTML, PDF and DOCX (documents.render), with a commune's own templates first."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from services.reporting.documents.build import build_data
from services.reporting.documents.model import FORMATS, DocumentData
from services.reporting.raised import CARRIED_OVER
from shared.contracts import AuthorityLevel, ConclusionKind, Kind
from shared.directory import Commune, Dialogue


def superseded(tasks: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    """The ids of the tasks a later task took over (`supersedes`): the Secretary concluded on the
    carried-over issue again, and the later task is what follow-up tracks from then on."""
    return frozenset(str(t) for task in tasks for t in task.get("supersedes") or ())


def carried_authority(task: Mapping[str, Any]) -> tuple[str, str | None]:
    """The authority a carried-over issue keeps from the conclusion its task carries out: a
    recommendation to a higher body stays above the commune (the task's level when routing put it
    there, else the province's, the level above a commune since the 2025 reform) with the body
    named; an assignment to an office stays with the commune; a default task keeps its routing's."""
    level = str(task.get("authority_level") or AuthorityLevel.COMMUNE.value)
    kind = task.get("conclusion_kind")
    if kind == ConclusionKind.RECOMMENDED.value:
        above = level if level != AuthorityLevel.COMMUNE.value else AuthorityLevel.PROVINCE.value
        return above, task.get("authority_body")
    if kind == ConclusionKind.ASSIGNED.value:
        return AuthorityLevel.COMMUNE.value, None
    return level, task.get("authority_body")


def carried_items(
    tasks: list[dict[str, Any]],
    years: dict[str, int],
    taken_over: Collection[str] = (),
    summaries: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Unresolved conclusions of earlier dialogues as items of this one, marked by the year they
    were raised, so documents show them as long-running (kéo dài). Their text is the summary staff
    reviewed for the issue in an earlier meeting record (`summaries`, by task id: what that year's
    notice printed), else the issue as the residents raised it then (`issue_text`), never the
    conclusion the task carries out. Each keeps the authority of the conclusion it carries out
    (`carried_authority`, `carried_kind`): a recommendation to a higher body prints in the notice's
    section II until this year's meeting concludes otherwise. A task in `taken_over` (superseded by
    a later dialogue's task, `superseded`) is not carried: the later one is. `carried_from` names
    the task an item comes from; the years the issue was raised before that task's dialogue
    (`years_raised` of the task) stay with it."""
    items = []
    for task in tasks:
        if task.get("_id") in taken_over:
            continue
        year = years.get(task["dialogue_id"])
        raised_as = (summaries or {}).get(str(task.get("_id"))) or task.get("issue_text") or task["text"]
        level, body = carried_authority(task)
        before = {int(y) for y in task.get("years_raised") or () if year is None or int(y) < year}
        items.append(
            {
                "_id": task["submission_ids"][0],
                "id": task["submission_ids"][0],
                "cluster_id": task["cluster_id"],
                "text": raised_as,
                "hamlet": task.get("hamlet"),
                "topic": task["topic"],
                "topic_name": task.get("topic_name"),
                "office_id": task["office_id"],
                "office_name": task["office_name"],
                "authority_level": level,
                "authority_body": body,
                "carried_kind": task.get("conclusion_kind"),
                "times_raised": task.get("times_raised") or 1,
                "years_raised": sorted(before | ({year} if year else set())),
                "source": CARRIED_OVER,
                "kind": Kind.PETITION.value,
                "earlier": [{"year": year, "text": raised_as, "answer": None}] if year else [],
                "carried_from": task.get("_id"),
            }
        )
    return items


class DocumentRenderer:
    def __init__(self, templates_dir: str | None) -> None:
        self._root = Path(templates_dir) if templates_dir else None

    def _template_dirs(self, commune_id: str) -> list[Path]:
        own = self._root / commune_id if self._root else None
        return [own] if own and own.is_dir() else []

    def data(
        self,
        kind: str,
        *,
        commune: Commune,
        dialogue: Dialogue,
        items: list[dict[str, Any]],
        carried_over: list[dict[str, Any]],
        number: int | None,
        issued_on: date,
        meeting: dict[str, Any] | None = None,
        duties_done: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> DocumentData:
        """Unresolved issues of earlier dialogues come first, as long-running (kéo dài); `meeting`:
        the meeting record the minutes, notice and letter follow (None: none recorded)."""
        return build_data(
            kind,
            commune,
            dialogue,
            [*carried_over, *items],
            number=number,
            issued_on=issued_on,
            meeting=meeting,
            duties_done=duties_done,
        )

    def render_one(
        self,
        kind: str,
        fmt: str,
        *,
        commune: Commune,
        dialogue: Dialogue,
        items: list[dict[str, Any]],
        carried_over: list[dict[str, Any]],
        number: int | None,
        issued_on: date,
        meeting: dict[str, Any] | None = None,
        duties_done: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> bytes:
        from services.reporting.documents.render import render  # WeasyPrint loads only when rendering

        data = self.data(
            kind,
            commune=commune,
            dialogue=dialogue,
            items=items,
            carried_over=carried_over,
            number=number,
            issued_on=issued_on,
            meeting=meeting,
            duties_done=duties_done,
        )
        return render(kind, fmt, data, template_dirs=self._template_dirs(commune.id))

    def render_all(
        self,
        kind: str,
        *,
        commune: Commune,
        dialogue: Dialogue,
        items: list[dict[str, Any]],
        carried_over: list[dict[str, Any]],
        number: int | None,
        issued_on: date,
        meeting: dict[str, Any] | None = None,
        duties_done: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> tuple[dict[str, bytes], str]:
        """Every format of one document, and its subject (the title it is filed under)."""
        from services.reporting.documents.render import render

        data = self.data(
            kind,
            commune=commune,
            dialogue=dialogue,
            items=items,
            carried_over=carried_over,
            number=number,
            issued_on=issued_on,
            meeting=meeting,
            duties_done=duties_done,
        )
        dirs = self._template_dirs(commune.id)
        return {fmt: render(kind, fmt, data, template_dirs=dirs) for fmt in FORMATS}, data.subject
