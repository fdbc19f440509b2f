"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), so existing civic-issue
clients can send and follow submissions: the dialogue's topics are the services, a submission
is a service request, its tracking code is the token."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.intake.handlers.submissions import (
    StoreUnavailable,
    SubmitCommand,
    SubmitDeps,
    record_refused,
    submit,
)
from services.intake.logic import SubmissionRejected
from services.intake.public_limits import OPEN311, check_public_limit
from services.intake.reporting_api import ReportingOpenData
from services.intake.repository import SubmissionRepository
from services.intake.schemas import SubmissionIn
from shared.auth.guard import GuardedRoute
from shared.clock import as_utc
from shared.contracts import ConclusionKind, FollowUpStatus
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import DirectoryReader
from shared.errors import PermanentError, TransientError
from shared.http import error_body, read_form
from shared.personal_data import mask_personal_data

log = logging.getLogger(__name__)
CLOSED = frozenset(status.value for status in FollowUpStatus if status.closed)


def _errors(status: int, messages: list[str]) -> JSONResponse:
    return JSONResponse(status_code=status, content=[{"code": status, "description": m} for m in messages])


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return as_utc(value).isoformat().replace("+00:00", "Z")


def service_request(
    doc: dict,
    summary: str | None = None,
    notes: bool = True,
    agency: str | None = None,
    outcome: dict[str, str] | None = None,
) -> dict:
    """A public view: the resident's own text is never in it, only `summary`, the one the Party
    office reviewed for publication (reporting's, masked there and again here), if any; the
    follow-up note, masked, only when `notes` (reporting answered, so it is known public).
    Once the conclusion notice is issued, reporting's `agency` is who acts on it as the Secretary
    concluded (else routing's office), and an issue answered or explained at the meeting, which
    opens no follow-up, is closed with its `outcome` (kind and published conclusion) as the note."""
    status = doc.get("followup_status")
    closed = status in CLOSED or (not status and outcome is not None)
    note = doc.get("followup_note") if status else outcome_note(outcome)
    return {
        "service_request_id": doc["_id"],
        "status": "closed" if closed else "open",
        "status_notes": (mask_personal_data(note) or None) if notes else None,
        "service_name": doc.get("topic_name"),
        "service_code": str(doc["topic"]) if doc.get("topic") is not None else None,
        "description": mask_personal_data(summary) or None,
        "agency_responsible": agency or doc.get("office_name"),
        "service_notice": None,
        "requested_datetime": _iso(doc["received_at"]),
        "updated_datetime": _iso(doc.get("followup_updated_at")) or _iso(doc["received_at"]),
        "expected_datetime": f"{doc['followup_due']}T17:00:00+07:00" if doc.get("followup_due") else None,
        "address": doc.get("hamlet"),
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def outcome_note(outcome: dict[str, str] | None) -> str | None:
    """`Đã trả lời, kết thúc tại hội nghị: …`: the conclusion of an issue closed at the meeting."""
    if not outcome:
        return None
    try:
        kind = ConclusionKind(outcome.get("kind") or "")
    except ValueError:
        return outcome.get("note") or None
    return kind.told(outcome.get("note") or "") or None


async def public_requests(docs: list[dict], published: ReportingOpenData | None) -> list[dict]:
    """The public views of `docs`: the submissions of an issue the Party office keeps out of
    public views are left out entirely; the others carry their issue's reviewed summary and, once
    the notice is issued, the conclusion's agency and the outcome of an issue closed at the
    meeting. When reporting does not answer, none carries a summary or a note (none is known
    public) and the agency is routing's office."""
    rows = []
    for dialogue_id in dict.fromkeys(str(d.get("dialogue_id") or "") for d in docs):
        of_dialogue = [d for d in docs if str(d.get("dialogue_id") or "") == dialogue_id]
        commune_id = str(of_dialogue[0]["commune_id"])
        try:
            asked = [str(d["_id"]) for d in of_dialogue]  # only what this answer shows
            known = await published.published(commune_id, dialogue_id, asked) if published else None
        except (TransientError, PermanentError):
            log.warning("open311: reporting did not answer for %s; no summaries or notes shown", dialogue_id)
            known = None
        for doc in of_dialogue:
            if known is None:
                rows.append(service_request(doc, notes=False))
            elif doc["_id"] not in known.withheld:
                sid = doc["_id"]
                rows.append(
                    service_request(
                        doc,
                        known.summaries.get(sid),
                        agency=known.agencies.get(sid),
                        outcome=known.outcomes.get(sid),
                    )
                )
    order = {d["_id"]: n for n, d in enumerate(docs)}
    return sorted(rows, key=lambda r: order[r["service_request_id"]])


def build_open311_router(
    repo: SubmissionRepository,
    directory: DirectoryReader,
    submissions: SubmitDeps,
    published: ReportingOpenData | None = None,
) -> APIRouter:
    """`published`: reporting's reviewed summaries and withheld issues (none: nothing is known
    public, so no summary or note is shown)."""
    router = APIRouter(
        prefix="/open311/v2/{commune_id}", tags=["Open311 GeoReport v2"], route_class=GuardedRoute
    )
    commune_path = Path(pattern=COMMUNE_ID_PATTERN)

    async def open_dialogue(commune_id: str):
        commune = await directory.commune(commune_id)
        dialogue = (
            await directory.dialogue(commune_id, commune.current_dialogue_id)
            if commune and commune.current_dialogue_id
            else None
        )
        return commune, dialogue

    @router.get("/services.json", summary="The dialogue's topics as Open311 services")
    async def services(commune_id: str = commune_path):
        commune, dialogue = await open_dialogue(commune_id)
        if commune is None:
            return _errors(404, [f"unknown jurisdiction {commune_id}"])
        topics = [(t.number, t.name) for t in dialogue.topics] if dialogue else []
        group = f"Đối thoại năm {dialogue.year}" if dialogue else "Đối thoại"
        return [
            {
                "service_code": str(number),
                "service_name": name,
                "description": name,
                "metadata": False,
                "type": "realtime",
                "keywords": "doi thoai, kien nghi",
                "group": group,
            }
            for number, name in [*topics, (0, "Khác (ngoài các nội dung trọng tâm)")]
        ]

    @router.post("/requests.json", summary="Send a service request (a submission), form-encoded or JSON")
    async def create(request: Request, commune_id: str = commune_path):
        if limited := await check_public_limit(request, commune_id, OPEN311):
            return limited
        commune, _ = await open_dialogue(commune_id)
        if commune is None:
            return _errors(404, [f"unknown jurisdiction {commune_id}"])
        form = await _form(request)
        if form is None:
            return _errors(400, ["body: cần dữ liệu dạng form hoặc JSON / a form or JSON body is required"])
        name = " ".join(str(p) for p in (form.get("first_name"), form.get("last_name")) if p) or None
        try:
            body = SubmissionIn.model_validate(
                {
                    "source": "citizen",
                    "kind": "petition",
                    "text": form.get("description") or "",
                    "hamlet": form.get("address_string") or None,
                    "submitter_name": name,
                    "contact": form.get("email") or form.get("phone") or None,
                }
            )
        except ValidationError as exc:
            record_refused(submissions, commune.id)
            details = error_body([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])["detail"]
            return _errors(
                400,
                [
                    f"{_OPEN311_FIELD.get(d['field'], d['field'])}: {d['message_vi']} / {d['message_en']}"
                    for d in details
                ],
            )
        command = SubmitCommand(
            commune,
            body,
            correlation_id=request.state.correlation_id,
            service_code_hint=str(form.get("service_code") or "")[:8] or None,
        )
        try:
            accepted = await submit(submissions, command)
        except SubmissionRejected as rejected:
            field = _OPEN311_FIELD.get(rejected.field or "", rejected.field or "request")
            return _errors(400, [f"{field}: {rejected.vi} / {rejected.en}"])
        except StoreUnavailable as why:  # an outage or an overload: nothing was stored
            response = _errors(503, [f"{why.vi} / {why.en}"])
            response.headers["Retry-After"] = str(why.retry_after_s)
            return response
        return [
            {
                "service_request_id": accepted.submission_id,
                "token": accepted.tracking_code,
                "service_notice": "Đã tiếp nhận ý kiến.",
                "account_id": None,
            }
        ]

    @router.get("/requests.json", summary="Service requests, newest last (public: no resident's text)")
    async def list_requests(
        commune_id: str = commune_path,
        service_request_id: str | None = Query(None, max_length=2000),
        service_code: str | None = Query(None, max_length=8),
        status: str | None = Query(None, pattern="^(open|closed)(,(open|closed))?$"),
        start_date: datetime | None = None,
        end_date: datetime | None = None,
    ):
        query: dict = {}
        if service_request_id:
            query["_id"] = {"$in": [i.strip() for i in service_request_id.split(",") if i.strip()][:200]}
        if service_code:
            query["topic"] = int(service_code) if service_code.isascii() and service_code.isdigit() else -1
        if start_date or end_date:
            query["received_at"] = {k: as_utc(v) for k, v in (("$gte", start_date), ("$lte", end_date)) if v}
        rows = await public_requests(await repo.find(commune_id, query), published)
        if status:
            rows = [r for r in rows if r["status"] in status.split(",")]
        return rows

    @router.get("/requests/{service_request_id}.json", summary="One service request")
    async def one(commune_id: str = commune_path, service_request_id: str = Path(max_length=64)):
        doc = await repo.get(commune_id, service_request_id)
        rows = await public_requests([doc], published) if doc else []
        return rows or _errors(404, [f"service_request_id {service_request_id} not found"])

    @router.get("/tokens/{token}.json", summary="The service request id for a token (the tracking code)")
    async def token(commune_id: str = commune_path, token: str = Path(max_length=32)):
        doc = await repo.by_tracking_code(commune_id, token.strip().upper())
        return (
            [{"service_request_id": doc["_id"], "token": doc["tracking_code"]}]
            if doc
            else _errors(404, [f"token {token} not found"])
        )

    return router


_OPEN311_FIELD = {
    "text": "description",
    "hamlet": "address_string",
    "submitter_name": "first_name",
    "contact": "email",
}


async def _form(request: Request) -> dict | None:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = await request.json()
        except ValueError:
            return None
        return data if isinstance(data, dict) else None
    form = await read_form(request)
    return {k: str(v) for k, v in form.items()}
