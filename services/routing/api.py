"""Routing HTTP API for the Party office: the review queue, a decision with its explanation and
audit trail, staff changes, and the commune's editable rules. Each route parses, calls one use
case (`services/routing/handlers`) and renders."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.routing import handlers
from services.routing.changes import ChangeIn, ChangeRejected
from services.routing.handlers import INVALID_RULES, Conflict, NotFound, OfficeScope, RoutingDeps, RuleBook
from shared.auth.guard import GuardedRoute, actor, principal_of
from shared.auth.principal import Role
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.http import error_body, problem
from shared.outbox import OUTBOX_FIELDS
from shared.personal_data import mask_personal_data

CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])
# The outbox's bookkeeping (the writer's host and process id among it) and what a decision
# keeps only for matching: never shown.
_HIDDEN = frozenset({*OUTBOX_FIELDS, "match_keys", "tokens", "match_places"})


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


def _public(doc: dict[str, Any], *, as_typed: bool) -> dict[str, Any]:
    """A decision as the caller reads it: what residents typed in it (its text, the earlier
    items' texts it quotes) as typed for the Party office and the commune admin, with personal
    data masked for everyone else (an office's staff, an integration's key), as intake's and
    reporting's APIs give them; answers and staff notes as written."""
    shown = {k: v for k, v in doc.items() if k not in _HIDDEN and k != "_id"} | {"submission_id": doc["_id"]}
    if as_typed:
        return shown
    if shown.get("text") is not None:
        shown["text"] = mask_personal_data(shown["text"])
    if shown.get("earlier"):
        shown["earlier"] = [
            {**e, "text": mask_personal_data(e["text"])} if isinstance(e, dict) and e.get("text") else e
            for e in shown["earlier"]
        ]
    return shown


def _reads_as_typed(request: Request) -> bool:
    principal = principal_of(request)
    return principal is not None and principal.reads_as_typed


def _scope(request: Request) -> OfficeScope | None:
    """Office staff act only on their own office's items (the policy admitted their role)."""
    principal = principal_of(request)
    if principal is not None and principal.role is Role.OFFICE_STAFF:
        return OfficeScope(principal.office_id)
    return None


def build_router(deps: RoutingDeps, rules: RuleBook) -> APIRouter:
    router = APIRouter(prefix="/api/v1/communes/{commune_id}", tags=["routing"], route_class=GuardedRoute)

    @router.get("/review-queue", summary="Classifications the Party office should look at (low confidence)")
    async def review_queue(request: Request, commune_id: str = CommuneId):
        items = await handlers.review_queue(deps, commune_id)
        as_typed = _reads_as_typed(request)
        return {"commune_id": commune_id, "items": [_public(d, as_typed=as_typed) for d in items]}

    @router.get(
        "/submissions/{submission_id}/routing",
        summary="The routing decision, its explanation and every change made to it",
    )
    async def decision(
        request: Request, commune_id: str = CommuneId, submission_id: str = Path(max_length=64)
    ):
        try:
            doc, changes = await handlers.decision_with_changes(
                deps, commune_id, submission_id, _scope(request)
            )
        except NotFound:
            return _not_found()
        return {
            **_public(doc, as_typed=_reads_as_typed(request)),
            "changes": [{k: v for k, v in c.items() if k != "commune_id"} for c in changes],
        }

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
        try:
            await handlers.apply_routing_change(deps, commune_id, submission_id, body, actor(request))
        except NotFound:
            return _not_found()
        except Conflict as conflict:
            return problem(409, conflict.code, conflict.vi, conflict.en)
        except ChangeRejected as rejected:
            error = {
                "loc": ("body", rejected.field or "action"),
                "type": "change_rejected",
                "msg": rejected.en,
                "ctx": {"reason_vi": rejected.vi, "reason_en": rejected.en},
            }
            return JSONResponse(status_code=422, content=error_body([error]))
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
        try:
            await handlers.record_answer(
                deps, commune_id, submission_id, body.text, actor(request), _scope(request)
            )
        except NotFound:
            return _not_found()
        except Conflict as conflict:
            return problem(409, conflict.code, conflict.vi, conflict.en)
        return await decision(request, commune_id, submission_id)

    @router.get("/routing/rules", summary="The commune's classification rules (or the built-in default)")
    async def get_rules(commune_id: str = CommuneId):
        return await handlers.rules_document(rules, commune_id)

    @router.put("/routing/rules", summary="Replace the commune's classification rules (no deploy needed)")
    async def put_rules(request: Request, body: RulesIn, commune_id: str = CommuneId):
        try:
            version = await handlers.replace_rules(deps, rules, commune_id, body.rules, actor(request))
        except NotFound:
            return _not_found()
        except INVALID_RULES as exc:
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
        await handlers.reset_rules(rules, commune_id)

    return router


def _not_found() -> JSONResponse:
    return problem(
        404, "not_found", "Không tìm thấy xã/phường hoặc ý kiến.", "Unknown commune or submission."
    )
