"""HTTP API of intake: residents and organisations send submissions and follow them."""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from services.intake.access import organisation_reads
from services.intake.closing import not_taking
from services.intake.dialogue_routes import hamlet_check
from services.intake.handlers.submissions import StoreUnavailable, SubmitCommand, SubmitDeps
from services.intake.handlers.submissions import submit as submit_submission
from services.intake.logic import SubmissionRejected
from services.intake.public_limits import API, TRACKING, check_public_limit
from services.intake.raised import issue_raised
from services.intake.repository import SubmissionRepository
from services.intake.schemas import SubmissionAccepted, SubmissionIn, SubmissionView
from services.intake.tracking import era_named, resident_note, tracked_text
from shared.auth.guard import GuardedRoute, principal_of
from shared.auth.principal import Principal, Role
from shared.clock import as_utc
from shared.contracts import SubmissionStatus
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import Commune, DirectoryReader
from shared.http import checks_body_with, error_body, problem
from shared.personal_data import mask_personal_data

CommuneId = Path(pattern=COMMUNE_ID_PATTERN, description="Commune id, e.g. demo", examples=["demo"])


def build_router(
    repo: SubmissionRepository, directory: DirectoryReader, submissions: SubmitDeps
) -> APIRouter:
    router = APIRouter(prefix="/api/v1/communes/{commune_id}", tags=["submissions"], route_class=GuardedRoute)

    @router.post(
        "/submissions",
        status_code=202,
        response_model=SubmissionAccepted,
        summary="Gửi ý kiến, kiến nghị, phản ánh (send an opinion, petition or complaint)",
        responses={
            404: {"description": "Unknown commune"},
            409: {"description": "No open dialogue"},
            422: {"description": "Invalid input"},
            429: {"description": "Too many from this address (anonymous callers); Retry-After"},
            503: {"description": "Store unavailable, or too much work queued; retry after Retry-After"},
        },
    )
    @checks_body_with(hamlet_check(directory))
    async def submit(request: Request, body: SubmissionIn, commune_id: str = CommuneId):
        if limited := await check_public_limit(request, commune_id, API):
            return limited
        commune = await directory.commune(commune_id)
        if commune is None:
            return _unknown_commune(commune_id)
        command = SubmitCommand(
            commune, body, correlation_id=request.state.correlation_id, principal=principal_of(request)
        )
        try:
            accepted = await submit_submission(submissions, command)
        except SubmissionRejected as rejected:
            if rejected.code == "no_open_dialogue" and (
                words := not_taking(commune, await directory.dialogues(commune.id))
            ):
                return problem(409, "dialogue_ended", *words)
            if rejected.field is None:
                return problem(409, rejected.code, rejected.vi, rejected.en)
            return JSONResponse(status_code=422, content=error_body([rejected.as_error()]))
        except StoreUnavailable as unavailable:  # the store's outage, or too much work queued
            response = problem(503, unavailable.code, unavailable.vi, unavailable.en)
            response.headers["Retry-After"] = str(unavailable.retry_after_s)
            return response
        return SubmissionAccepted(
            id=accepted.submission_id,
            tracking_code=accepted.tracking_code,
            links={
                "self": f"/api/v1/communes/{commune_id}/submissions/{accepted.submission_id}",
                "track": f"/api/v1/communes/{commune_id}/tracking/{accepted.tracking_code}",
            },
        )

    @router.get(
        "/submissions/{submission_id}",
        response_model=SubmissionView,
        summary="Status, topic, office and history of a submission (staff, integrations)",
    )
    async def get_submission(
        request: Request, commune_id: str = CommuneId, submission_id: str = Path(max_length=64)
    ):
        doc = await repo.get(commune_id, submission_id)
        if doc is None or not await _in_scope(directory, principal_of(request), doc):
            return _not_found()
        principal = principal_of(request)
        # who sees who sent an item reads its text as typed; offices, cells, organisations and
        # integrations read it with personal data masked
        return await _view(repo, directory, doc, masked=principal is None or not principal.reads_as_typed)

    @router.get(
        "/tracking/{tracking_code}",
        response_model=SubmissionView,
        summary="Tra cứu bằng mã theo dõi (look up by tracking code)",
    )
    async def track(request: Request, commune_id: str = CommuneId, tracking_code: str = Path(max_length=32)):
        # a commune that does not exist has nothing to find: not counted (no counter stored for it)
        if (commune := await directory.commune(commune_id)) is None:
            return _not_found()
        if limited := await check_public_limit(request, commune_id, TRACKING):
            return limited
        doc = await repo.by_tracking_code(commune_id, tracking_code.strip().upper())
        return await _view(repo, directory, doc, public=True, commune=commune) if doc else _not_found()

    return router


async def _in_scope(directory: DirectoryReader, principal: Principal | None, doc: dict) -> bool:
    """Office staff read their office's items, a hamlet cell its hamlet's, the Front and the mass
    organisations what they sent (`organisation_reads`); the rest of the commune's staff and its
    integrations with `read` every item (the policy admitted the role). An item out of scope
    answers 404, as another commune's: its id does not exist for the caller."""
    if principal is not None and principal.role is Role.FRONT_ORG:
        return organisation_reads(principal.organisation, doc)
    if principal is None or principal.role not in (Role.OFFICE_STAFF, Role.HAMLET_CELL):
        return True
    if principal.role is Role.OFFICE_STAFF:
        return doc.get("office_id") == principal.office_id
    commune = await directory.commune(doc["commune_id"])
    hamlet = next((h for h in commune.hamlets if h.id == principal.hamlet_id), None) if commune else None
    return hamlet is not None and doc.get("hamlet") == hamlet.name


async def _view(
    repo: SubmissionRepository,
    directory: DirectoryReader,
    doc: dict,
    *,
    public: bool = False,
    masked: bool = False,
    commune: Commune | None = None,
) -> SubmissionView:
    """`public` (tracking by code): the history names no member of staff, and personal data in
    the texts is masked (`tracked_text`). `times_raised` is the issue's count as the documents
    print it (`raised.issue_raised`), not the item's count on arrival. `commune`: the item's,
    when the caller has read it already."""
    dialogue = (
        await directory.dialogue(doc["commune_id"], doc["dialogue_id"]) if doc.get("dialogue_id") else None
    )
    raised = await issue_raised(repo.submissions, doc, dialogue.year if dialogue else None)
    # offices named as the dialogue's documents name them (a 2017 item: the titles of that time)
    if dialogue and commune is None:
        commune = await directory.commune(doc["commune_id"])
    titles = commune.office_titles_on(dialogue.meeting_date) if commune and dialogue else {}
    renamed = commune.office_renames_on(dialogue.meeting_date) if commune and dialogue else {}
    received = {
        "at": as_utc(doc["received_at"]),
        "status": SubmissionStatus.RECEIVED.value,
        "note_vi": SubmissionStatus.RECEIVED.label_vi + ".",
        "by": None if public else doc.get("submitted_by", "system"),
    }
    later = [
        {
            "at": as_utc(h["at"]),
            "status": h["status"],
            "note_vi": resident_note(h, renamed) if public else era_named(h["note_vi"], renamed),
            "by": None if public else h.get("by", "system"),
            "staff_note_vi": None if public else h.get("staff_note_vi"),
        }
        for h in await repo.history(doc)
    ]
    office = (
        {"id": doc["office_id"], "name": titles.get(doc["office_id"], doc["office_name"])}
        if doc.get("office_id")
        else None
    )
    return SubmissionView(
        id=doc["_id"],
        tracking_code=doc["tracking_code"],
        commune_id=doc["commune_id"],
        dialogue_id=doc["dialogue_id"],
        status=doc["status"],
        kind=doc["kind"],
        source=doc["source"],
        organisation=doc.get("organisation"),
        hamlet=doc.get("hamlet"),
        text=tracked_text(doc["text"])
        if public
        else mask_personal_data(doc["text"])
        if masked
        else doc["text"],
        topic=doc.get("topic"),
        topic_name=doc.get("topic_name"),
        secondary_topic=doc.get("secondary_topic"),
        office=office,
        authority_level=doc.get("authority_level"),
        needs_review=bool(doc.get("needs_review")),
        duplicate_of=None if public else doc.get("duplicate_of"),  # another resident's item
        times_raised=raised["total"],
        followup_status=doc.get("followup_status"),
        received_at=as_utc(doc["received_at"]),
        updated_at=max(entry["at"] for entry in (received, *later)),
        history=[received, *later],
    )


def _unknown_commune(commune_id: str) -> JSONResponse:
    return problem(
        404,
        "unknown_commune",
        f"Không tìm thấy xã/phường có mã '{commune_id}'.",
        f"Unknown commune '{commune_id}'.",
    )


def _not_found() -> JSONResponse:
    return problem(404, "not_found", "Không tìm thấy ý kiến này.", "Submission not found.")
