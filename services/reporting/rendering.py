"""From the read model to rendered documents: the data each template needs (documents.build)
rendered to HTML, PDF and DOCX (documents.render), with a commune's own templates first."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from services.reporting.documents.build import build_data
from services.reporting.documents.model import FORMATS, DocumentData
from services.reporting.raised import CARRIED_OVER
from shared.contracts import AuthorityLevel, Kind
from shared.directory import Commune, Dialogue


def carried_items(tasks: list[dict[str, Any]], years: dict[str, int]) -> list[dict[str, Any]]:
    """Unresolved conclusions of earlier dialogues as items of this one, marked by the year they
    were raised, so documents show them as long-running (kéo dài). Their text is the issue as the
    residents raised it then (`issue_text`), never the conclusion the task carries out."""
    items = []
    for task in tasks:
        year = years.get(task["dialogue_id"])
        raised_as = task.get("issue_text") or task["text"]
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
                "authority_level": task.get("authority_level", AuthorityLevel.COMMUNE.value),
                "authority_body": task.get("authority_body"),
                "times_raised": task.get("times_raised") or 1,
                "years_raised": [year] if year else [],
                "source": CARRIED_OVER,
                "kind": Kind.PETITION.value,
                "earlier": [{"year": year, "text": raised_as, "answer": None}] if year else [],
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
        )
        dirs = self._template_dirs(commune.id)
        return {fmt: render(kind, fmt, data, template_dirs=dirs) for fmt in FORMATS}, data.subject
