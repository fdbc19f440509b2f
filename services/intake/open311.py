"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), so existing civic-issue
clients can send and follow submissions: the dialogue's topics are the services, a submission
is a service request, its tracking code is the token. Every refusal is the spec's
`[{code, description}]`, each description naming its field, in Vietnamese and English."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Coroutine, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from services.intake import closing, open311_xml
from services.intake.handlers.submissions import (
    StoreUnavailable,
    SubmitCommand,
    SubmitDeps,
    record_refused,
    submit,
)
from services.intake.logic import SubmissionRejected
from services.intake.open311_params import (
    ID_MAX_LENGTH,
    FieldProblem,
    RequestFilter,
    latest,
    not_one_of,
    not_text,
    parse_filter,
    w3c,
)
from services.intake.open311_xml import Answer, Format
from services.intake.public_limits import OPEN311, TRACKING, check_public_limit
from services.intake.reporting_api import ReportingOpenData
from services.intake.repository import SubmissionRepository
from services.intake.schemas import SubmissionIn
from services.intake.tracking import era_named
from shared.auth.guard import GuardedRoute
from shared.contracts import ConclusionKind, FollowUpStatus, PlanStatus
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import Commune, Dialogue, DirectoryReader
from shared.errors import PermanentError, TransientError
from shared.forms import FormNotUtf8, FormTooLarge, read_form
from shared.http import error_body
from shared.personal_data import mask_personal_data
from shared.templates import upper_first

log = logging.getLogger(__name__)
CLOSED = frozenset(status.value for status in FollowUpStatus if status.closed)
_COMMUNE_ID = re.compile(COMMUNE_ID_PATTERN)
_LOCAL_TZ = "Asia/Ho_Chi_Minh"  # a dialogue names its own; this for a commune without one
OTHER_SERVICE = (0, "Khác (ngoài các nội dung trọng tâm)")
# The request fields read from a POST: each must be text.
_TEXT_FIELDS = (
    "jurisdiction_id",
    "service_code",
    "description",
    "address_string",
    "first_name",
    "last_name",
    "email",
    "phone",
)


# A JSON client may send these as numbers: taken as their text.
_NUMBERS_TAKEN = frozenset({"service_code", "first_name", "last_name", "phone"})


def _errors(status: int, messages: list[str]) -> JSONResponse:
    return JSONResponse(status_code=status, content=[{"code": status, "description": m} for m in messages])


def _problems(problems: list[FieldProblem], status: int = 400) -> JSONResponse:
    return _errors(status, [p.description for p in problems])


def _georeport(response: Response) -> Response:
    """A bilingual problem (`shared.http.problem`: a 429, a 503) in the spec's form, with its
    Retry-After."""
    body = json.loads(bytes(response.body))
    converted = _errors(response.status_code, [f"{body.get('message_vi')} / {body.get('message_en')}"])
    if "Retry-After" in response.headers:
        converted.headers["Retry-After"] = response.headers["Retry-After"]
    return converted


def _unknown_jurisdiction(commune_id: str) -> JSONResponse:
    shown = commune_id[:40]
    return _problems(
        [
            FieldProblem(
                "jurisdiction_id",
                f"Không tìm thấy xã/phường có mã '{shown}'.",
                f"Unknown jurisdiction '{shown}'.",
            )
        ],
        404,
    )


def _other_jurisdiction(commune: Commune, given: object) -> FieldProblem | None:
    """A `jurisdiction_id` that names another commune than the path does."""
    if given is None or given == "" or given == commune.id:
        return None
    if not isinstance(given, str):
        return not_text("jurisdiction_id")
    return FieldProblem(
        "jurisdiction_id",
        f"Địa chỉ này thuộc xã/phường '{commune.id}', không phải '{given[:40]}'.",
        f"This endpoint is jurisdiction '{commune.id}', not '{given[:40]}'.",
    )


def _not_found(field: str, value: str) -> JSONResponse:
    shown = value[:ID_MAX_LENGTH]
    return _problems([FieldProblem(field, f"Không tìm thấy '{shown}'.", f"'{shown}' not found.")], 404)


def services_of(dialogue: Dialogue | None) -> list[tuple[int, str]]:
    """The dialogue's topics, then "other" (0)."""
    return [*((t.number, t.name) for t in (dialogue.topics if dialogue else ())), OTHER_SERVICE]


def service_codes(dialogue: Dialogue | None) -> list[str]:
    return [str(number) for number, _ in services_of(dialogue)]


def _service(number: int, name: str, dialogue: Dialogue | None) -> dict[str, Any]:
    return {
        "service_code": str(number),
        "service_name": name,
        "description": name,
        "metadata": False,
        "type": "realtime",
        "keywords": "doi thoai, kien nghi",
        "group": f"Đối thoại năm {dialogue.year}" if dialogue else "Đối thoại",
    }


def service_request(
    doc: dict,
    summary: str | None = None,
    notes: bool = True,
    agency: str | None = None,
    outcome: dict[str, str] | None = None,
    offices: Mapping[str, str] | None = None,
) -> dict:
    """A public view: the resident's own text is never in it, only `summary`, the one the Party
    office reviewed for publication (reporting's, masked there and again here), if any; the
    follow-up note, masked, only when `notes` (reporting answered, so it is known public).
    Once the conclusion notice is issued, reporting's `agency` is who acts on it as the Secretary
    concluded (else routing's office), and an issue answered or explained at the meeting, which
    opens no follow-up, is closed with its `outcome` (kind and published conclusion) as the note.
    `offices`: the titles of the dialogue's era (reporting's), for an office named as stored."""
    status = doc.get("followup_status")
    closed = status in CLOSED or (not status and outcome is not None)
    note = era_named(doc.get("followup_note") if status else outcome_note(outcome), offices or {})
    return {
        "service_request_id": doc["_id"],
        "status": "closed" if closed else "open",
        "status_notes": (mask_personal_data(note) or None) if notes else None,
        "service_name": doc.get("topic_name"),
        "service_code": str(doc["topic"]) if doc.get("topic") is not None else None,
        "description": mask_personal_data(summary) or None,
        # reporting's agency; else the body the follow-up named (the notice's), else routing's office
        "agency_responsible": agency
        or doc.get("followup_office")
        or era_named(doc.get("office_name"), offices or {})
        or None,
        "service_notice": None,
        "requested_datetime": w3c(doc["received_at"]),
        "updated_datetime": w3c(updated_at(doc)),
        "expected_datetime": f"{doc['followup_due']}T17:00:00+07:00" if doc.get("followup_due") else None,
        "address": doc.get("hamlet"),
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def updated_at(doc: dict) -> datetime | None:
    """When the request last changed: its routing's latest decision (the first one, a
    reclassification, the prepared answer…) or its conclusion's follow-up, else its receipt."""
    return latest(doc["received_at"], doc.get("routing_updated_at"), doc.get("followup_updated_at"))


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
                        offices=known.offices,
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

    async def jurisdiction(commune_id: str) -> Commune | None:
        return await directory.commune(commune_id) if _COMMUNE_ID.fullmatch(commune_id) else None

    async def named_jurisdiction(commune_id: str, jurisdiction_id: str | None) -> Commune | JSONResponse:
        """The commune of the path, or the spec's error: unknown, or `jurisdiction_id` naming
        another commune."""
        commune = await jurisdiction(commune_id)
        if commune is None:
            return _unknown_jurisdiction(commune_id)
        if other := _other_jurisdiction(commune, jurisdiction_id):
            return _problems([other])
        return commune

    async def open_dialogue(commune: Commune) -> Dialogue | None:
        if commune.current_dialogue_id is None:
            return None
        return await directory.dialogue(commune.id, commune.current_dialogue_id)

    async def described(commune: Commune) -> Dialogue | None:
        """The dialogue the services are: the open one, else the newest past its draft."""
        if (dialogue := await open_dialogue(commune)) is not None:
            return dialogue
        return next((d for d in await directory.dialogues(commune.id) if d.status != PlanStatus.DRAFT), None)

    async def not_taking(commune: Commune) -> JSONResponse:
        """409: the commune has no dialogue open. Once its meeting was held (or the plan closed
        or cancelled) it says so, as the residents' pages do."""
        dialogues = await directory.dialogues(commune.id)
        if (words := closing.not_taking(commune, dialogues)) is not None:
            vi, en = words
        else:
            vi = f"{upper_first(commune.display_name)} chưa mở đợt đối thoại nào để nhận ý kiến."
            en = "This commune has no open dialogue to receive submissions."
        return _errors(409, [f"{vi} / {en}"])

    async def services(commune_id: str, jurisdiction_id: str | None = None):
        commune = await named_jurisdiction(commune_id, jurisdiction_id)
        if not isinstance(commune, Commune):
            return commune
        dialogue = await described(commune)
        return [_service(number, name, dialogue) for number, name in services_of(dialogue)]

    async def definition(commune_id: str, service_code: str, jurisdiction_id: str | None = None):
        commune = await named_jurisdiction(commune_id, jurisdiction_id)
        if not isinstance(commune, Commune):
            return commune
        codes = service_codes(await described(commune))
        if service_code not in codes:
            return _problems([not_one_of("service_code", service_code[:8], codes)], 404)
        return {"service_code": service_code, "attributes": []}

    async def create(request: Request, commune_id: str):
        if not _COMMUNE_ID.fullmatch(commune_id):
            return _unknown_jurisdiction(commune_id)
        if limited := await check_public_limit(request, commune_id, OPEN311):
            return _georeport(limited)
        commune = await jurisdiction(commune_id)
        if commune is None:
            return _unknown_jurisdiction(commune_id)
        try:
            form = await _form(request)
        except FormTooLarge as too_many:
            record_refused(submissions, commune.id)
            return _errors(
                413,
                [
                    f"body: Biểu mẫu có quá nhiều trường (tối đa {too_many.limit}). "
                    f"/ The form holds too many fields (at most {too_many.limit})."
                ],
            )
        except FormNotUtf8:
            record_refused(submissions, commune.id)
            return _errors(400, ["body: Biểu mẫu phải mã hoá UTF-8. / The form body must be UTF-8 text."])
        if form is None:
            return _errors(400, ["body: cần dữ liệu dạng form hoặc JSON / a form or JSON body is required"])
        fields, problems = _text_fields(form)
        if other := _other_jurisdiction(commune, form.get("jurisdiction_id")):
            record_refused(submissions, commune.id)
            return _problems([other])
        dialogue = await open_dialogue(commune)
        if dialogue is None:
            record_refused(submissions, commune.id)
            return await not_taking(commune)
        code = fields.get("service_code", "").strip()
        if code and code not in (codes := service_codes(dialogue)):
            problems.append(not_one_of("service_code", code[:8], codes))
        name = " ".join(p for p in (fields.get("first_name"), fields.get("last_name")) if p) or None
        try:
            body = SubmissionIn.model_validate(
                {
                    "source": "citizen",
                    "kind": "petition",
                    "text": form.get("description") or "",  # as sent: a number is refused by type
                    "hamlet": fields.get("address_string") or None,
                    "submitter_name": name,
                    "contact": fields.get("email") or fields.get("phone") or None,
                }
            )
        except ValidationError as exc:
            details = error_body([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])["detail"]
            problems.extend(
                FieldProblem(_OPEN311_FIELD.get(d["field"], d["field"]), d["message_vi"], d["message_en"])
                for d in details
                if not any(p.field == _OPEN311_FIELD.get(d["field"], d["field"]) for p in problems)
            )
        if problems:
            record_refused(submissions, commune.id)
            return _problems(problems)
        command = SubmitCommand(
            commune,
            body,
            correlation_id=request.state.correlation_id,
            service_code_hint=code or None,
        )
        try:
            accepted = await submit(submissions, command)
        except SubmissionRejected as rejected:
            if rejected.code == "no_open_dialogue":  # closed since it was read
                return await not_taking(commune)
            if rejected.field is None:
                return _errors(409, [f"{rejected.vi} / {rejected.en}"])
            field = _OPEN311_FIELD.get(rejected.field, rejected.field)
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

    async def list_requests(commune_id: str, params: dict[str, str | None], jurisdiction_id: str | None):
        commune = await named_jurisdiction(commune_id, jurisdiction_id)
        if not isinstance(commune, Commune):
            return commune
        dialogue = await described(commune)
        parsed = parse_filter(
            params,
            service_codes(dialogue),
            ZoneInfo(dialogue.timezone if dialogue else _LOCAL_TZ),
        )
        if not isinstance(parsed, RequestFilter):
            return _problems(parsed)
        rows = await public_requests(await repo.find(commune_id, parsed.query()), published)
        if parsed.statuses:
            rows = [r for r in rows if r["status"] in parsed.statuses]
        return rows

    async def one(commune_id: str, service_request_id: str, jurisdiction_id: str | None = None):
        commune = await named_jurisdiction(commune_id, jurisdiction_id)
        if not isinstance(commune, Commune):
            return commune
        doc = (
            await repo.get(commune.id, service_request_id)
            if len(service_request_id) <= ID_MAX_LENGTH
            else None
        )
        rows = await public_requests([doc], published) if doc else []
        return rows or _not_found("service_request_id", service_request_id)

    async def by_token(request: Request, commune_id: str, token: str, jurisdiction_id: str | None = None):
        commune = await named_jurisdiction(commune_id, jurisdiction_id)
        if not isinstance(commune, Commune):
            return commune  # an unknown jurisdiction is not counted (no counter stored for it)
        if limited := await check_public_limit(request, commune.id, TRACKING):
            return _georeport(limited)
        doc = await repo.by_tracking_code(commune.id, token.strip().upper()) if len(token) <= 32 else None
        if doc is None:
            return _not_found("token", token)
        return [{"service_request_id": doc["_id"], "token": doc["tracking_code"]}]

    # The routes: each answers in the format its extension names (`.json` or `.xml`).
    @router.get("/services.{fmt}", summary="The dialogue's topics as Open311 services")
    async def services_route(commune_id: str, fmt: str, jurisdiction_id: str | None = None):
        return await _answered(fmt, Answer.SERVICES, services(commune_id, jurisdiction_id))

    @router.get(
        "/services/{service_code}.{fmt}",
        summary="A service's definition: no extra attributes (every service has metadata false)",
    )
    async def definition_route(
        commune_id: str, service_code: str, fmt: str, jurisdiction_id: str | None = None
    ):
        return await _answered(fmt, Answer.DEFINITION, definition(commune_id, service_code, jurisdiction_id))

    @router.post("/requests.{fmt}", summary="Send a service request (a submission), form-encoded or JSON")
    async def create_route(request: Request, commune_id: str, fmt: str):
        return await _answered(fmt, Answer.REQUESTS, create(request, commune_id))

    @router.get("/requests.{fmt}", summary="Service requests, oldest first (public: no resident's text)")
    async def list_route(
        commune_id: str,
        fmt: str,
        service_request_id: str | None = Query(
            None, description="Comma-delimited ids; the rest is then ignored"
        ),
        service_code: str | None = Query(None, description="Comma-delimited service codes"),
        status: str | None = Query(None, description="open, closed or both, comma-delimited"),
        start_date: str | None = Query(None, description="W3C datetime (local time without an offset)"),
        end_date: str | None = Query(None, description="W3C datetime; a bare date includes that day"),
        jurisdiction_id: str | None = None,
    ):
        params = {
            "service_request_id": service_request_id,
            "service_code": service_code,
            "status": status,
            "start_date": start_date,
            "end_date": end_date,
        }
        return await _answered(fmt, Answer.REQUESTS, list_requests(commune_id, params, jurisdiction_id))

    @router.get("/requests/{service_request_id}.{fmt}", summary="One service request")
    async def one_route(
        commune_id: str, service_request_id: str, fmt: str, jurisdiction_id: str | None = None
    ):
        return await _answered(fmt, Answer.REQUESTS, one(commune_id, service_request_id, jurisdiction_id))

    @router.get("/tokens/{token}.{fmt}", summary="The service request id for a token (the tracking code)")
    async def token_route(
        request: Request, commune_id: str, token: str, fmt: str, jurisdiction_id: str | None = None
    ):
        return await _answered(fmt, Answer.REQUESTS, by_token(request, commune_id, token, jurisdiction_id))

    return router


async def _answered(fmt: str, answer: Answer, produced: Coroutine[Any, Any, Any]) -> Any:
    """The answer in the format the extension names: JSON as produced, or the same in XML
    (errors too); any other extension is a 404 naming the two (nothing is done)."""
    try:
        chosen = Format(fmt)
    except ValueError:
        produced.close()
        return _problems([not_one_of("format", fmt[:8], [f.value for f in Format])], 404)
    result = await produced
    if chosen is Format.JSON:
        return result
    if isinstance(result, Response):
        data = json.loads(bytes(result.body))
        body = open311_xml.errors(data) if result.status_code >= 400 else open311_xml.render(answer, data)
        headers = {k: v for k, v in result.headers.items() if k.lower() == "retry-after"}
        return Response(
            body, status_code=result.status_code, media_type=open311_xml.MEDIA_TYPE, headers=headers
        )
    return Response(open311_xml.render(answer, result), media_type=open311_xml.MEDIA_TYPE)


_OPEN311_FIELD = {
    "text": "description",
    "hamlet": "address_string",
    "submitter_name": "first_name",
    "contact": "email",
}


def _text_fields(form: dict[str, Any]) -> tuple[dict[str, str], list[FieldProblem]]:
    """The request's fields that are text, and a problem for each that is not (a JSON client's
    number is taken as its text where `_NUMBERS_TAKEN` says so)."""
    fields: dict[str, str] = {}
    problems: list[FieldProblem] = []
    for name in _TEXT_FIELDS:
        value = form.get(name)
        if name in _NUMBERS_TAKEN and isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if value is None or isinstance(value, str):
            fields[name] = value or ""
        elif name != "jurisdiction_id":  # named by `_other_jurisdiction`
            problems.append(not_text(name))
    return fields, problems


async def _form(request: Request) -> dict | None:
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = await request.json()
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            return None
        return data if isinstance(data, dict) else None
    form = await read_form(request)
    return {k: str(v) for k, v in form.items()}
