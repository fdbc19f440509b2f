"""Reporting HTTP API: the dialogue's items, the draft conclusion notice and the radio text."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse

from services.reporting import handlers
from services.reporting.handlers import DocumentDeps, ItemsIncomplete, NotFound
from shared.auth.guard import GuardedRoute, principal_of
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.http import problem
from shared.personal_data import mask_personal_data

CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])
_PUBLIC_ITEM_FIELDS = (
    "tracking_code",
    "kind",
    "source",
    "organisation",
    "hamlet",
    "text",
    "topic",
    "topic_name",
    "secondary_topic",
    "office_id",
    "office_name",
    "authority_level",
    "authority_body",
    "needs_review",
    "recurring_claim",
    "answer",  # the office's prepared answer, shown on the resident's tracking page too
)


def build_router(deps: DocumentDeps) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/communes/{commune_id}/dialogues/{dialogue_id}",
        tags=["reporting"],
        route_class=GuardedRoute,
    )

    @router.get(
        "/items",
        summary="Items of the dialogue in the read model (no sender; texts masked for personal data "
        "except for the Party office and the commune admin)",
    )
    async def items(request: Request, commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)):
        try:
            rows = await handlers.dialogue_items(deps, commune_id, dialogue_id)
        except NotFound:
            return _not_found()
        except ItemsIncomplete as incomplete:
            return items_incomplete(incomplete)
        # who sees who sent an item reads its text as typed; offices, integrations and the rest
        # read it with personal data masked
        principal = principal_of(request)
        as_typed = principal is not None and principal.reads_as_typed

        def shown(row: dict) -> str | None:
            text = row.get("text")
            return text if as_typed or text is None else mask_personal_data(text)

        return {
            "commune_id": commune_id,
            "dialogue_id": dialogue_id,
            "items": [
                {"id": r["_id"], **{k: r.get(k) for k in _PUBLIC_ITEM_FIELDS}, "text": shown(r)} for r in rows
            ],
        }

    @router.get(
        "/conclusion-notice/draft",
        response_class=HTMLResponse,
        summary="Dự thảo Thông báo kết luận (draft conclusion notice), HTML",
    )
    async def draft_notice(commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)):
        try:
            html = await handlers.draft_conclusion_notice(deps, commune_id, dialogue_id)
        except NotFound:
            return _not_found()
        except ItemsIncomplete as incomplete:
            return items_incomplete(incomplete)
        return HTMLResponse(html)

    @router.get(
        "/radio-announcement",
        response_class=PlainTextResponse,
        summary="Thông báo trên hệ thống truyền thanh: the plan read out on the commune radio",
    )
    async def radio(commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)):
        try:
            return PlainTextResponse(await handlers.radio_text(deps, commune_id, dialogue_id))
        except NotFound:
            return _not_found()

    return router


def _not_found() -> JSONResponse:
    return problem(
        404, "not_found", "Không tìm thấy xã/phường hoặc đợt đối thoại.", "Unknown commune or dialogue."
    )


def items_incomplete(incomplete: ItemsIncomplete) -> JSONResponse:
    """503: the dialogue's items not yet classified could not be listed, so nothing is built
    from part of them; the staff pages show `message_vi`."""
    response = problem(503, "items_incomplete", incomplete.message_vi, incomplete.message_en)
    response.headers["Retry-After"] = "5"
    return response
