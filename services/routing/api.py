"""Routing HTTP API for the Party office: the review queue, a decision with its explanation and
audit trail, staff changes, and the commune's editable rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.routing.changes import ChangeIn, ChangeRejected, apply_change
from services.routing.recurrence import Match, summarise
from services.routing.repeats import Repeats, candidate_from, with_recurrence
from services.routing.repository import DecisionRepository
from services.routing.rules_store import RulesStore
from shared.auth.guard import GuardedRoute, actor, principal_of
from shared.auth.principal import Role
from shared.clock import iso, utcnow
from shared.contracts import Envelope, SubmissionRoutedV1
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import DirectoryReader
from shared.http import error_body, problem
from shared.ids import new_id
from shared.outbox import Outbox

CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])
_HIDDEN = {"outbox": 0, "outbox_pending": 0, "outbox_at": 0, "match_keys": 0, "tokens": 0}


class RulesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: dict[str, Any] = Field(description="The shape of services/routing/rules/default.json")
    updated_by: str | None = Field(
        None, max_length=120, description="Ignored: the author is the authenticated principal"
    )


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=3, max_length=5000, description="The answer as given to the people")
    by: str | None = Field(
        None, max_length=120, description="Ignored: the author is the authenticated principal"
    )


def _public(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k not in _HIDDEN and k != "_id"} | {"submission_id": doc["_id"]}


def _out_of_scope(request: Request, doc: dict) -> bool:
    """Office staff act only on their own office's items (the policy admitted their role)."""
    principal = principal_of(request)
    return (
        principal is not None
        and principal.role is Role.OFFICE_STAFF
        and doc.get("office_id") != principal.office_id
    )


def build_router(
    repo: DecisionRepository, rules: RulesStore, repeats: Repeats, directory: DirectoryReader, outbox: Outbox
) -> APIRouter:
    router = APIRouter(prefix="/api/v1/communes/{commune_id}", tags=["routing"], route_class=GuardedRoute)

    @router.get("/review-queue", summary="Classifications the Party office should look at (low confidence)")
    async def review_queue(commune_id: str = CommuneId):
        return {"commune_id": commune_id, "items": [_public(d) for d in await repo.review_queue(commune_id)]}

    @router.get(
        "/submissions/{submission_id}/routing",
        summary="The routing decision, its explanation and every change made to it",
    )
    async def decision(
        request: Request, commune_id: str = CommuneId, submission_id: str = Path(max_length=64)
    ):
        doc = await repo.get(commune_id, submission_id)
        if doc is None or _out_of_scope(request, doc):
            return _not_found()
        changes = [
            {k: v for k, v in c.items() if k != "commune_id"}
            for c in await repo.change_log(commune_id, submission_id)
        ]
        return {**_public(doc), "changes": changes}

    @router.post(
        "/submissions/{submission_id}/routing/changes",
        summary="Reclassify, reassign, confirm, merge or split (audited)",
    )
    async def change(
        request: Request,
        body: ChangeIn,
        commune_id: str = CommuneId,
        submission_id: str = Path(max_length=64),
    ):
        body = body.model_copy(update={"by": actor(request)})
        doc = await repo.get(commune_id, submission_id)
        commune = await directory.commune(commune_id)
        if doc is None or commune is None:
            return _not_found()
        dialogue = await directory.dialogue(commune_id, doc["dialogue_id"])
        if dialogue is None:
            return problem(
                409,
                "dialogue_gone",
                "Đợt đối thoại của ý kiến này không còn.",
                "The submission's dialogue no longer exists.",
            )
        current = SubmissionRoutedV1.model_validate(doc)
        target, target_doc = None, None
        if body.action == "merge" and body.into:
            target_doc = await repo.get(commune_id, body.into)
            target = (
                SubmissionRoutedV1.model_validate(target_doc)
                if target_doc and body.into != submission_id
                else None
            )
        try:
            revised = apply_change(current, body, commune, dialogue, target=target)
            if body.action == "merge":
                members = await repeats.members(commune_id, revised.cluster_id)
                year = doc.get("year") or dialogue.year
                revised = with_recurrence(
                    revised, summarise(submission_id, year, Match(candidate_from(target_doc), 1.0), members)
                )
        except ChangeRejected as rejected:
            error = {
                "loc": ("body", rejected.field or "action"),
                "type": "change_rejected",
                "msg": rejected.en,
                "ctx": {"reason_vi": rejected.vi, "reason_en": rejected.en},
            }
            return JSONResponse(status_code=422, content=error_body([error]))
        envelope = Envelope.wrap(revised, commune_id=commune_id, correlation_id=new_id())
        before = {k: doc.get(k) for k in ("topic", "office_id", "authority_level", "cluster_id")}
        after = {k: getattr(revised, k) for k in before}
        audit = {
            "action": body.action,
            "by": body.by,
            "reason": body.reason,
            "at": iso(utcnow()),
            "revision": revised.revision,
            "before": before,
            "after": after,
        }
        if not await repo.revise(revised, envelope, current.revision, audit):
            return problem(
                409,
                "decision_changed",
                "Quyết định vừa được người khác sửa; tải lại rồi thử lại.",
                "The decision changed meanwhile; reload and retry.",
            )
        try:
            await outbox.flush_document(repo.decisions, commune_id, submission_id)
        except Exception:  # stored; the relay publishes it
            pass
        return await decision(request, commune_id, submission_id)

    @router.put(
        "/submissions/{submission_id}/answer",
        summary="Record the answer given (carried to later repeats of the issue)",
    )
    async def answer(
        request: Request,
        body: AnswerIn,
        commune_id: str = CommuneId,
        submission_id: str = Path(max_length=64),
    ):
        doc = await repo.get(commune_id, submission_id)
        if (
            doc is None
            or _out_of_scope(request, doc)
            or not await repo.record_answer(commune_id, submission_id, body.text, actor(request))
        ):
            return _not_found()
        return await decision(request, commune_id, submission_id)

    @router.get("/routing/rules", summary="The commune's classification rules (or the built-in default)")
    async def get_rules(commune_id: str = CommuneId):
        return await rules.document(commune_id)

    @router.put("/routing/rules", summary="Replace the commune's classification rules (no deploy needed)")
    async def put_rules(request: Request, body: RulesIn, commune_id: str = CommuneId):
        if await directory.commune(commune_id) is None:
            return _not_found()
        try:
            version = await rules.replace(commune_id, body.rules, actor(request))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            error = {
                "loc": ("body", "rules"),
                "type": "invalid_rules",
                "msg": str(exc),
                "ctx": {
                    "reason_vi": f"Bộ quy tắc không hợp lệ: {exc}",
                    "reason_en": f"Invalid rule set: {exc}",
                },
            }
            return JSONResponse(status_code=422, content=error_body([error]))
        return {"commune_id": commune_id, "version": version}

    @router.delete("/routing/rules", status_code=204, summary="Go back to the built-in rules")
    async def reset_rules(commune_id: str = CommuneId):
        await rules.reset(commune_id)

    return router


def _not_found() -> JSONResponse:
    return problem(
        404, "not_found", "Không tìm thấy xã/phường hoặc ý kiến.", "Unknown commune or submission."
    )
