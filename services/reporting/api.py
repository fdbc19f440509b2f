"""Reporting HTTP API: the dialogue's items, how the earlier rounds of a repeat ended, the draft
conclusion notice and the radio text."""

from __future__ import annotations

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from pydantic import BaseModel, Field

from services.reporting import handlers
from services.reporting.handlers import DocumentDeps, ItemsIncomplete, NotFound
from services.reporting.handlers.earlier_rounds import MAX_ASKED, earlier_followup
from shared.auth.guard import GuardedRoute, principal_of
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.http import problem, too_many_submissions
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


class EarlierRound(BaseModel):
    """How one earlier round of a repeat ended: the follow-up task that followed its submission up."""

    task_id: str
    dialogue_id: str = Field(description="The earlier dialogue the task belongs to")
    year: int
    conclusion: str = Field(
        description="The Secretary's conclusion (masked unless read as typed); '' if none"
    )
    office: str
    status: str = Field(description="FollowUpStatus value")
    due: str | None = Field(None, description="ISO date")
    overdue: bool = Field(description="Still open past its due date, today")
    outcome_vi: str = Field(examples=["quá hạn (hạn 30/09/2016), chưa giải quyết xong"])
    line_vi: str = Field(
        description="As the documents print it",
        examples=["Đợt năm 2016: kết luận “Sửa chữa lộ đal”; kết quả: đã giải quyết xong."],
    )


class EarlierRounds(BaseModel):
    commune_id: str
    dialogue_id: str
    rounds: dict[str, EarlierRound] = Field(
        description="By submission id asked; one no earlier dialogue's task followed up is absent"
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
        "/earlier-followup",
        response_model=EarlierRounds,
        summary="How the earlier rounds of a repeat ended: per earlier submission, the follow-up task "
        "of an earlier dialogue, its conclusion (masked except for the Party office and the commune "
        "admin) and outcome, as the documents print them",
    )
    async def earlier(
        request: Request,
        commune_id: str = CommuneId,
        dialogue_id: str = Path(max_length=64),
        submission_id: str = Query(
            max_length=MAX_ASKED * 65,
            description=f"Submissions of earlier dialogues (comma-separated, at most {MAX_ASKED})",
        ),
    ):
        asked = [i.strip() for i in submission_id.split(",") if i.strip()]
        if len(set(asked)) > MAX_ASKED:
            return too_many_submissions(MAX_ASKED)
        principal = principal_of(request)
        try:
            rounds = await earlier_followup(
                deps,
                commune_id,
                dialogue_id,
                asked,
                as_typed=principal is not None and principal.reads_as_typed,
            )
        except NotFound:
            return _not_found()
        return {"commune_id": commune_id, "dialogue_id": dialogue_id, "rounds": rounds}

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
    async def radio(request: Request, commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)):
        principal = principal_of(request)
        drafts = principal is not None and principal.reads_commune(commune_id)
        try:
            return PlainTextResponse(await handlers.radio_text(deps, commune_id, dialogue_id, drafts))
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
