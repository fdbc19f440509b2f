"""HTTP adapter for documents: issue (ban hành), list, preview (dự thảo) and download exactly
as issued. Each route parses, calls one use case (`handlers.documents`) and renders."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.reporting import handlers
from services.reporting.api import items_incomplete
from services.reporting.documents.model import KINDS
from services.reporting.documents.render import served_html
from services.reporting.handlers import (
    DocumentDeps,
    IssueDocument,
    ItemsIncomplete,
    NotFound,
    SignerMissing,
    UnknownDocumentKind,
)
from shared.auth.guard import GuardedRoute, actor
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.http import BilingualError, problem

CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


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


def build_issuing_router(deps: DocumentDeps) -> APIRouter:
    router = APIRouter(prefix="/api/v1/communes/{commune_id}", tags=["documents"], route_class=GuardedRoute)

    @router.post(
        "/dialogues/{dialogue_id}/documents/{kind}",
        status_code=201,
        summary="Ban hành (issue) a document: numbered, frozen, distributed",
        responses={
            409: {"description": "The signer has no full name yet (field: where to enter it)"},
            503: {"description": "The items not classified yet could not be listed: nothing was issued"},
        },
    )
    async def issue(
        request: Request,
        body: IssueIn,
        commune_id: str = CommuneId,
        dialogue_id: str = Path(max_length=64),
        kind: str = Path(max_length=40),
    ):
        command = IssueDocument(commune_id, dialogue_id, kind, actor(request), body.issued_on)
        try:
            return await handlers.issue_document(deps, command)
        except UnknownDocumentKind:
            return problem(
                404,
                "unknown_kind",
                f"Không có loại văn bản '{kind}'. Các loại: {', '.join(KINDS)}.",
                f"Unknown document kind {kind!r}.",
            )
        except NotFound:
            return _not_found()
        except ItemsIncomplete as incomplete:
            return items_incomplete(incomplete)
        except SignerMissing as missing:
            return JSONResponse(
                status_code=409,
                content={
                    "error": "signer_missing",
                    "message_vi": missing.message_vi,
                    "message_en": missing.message_en,
                    "field": missing.field,
                },
            )

    @router.get(
        "/dialogues/{dialogue_id}/documents/{kind}/readiness",
        summary="What issuing the kind now would meet (nothing is numbered): problems, signer, Nơi nhận",
    )
    async def readiness(
        commune_id: str = CommuneId,
        dialogue_id: str = Path(max_length=64),
        kind: str = Path(max_length=40),
    ):
        try:
            return await handlers.issuing_readiness(deps, commune_id, dialogue_id, kind)
        except UnknownDocumentKind:
            return problem(
                404, "unknown_kind", f"Không có loại văn bản '{kind}'.", f"Unknown document kind {kind!r}."
            )
        except NotFound:
            return _not_found()
        except ItemsIncomplete as incomplete:
            return items_incomplete(incomplete)

    @router.get(
        "/dialogues/{dialogue_id}/documents",
        summary="Issued documents, and whether the conclusion notice is due or late",
    )
    async def documents(commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)):
        try:
            return await handlers.list_documents(deps, commune_id, dialogue_id)
        except NotFound:
            return _not_found()

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
        try:
            content = await handlers.preview_document(deps, commune_id, dialogue_id, kind, fmt)
        except UnknownDocumentKind:
            return problem(
                404, "unknown_kind", f"Không có loại văn bản '{kind}'.", f"Unknown document kind {kind!r}."
            )
        except NotFound:
            return _not_found()
        except ItemsIncomplete as incomplete:
            return items_incomplete(incomplete)
        return Response(content, media_type=MEDIA_TYPES[fmt])

    @router.get("/documents/{document_id}.{fmt}", summary="An issued document, exactly as issued")
    async def download(
        commune_id: str = CommuneId,
        document_id: str = Path(max_length=200),
        fmt: str = Path(pattern="^(html|pdf|docx)$"),
    ):
        try:
            content = await handlers.issued_file(deps, commune_id, document_id, fmt)
        except NotFound:
            return _not_found()
        if fmt == "html":  # issued before served HTML had no local fonts: drop their rules
            content = served_html(content)
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
