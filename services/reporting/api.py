"""Reporting HTTP API: the dialogue's items and the draft conclusion notice."""

from __future__ import annotations

from fastapi import APIRouter, Path
from fastapi.responses import HTMLResponse, PlainTextResponse
from jinja2 import Environment

from services.reporting.metrics import ReportingMetrics
from services.reporting.radio import radio_announcement
from services.reporting.rendering import DocumentRenderer
from services.reporting.repository import ItemRepository
from shared.auth.guard import GuardedRoute
from shared.clock import VIETNAM_TZ, utcnow
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import DirectoryReader
from shared.http import problem
from shared.plan_deadlines import plan_deadlines

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
)


def build_router(
    repo: ItemRepository,
    directory: DirectoryReader,
    templates: Environment,
    renderer: DocumentRenderer,
    metrics: ReportingMetrics,
) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/communes/{commune_id}/dialogues/{dialogue_id}",
        tags=["reporting"],
        route_class=GuardedRoute,
    )

    async def load(commune_id: str, dialogue_id: str):
        commune = await directory.commune(commune_id)
        dialogue = await directory.dialogue(commune_id, dialogue_id) if commune else None
        return commune, dialogue

    @router.get("/items", summary="Items of the dialogue in the read model (no personal data)")
    async def items(commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)):
        commune, dialogue = await load(commune_id, dialogue_id)
        if dialogue is None:
            return _not_found()
        rows = await repo.for_dialogue(commune_id, dialogue_id)
        return {
            "commune_id": commune_id,
            "dialogue_id": dialogue_id,
            "items": [{"id": r["_id"], **{k: r.get(k) for k in _PUBLIC_ITEM_FIELDS}} for r in rows],
        }

    @router.get(
        "/conclusion-notice/draft",
        response_class=HTMLResponse,
        summary="Dự thảo Thông báo kết luận (draft conclusion notice), HTML",
    )
    async def draft_notice(commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)):
        commune, dialogue = await load(commune_id, dialogue_id)
        if dialogue is None:
            return _not_found()
        rows = await repo.for_dialogue(commune_id, dialogue_id)
        today = utcnow().astimezone(VIETNAM_TZ).date()
        html = renderer.render_one(
            "thong-bao-ket-luan",
            "html",
            commune=commune,
            dialogue=dialogue,
            items=rows,
            carried_over=[],
            number=None,
            issued_on=today,
        )
        metrics.renders.labels(commune_id, "thong-bao-ket-luan-du-thao").inc()
        return HTMLResponse(html)

    @router.get(
        "/radio-announcement",
        response_class=PlainTextResponse,
        summary="Thông báo trên hệ thống truyền thanh: the plan read out on the commune radio",
    )
    async def radio(commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)):
        commune, dialogue = await load(commune_id, dialogue_id)
        if dialogue is None:
            return _not_found()
        reports = next(d for d in plan_deadlines(commune, dialogue) if d.key.startswith("hamlet_reports"))
        metrics.renders.labels(commune_id, "thong-bao-truyen-thanh").inc()
        return PlainTextResponse(
            radio_announcement(templates, commune, dialogue, opinions_due=reports.plan_date)
        )

    return router


def _not_found():
    return problem(
        404, "not_found", "Không tìm thấy xã/phường hoặc đợt đối thoại.", "Unknown commune or dialogue."
    )
