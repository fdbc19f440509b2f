"""Issuing documents: a number from the term's sequence, every format rendered once and frozen
with the data it came from, an event for distribution, and for the conclusion notice one
follow-up task per conclusion."""

from __future__ import annotations

import logging
from datetime import date
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.reporting.documents.model import FORMATS, KINDS, TYPE_CODES
from services.reporting.documents_repository import DocumentRepository
from services.reporting.followup import tasks_for_conclusions
from services.reporting.followup_api import changed_event
from services.reporting.followup_repository import FollowUpRepository
from services.reporting.numbering import DocumentNumbers, document_code
from services.reporting.rendering import DocumentRenderer, carried_items
from services.reporting.repository import ItemRepository
from shared.auth.guard import GuardedRoute, actor
from shared.clock import utcnow
from shared.contracts import DocumentIssuedV1, Envelope
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.deadlines import state
from shared.directory import Commune, Dialogue, DirectoryReader
from shared.errors import TransientError
from shared.http import BilingualError, problem
from shared.ids import new_id
from shared.outbox import Outbox
from shared.plan_deadlines import plan_deadlines

log = logging.getLogger(__name__)
CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
UNNUMBERED = ("thong-bao-truyen-thanh",)
MAX_VERSION_RACES = 20


class IssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str | None = Field(
        None, max_length=120, description="Ignored: the author is always the authenticated principal"
    )
    issued_on: date | None = Field(None, description="Defaults to today in the commune")

    @field_validator("issued_on")
    @classmethod
    def plausible(cls, value: date | None) -> date | None:
        if value is not None and not 2000 <= value.year <= 2100:
            raise BilingualError(
                "Ngày ban hành phải trong khoảng năm 2000–2100.",
                "issued_on must fall in the years 2000-2100.",
            )
        return value


class Issuer:
    def __init__(
        self,
        *,
        items: ItemRepository,
        documents: DocumentRepository,
        tasks: FollowUpRepository,
        numbers: DocumentNumbers,
        directory: DirectoryReader,
        outbox: Outbox,
        renderer: DocumentRenderer,
    ) -> None:
        self.items, self.documents, self.tasks, self.numbers = items, documents, tasks, numbers
        self.directory, self.outbox, self.renderer = directory, outbox, renderer

    async def material(self, commune: Commune, dialogue: Dialogue) -> tuple[list[dict], list[dict]]:
        """This dialogue's items, and the unresolved issues of earlier dialogues (kéo dài)."""
        items = await self.items.for_dialogue(commune.id, dialogue.id)
        years = {d.id: d.year for d in await self.directory.dialogues(commune.id) if d.year < dialogue.year}
        return items, carried_items(await self.tasks.unresolved_before(commune.id, list(years)), years)

    async def issue(self, commune: Commune, dialogue: Dialogue, kind: str, body: IssueIn) -> dict:
        issued_on = body.issued_on or utcnow().astimezone(ZoneInfo(dialogue.timezone)).date()
        items, carried = await self.material(commune, dialogue)
        type_code = TYPE_CODES[kind]
        number = (
            None if kind in UNNUMBERED else await self.numbers.next(commune.id, commune.party_term, type_code)
        )
        files, title = self.renderer.render_all(
            kind,
            commune=commune,
            dialogue=dialogue,
            items=items,
            carried_over=carried,
            number=number,
            issued_on=issued_on,
        )
        for _ in range(
            MAX_VERSION_RACES
        ):  # a reissue is a new version; two at once take consecutive versions
            version = await self.documents.latest_version(commune.id, dialogue.id, kind) + 1
            document_id = f"{commune.id}:{dialogue.id}:{kind}:v{version}"
            code = document_code(number, type_code)
            payload = DocumentIssuedV1(
                document_id=document_id,
                dialogue_id=dialogue.id,
                kind=kind,
                number=number,
                code=code,
                version=version,
                title=title,
                issued_on=issued_on,
            )
            event = Envelope.wrap(payload, commune_id=commune.id, correlation_id=new_id())
            doc = {
                "_id": document_id,
                "commune_id": commune.id,
                "dialogue_id": dialogue.id,
                "kind": kind,
                "version": version,
                "number": number,
                "code": code,
                "term": commune.party_term,
                "title": title,
                "issued_on": issued_on.isoformat(),
                "issued_by": body.by,
                "items": [i["_id"] for i in items],
                "carried_over": [t["_id"] for t in carried],
            }
            if await self.documents.store(doc, files, event):
                break
        else:
            raise TransientError(f"could not store {kind} of {dialogue.id}: versions kept colliding")
        await self._flush(self.documents.documents, commune.id, document_id)
        if kind == "thong-bao-ket-luan":
            await self._open_tasks(commune, dialogue, items, issued_on)
        return {k: v for k, v in doc.items() if k not in ("items",)} | {
            "links": {fmt: f"/api/v1/communes/{commune.id}/documents/{document_id}.{fmt}" for fmt in files}
        }

    async def _open_tasks(
        self, commune: Commune, dialogue: Dialogue, items: list[dict], issued_on: date
    ) -> None:
        for task in tasks_for_conclusions(dialogue.id, items, issued_on, commune.working_calendar()):
            event = changed_event({**task, "commune_id": commune.id}, task["status"], None, None, "system", 0)
            if await self.tasks.create(commune.id, task, event):
                await self._flush(self.tasks.tasks, commune.id, task["_id"])

    async def _flush(self, collection, commune_id: str, doc_id: str) -> None:
        try:
            await self.outbox.flush_document(collection, commune_id, doc_id)
        except Exception:  # stored; the relay publishes it
            log.warning("publish after store failed; relay will retry", exc_info=True)


def build_issuing_router(issuer: Issuer) -> APIRouter:
    router = APIRouter(prefix="/api/v1/communes/{commune_id}", tags=["documents"], route_class=GuardedRoute)

    async def load(commune_id: str, dialogue_id: str):
        commune = await issuer.directory.commune(commune_id)
        dialogue = await issuer.directory.dialogue(commune_id, dialogue_id) if commune else None
        return commune, dialogue

    @router.post(
        "/dialogues/{dialogue_id}/documents/{kind}",
        status_code=201,
        summary="Ban hành (issue) a document: numbered, frozen, distributed",
    )
    async def issue(
        request: Request,
        body: IssueIn,
        commune_id: str = CommuneId,
        dialogue_id: str = Path(max_length=64),
        kind: str = Path(max_length=40),
    ):
        if kind not in KINDS:
            return problem(
                404,
                "unknown_kind",
                f"Không có loại văn bản '{kind}'. Các loại: {', '.join(KINDS)}.",
                f"Unknown document kind {kind!r}.",
            )
        commune, dialogue = await load(commune_id, dialogue_id)
        if dialogue is None:
            return _not_found()
        return await issuer.issue(commune, dialogue, kind, body.model_copy(update={"by": actor(request)}))

    @router.get(
        "/dialogues/{dialogue_id}/documents",
        summary="Issued documents, and whether the conclusion notice is due or late",
    )
    async def documents(commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)):
        commune, dialogue = await load(commune_id, dialogue_id)
        if dialogue is None:
            return _not_found()
        issued = await issuer.documents.for_dialogue(commune_id, dialogue_id)
        conclusion = next(d for d in plan_deadlines(commune, dialogue) if d.key == "conclusion")
        done = any(d["kind"] == "thong-bao-ket-luan" for d in issued)
        today = utcnow().astimezone(ZoneInfo(dialogue.timezone)).date()
        return {
            "dialogue_id": dialogue_id,
            "conclusion_notice": {
                "due": conclusion.due.isoformat(),
                "printed": conclusion.printed,
                "state": state(conclusion, done, today),
            },
            "documents": issued,
        }

    @router.get(
        "/dialogues/{dialogue_id}/documents/{kind}/preview.{fmt}",
        summary="Dự thảo: the document as it would be issued now, unnumbered, not stored",
    )
    async def preview(
        commune_id: str = CommuneId,
        dialogue_id: str = Path(max_length=64),
        kind: str = Path(max_length=40),
        fmt: str = Path(pattern="^(html|pdf|docx)$"),
    ):
        if kind not in KINDS:
            return problem(
                404, "unknown_kind", f"Không có loại văn bản '{kind}'.", f"Unknown document kind {kind!r}."
            )
        commune, dialogue = await load(commune_id, dialogue_id)
        if dialogue is None:
            return _not_found()
        items, carried = await issuer.material(commune, dialogue)
        today = utcnow().astimezone(ZoneInfo(dialogue.timezone)).date()
        content = issuer.renderer.render_one(
            kind,
            fmt,
            commune=commune,
            dialogue=dialogue,
            items=items,
            carried_over=carried,
            number=None,
            issued_on=today,
        )
        return Response(content, media_type=MEDIA_TYPES[fmt])

    @router.get("/documents/{document_id}.{fmt}", summary="An issued document, exactly as issued")
    async def download(
        commune_id: str = CommuneId,
        document_id: str = Path(max_length=200),
        fmt: str = Path(pattern="^(html|pdf|docx)$"),
    ):
        content = await issuer.directory.issued_file(commune_id, document_id, fmt)
        if content is None:
            return _not_found()
        name = document_id.replace(":", "-")
        return Response(
            content,
            media_type=MEDIA_TYPES[fmt],
            headers={"content-disposition": f'inline; filename="{name}.{fmt}"'},
        )

    return router


def _not_found() -> JSONResponse:
    return problem(
        404,
        "not_found",
        "Không tìm thấy xã/phường, đợt đối thoại hoặc văn bản.",
        "Unknown commune, dialogue or document.",
    )


__all__ = ["FORMATS", "IssueIn", "Issuer", "build_issuing_router"]
