"""HTTP adapter for the meeting record (`handlers.meeting`): each route parses, calls one use case
and renders; refusals become bilingual problems (404, 409 stale or locked, 422 per field, such as
a conclusion's deadline_date not after the meeting day), a stale revision and an unknown
programme item naming their field (`revision`, `item_id`).

The programme is changed one item at a time (`PUT`/`DELETE …/programme/{item_id}`), as it is
recorded and as the meeting page's buttons act, each change naming the revision it was read at."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.reporting.handlers import meeting
from services.reporting.handlers.errors import NotFound
from services.reporting.handlers.ports import MeetingDeps
from services.reporting.meeting import MAX_WORKING_DAYS
from services.reporting.published import (
    MAX_ASKED,
    Busy,
    IssueMembers,
    Masked,
    Materialised,
    PublicReads,
    ReadLimits,
    ScannedMembers,
    published,
)
from shared.auth.guard import GuardedRoute, actor, principal_of
from shared.clock import as_utc
from shared.contracts import ConclusionKind, Kind
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.errors import PermanentError, TransientError
from shared.http import error_body, problem, too_many_submissions
from shared.personal_data import NAME, mask_personal_data

CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])
DialogueId = Path(max_length=64)
ItemId = Path(max_length=64, description="A programme item's id, as the record lists it")


def _representable(moment: datetime) -> datetime:
    """A time the record can store and print: its year in `MOMENT_YEARS`, its UTC time existing."""
    if moment.year not in MOMENT_YEARS:
        raise ValueError(f"the year must be {MOMENT_YEARS[0]}-{MOMENT_YEARS[-1]}")
    try:
        as_utc(moment)
    except OverflowError:
        raise ValueError("the time is out of range in UTC") from None
    return moment


MOMENT_YEARS = range(1900, 3000)
# A time of the meeting day (started, ended, a programme item, an intervention).
Moment = Annotated[datetime, AfterValidator(_representable)]


class FactsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: int = Field(ge=0, description="The revision the record was read at (compare-and-set)")
    started_at: Moment | None = None
    ended_at: Moment | None = None
    chair: str | None = Field(None, max_length=200)
    minute_taker: str | None = Field(None, max_length=200)
    delegates_present: list[str] | None = Field(None, max_length=100)


class ProgrammeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    at: Moment | None = None
    note: str | None = Field(None, max_length=2000)


class ProgrammeEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    revision: int = Field(ge=0, description="The revision the record was read at (compare-and-set)")
    position: int | None = Field(
        None,
        ge=1,
        description="The item's new place, 1 first, at most the number of items (the others keep "
        "their order); the minutes print the programme in this order",
        examples=[2],
    )
    title: str | None = Field(None, min_length=1, max_length=500)
    at: Moment | None = Field(None, description="When the item started; null: no time printed")
    note: str | None = Field(None, max_length=2000)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    by: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=5000)


class NewIssueIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=5, max_length=5000)
    kind: Kind | None = None
    hamlet: str | None = Field(None, max_length=120)


class InterventionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    speaker: str = Field(min_length=1, max_length=200)
    registered: bool = False
    hamlet: str | None = Field(None, max_length=120)
    organisation: str | None = Field(None, max_length=200)
    question: str = Field(min_length=1, max_length=5000)
    issue_keys: list[str] = Field(default_factory=list, max_length=50)
    tracking_codes: list[str] = Field(default_factory=list, max_length=50)
    new_issues: list[NewIssueIn] = Field(default_factory=list, max_length=10)
    answers: list[AnswerIn] = Field(default_factory=list, max_length=20)
    at: Moment | None = None


class InterventionEditIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    speaker: str | None = Field(None, min_length=1, max_length=200)
    registered: bool | None = None
    hamlet: str | None = Field(None, max_length=120)
    organisation: str | None = Field(None, max_length=200)
    question: str | None = Field(None, min_length=1, max_length=5000)
    issue_keys: list[str] | None = Field(None, max_length=50)
    tracking_codes: list[str] | None = Field(None, max_length=50)
    answers: list[AnswerIn] | None = Field(None, max_length=20)
    at: Moment | None = None


class ConclusionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ConclusionKind
    text: str = Field("", max_length=5000)
    office_id: str | None = Field(None, max_length=64)
    coordinating_office_ids: list[str] = Field(default_factory=list, max_length=20)
    deadline_working_days: int | None = Field(None, description=f"1-{MAX_WORKING_DAYS} working days")
    deadline_date: date | None = Field(None, description="A day after the meeting's")
    higher_body: str | None = Field(None, max_length=300)
    reason: str | None = Field(None, max_length=5000)


class SummaryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    summary: str = Field(max_length=5000)
    public: bool = Field(
        True,
        strict=True,
        description="Shown in public views (public pages, open data, Open311); false: printed by the "
        "issued documents only",
    )


def build_meeting_router(deps: MeetingDeps, limits: ReadLimits) -> APIRouter:
    """`limits`: how many public reads (`…/published`, open data) reach the store at once in this
    process, shared with the open-data routes."""
    members = Materialised(
        deps.meetings if isinstance(deps.meetings, IssueMembers) else ScannedMembers(deps.items)
    )
    mask = Masked()

    async def read_published(key: tuple[str, str, tuple[str, ...] | None]) -> Any:
        commune_id, dialogue_id, asked = key
        return await published(deps.directory, deps.meetings, members, commune_id, dialogue_id, asked, mask)

    published_reads = PublicReads(read_published, limits, name="published-read")
    router = APIRouter(
        prefix="/api/v1/communes/{commune_id}/dialogues/{dialogue_id}/meeting",
        tags=["meeting"],
        route_class=GuardedRoute,
    )

    @router.get("", summary="The meeting record: facts, programme, attendance, interventions, conclusions")
    async def get_record(request: Request, commune_id: str = CommuneId, dialogue_id: str = DialogueId):
        principal = principal_of(request)
        as_typed = principal is not None and principal.reads_as_typed

        async def read() -> dict[str, Any]:
            record = await meeting.meeting_record(deps, commune_id, dialogue_id)
            if as_typed:
                return record
            return {**record, "interventions": [masked_intervention(i) for i in record["interventions"]]}

        return await _run(read())

    @router.put("", summary="Facts of the meeting (compare-and-set on revision)")
    async def put_facts(
        request: Request, body: FactsIn, commune_id: str = CommuneId, dialogue_id: str = DialogueId
    ):
        facts = body.model_dump(exclude={"revision"}, exclude_unset=True)
        command = meeting.RecordFacts(commune_id, dialogue_id, body.revision, facts, actor(request))
        return await _run(meeting.record_facts(deps, command))

    @router.post("/programme", status_code=201, summary="A programme item as held")
    async def post_programme(
        request: Request, body: ProgrammeIn, commune_id: str = CommuneId, dialogue_id: str = DialogueId
    ):
        item = body.model_dump()
        return await _run(
            meeting.add_programme_item(deps, commune_id, dialogue_id, item, actor(request)), 201
        )

    @router.put(
        "/programme/{item_id}",
        summary="Move a programme item (position) or correct its title, time or note "
        "(compare-and-set on revision)",
    )
    async def put_programme_item(
        request: Request,
        body: ProgrammeEditIn,
        commune_id: str = CommuneId,
        dialogue_id: str = DialogueId,
        item_id: str = ItemId,
    ):
        fields = body.model_dump(include={"title", "at", "note"}, exclude_unset=True)
        command = meeting.ChangeProgrammeItem(
            commune_id, dialogue_id, item_id, body.revision, actor(request), body.position, fields
        )
        return await _run(meeting.change_programme_item(deps, command))

    @router.delete(
        "/programme/{item_id}", summary="Remove a programme item recorded by mistake (compare-and-set)"
    )
    async def delete_programme_item(
        request: Request,
        commune_id: str = CommuneId,
        dialogue_id: str = DialogueId,
        item_id: str = ItemId,
        revision: int = Query(ge=0, description="The revision the record was read at (compare-and-set)"),
    ):
        command = meeting.RemoveProgrammeItem(commune_id, dialogue_id, item_id, revision, actor(request))
        return await _run(meeting.remove_programme_item(deps, command))

    @router.post("/interventions", status_code=201, summary="An intervention; new issues go through intake")
    async def post_intervention(
        request: Request, body: InterventionIn, commune_id: str = CommuneId, dialogue_id: str = DialogueId
    ):
        new = tuple(
            meeting.NewIssue(n.text, n.kind.value if n.kind else None, n.hamlet) for n in body.new_issues
        )
        command = meeting.AddIntervention(
            commune_id, dialogue_id, body.model_dump(exclude={"new_issues"}), actor(request), new
        )
        return await _run(meeting.add_intervention(deps, command), 201)

    @router.put("/interventions/{intervention_id}", summary="Edit an intervention (autosave)")
    async def put_intervention(
        request: Request,
        body: InterventionEditIn,
        commune_id: str = CommuneId,
        dialogue_id: str = DialogueId,
        intervention_id: str = Path(max_length=64),
    ):
        changes = body.model_dump(exclude_unset=True)
        call = meeting.edit_intervention(
            deps, commune_id, dialogue_id, intervention_id, changes, actor(request)
        )
        return await _run(call)

    @router.get("/published", summary="Per submission: its public reviewed summary, or withheld (services)")
    async def get_published(
        commune_id: str = CommuneId,
        dialogue_id: str = DialogueId,
        submission_id: str | None = Query(
            None,
            max_length=MAX_ASKED * 65,
            description=f"Only these submissions (comma-separated, at most {MAX_ASKED}); "
            "without it, every submission of the dialogue",
        ),
    ):
        asked = None
        if submission_id is not None:
            asked = tuple(sorted({i.strip() for i in submission_id.split(",") if i.strip()}))
            if len(asked) > MAX_ASKED:
                return too_many_submissions(MAX_ASKED)
        return await _run(published_reads.get((commune_id, dialogue_id, asked)))

    @router.put(
        "/issues/{issue_key}",
        summary="The reviewed summary of an issue, printed by the documents, and its public flag",
    )
    async def put_issue(
        request: Request,
        body: SummaryIn,
        commune_id: str = CommuneId,
        dialogue_id: str = DialogueId,
        issue_key: str = Path(max_length=64),
    ):
        call = meeting.set_issue_summary(
            deps, commune_id, dialogue_id, issue_key, body.summary, actor(request), body.public
        )
        return await _run(call)

    @router.put("/conclusions/{issue_key}", summary="The Secretary's conclusion on one issue")
    async def put_conclusion(
        request: Request,
        body: ConclusionIn,
        commune_id: str = CommuneId,
        dialogue_id: str = DialogueId,
        issue_key: str = Path(max_length=64),
    ):
        command = meeting.SetConclusion(commune_id, dialogue_id, issue_key, body.model_dump(), actor(request))
        return await _run(meeting.set_conclusion(deps, command))

    return router


def masked_intervention(intervention: dict[str, Any]) -> dict[str, Any]:
    """An intervention as those read it who do not see who sent what (an office's staff, an
    integration's key): the speaker's name withheld, personal data in the question and in the
    answers masked; the answering official's title (`by`), the hamlet and the rest kept."""
    return {
        **intervention,
        "speaker": NAME,
        "question": mask_personal_data(intervention.get("question")),
        "answers": [
            {**answer, "text": mask_personal_data(answer.get("text"))}
            for answer in intervention.get("answers") or ()
        ],
    }


def _problem(status: int, code: str, vi: str, en: str, field: str) -> JSONResponse:
    """A problem (`shared.http.problem`) naming the field it is about."""
    return JSONResponse(
        status_code=status, content={"error": code, "message_vi": vi, "message_en": en, "field": field}
    )


async def _run(call: Awaitable[Any], status: int = 200) -> Any:
    try:
        result = await call
    except NotFound:
        return problem(
            404,
            "not_found",
            "Không tìm thấy xã/phường, đợt đối thoại hoặc mục.",
            "Unknown commune, dialogue or entry.",
        )
    except meeting.UnknownIssue as unknown:
        return problem(
            404,
            "unknown_issue",
            f"Không có vấn đề '{unknown.key}' trong đợt đối thoại này.",
            f"No issue {unknown.key!r} in this dialogue.",
        )
    except meeting.UnknownProgrammeItem as unknown:
        return _problem(
            404,
            "unknown_programme_item",
            "Không có mục chương trình này trong hồ sơ hội nghị (có thể đã bị xóa); vui lòng tải lại.",
            f"No programme item {unknown.item_id!r} in the meeting record (removed?); reload.",
            "item_id",
        )
    except meeting.RecordLocked:
        return problem(
            409,
            "locked",
            "Thông báo kết luận đã ban hành: biên bản hội nghị không còn được sửa.",
            "The conclusion notice is issued: the meeting record is locked.",
        )
    except meeting.RecordChanged as changed:
        response = _problem(
            409,
            "stale_revision",
            "Biên bản đã được người khác cập nhật; vui lòng tải lại.",
            "The record changed since it was read; reload and retry.",
            "revision",
        )
        response.headers["x-revision"] = str(changed.current)
        return response
    except Busy as busy:
        return busy.response()
    except meeting.InvalidEntry as invalid:
        error = {
            "loc": ("body", invalid.field),
            "type": invalid.kind,
            "msg": invalid.en,
            "ctx": {"reason_vi": invalid.vi, "reason_en": invalid.en},
        }
        return JSONResponse(status_code=422, content=error_body([error]))
    except PermanentError as refused:
        return problem(
            422,
            "submission_refused",
            "Hệ thống tiếp nhận không chấp nhận ý kiến mới này; kiểm tra lại nội dung.",
            f"Intake refused the new item: {refused}",
        )
    except TransientError:
        response = problem(
            503,
            "intake_unavailable",
            "Chưa chuyển được ý kiến mới sang hệ thống tiếp nhận; vui lòng thử lại sau ít phút.",
            "Intake is unavailable; nothing was recorded. Retry later.",
        )
        response.headers["Retry-After"] = "5"
        return response
    return JSONResponse(status_code=status, content=result)
