"""Entering opinions on behalf of residents: one at a time (`/staff/y-kien-moi`), or a hamlet
meeting's file in bulk (CSV or XLSX): the form, the template files, and the job page with its
progress bar and per-row error report. Both check a row by the same rules (importer.py).

The job page refreshes itself every second while rows are being stored (`<meta refresh>`: no
script, which the Content-Security-Policy forbids anyway), then shows the final counts.

An upload is parsed off the event loop (a worker thread, `PARSES_AT_ONCE` per process), so the
process answers other requests meanwhile; a file already imported to the dialogue (its job id
is the file's hash) is not parsed again."""

from __future__ import annotations

import asyncio
import csv
import io

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from services.intake.handlers.submissions import StoreUnavailable, SubmitCommand, record_refused, submit
from services.intake.import_jobs import JobProgress, job_id_for
from services.intake.importer import (
    TEMPLATE_EXAMPLE,
    TEMPLATE_HEADER,
    Importer,
    ImportFileRejected,
    ImportRow,
)
from services.intake.logic import SubmissionRejected
from services.intake.schemas import clean_text
from services.intake.web.pages import WHOLE_COMMUNE
from services.intake.web.staff.kit import IMPORTERS, MANAGERS, StaffKit, own_hamlet, topic_choices
from services.intake.web.staff.users import StaffUser
from shared.contracts import Organisation, Source
from shared.directory import Commune, Dialogue
from shared.forms import read_form
from shared.spreadsheets import append_xlsx_row, csv_row

# No plan takes opinions now: none opened yet, or the meeting of the last one was held.
NO_OPEN_DIALOGUE_VI = (
    "Hiện không có đợt đối thoại nào đang nhận ý kiến: chưa mở đợt mới, hoặc hội nghị của đợt gần nhất "
    "đã tổ chức (ý kiến nêu tại hội nghị được ghi ở trang Hội nghị)."
)
ENTRY_KINDS = frozenset({"y kien", "kien nghi", "phan anh"})  # the entry form's kinds
SOURCE_BY_ROLE = {"hamlet_cell": Source.HAMLET_PARTY_CELL, "front_org": Source.FATHERLAND_FRONT}
PARSES_AT_ONCE = 2  # uploads parsed at the same time by one process (each bounded by importer.py)


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_row(TEMPLATE_HEADER))
    writer.writerow(csv_row(TEMPLATE_EXAMPLE))
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read it as UTF-8


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ý kiến"
    append_xlsx_row(sheet, TEMPLATE_HEADER)
    append_xlsx_row(sheet, TEMPLATE_EXAMPLE)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def add_import_routes(staff: APIRouter, kit: StaffKit) -> None:
    settings = kit.rt.settings
    parsing = asyncio.Semaphore(PARSES_AT_ONCE)

    def importer_for(user: StaffUser, commune: Commune, dialogue: Dialogue) -> Importer:
        own = own_hamlet(user, commune)
        return Importer(
            commune,
            frozenset(t.number for t in dialogue.topics) | {0},
            source=SOURCE_BY_ROLE.get(user.role, Source.CITIZEN),
            only_hamlet=own.name if own else None,
            only_organisation=Organisation(user.organisation) if user.organisation else None,
            max_rows=settings.import_max_rows,
        )

    async def form_page(
        request: Request, user: StaffUser, commune: Commune, *, error: str | None = None, status: int = 200
    ) -> HTMLResponse:
        jobs = [
            j
            for j in await kit.imports.recent(commune.id, 20)
            if user.role in MANAGERS or j.uploaded_by == user.username
        ][:10]
        return kit.render(
            request,
            "import.html",
            status=status,
            title="Nhập ý kiến từ tệp",
            commune_=commune,
            error=error,
            jobs=jobs,
            max_rows=settings.import_max_rows,
            max_mb=round(settings.import_max_bytes / 1_000_000, 1),
        )

    # ---- one opinion -------------------------------------------------------------------------

    async def entry_page(
        request: Request,
        user: StaffUser,
        commune: Commune,
        dialogue: Dialogue,
        *,
        values: dict | None = None,
        errors: dict | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        own = own_hamlet(user, commune)
        hamlets = [own.name] if own else [h.name for h in commune.hamlets] + [WHOLE_COMMUNE]
        return kit.render(
            request,
            "entry.html",
            status=status,
            title="Nhập ý kiến của người dân",
            commune_=commune,
            hamlets=hamlets,
            topics=topic_choices(dialogue),
            values=values or {},
            errors=errors or {},
        )

    @staff.get("/staff/y-kien-moi", response_class=HTMLResponse)
    async def entry_form(request: Request):
        user, commune, dialogue = await kit.dialogue_for(
            request, IMPORTERS, missing_vi=NO_OPEN_DIALOGUE_VI, missing_status=409, by_query=False
        )
        # "Nhập tiếp" from the page of the item just entered: its hamlet and kind stay chosen.
        query = request.query_params
        chosen = {"hamlet": clean_text(query.get("ap", ""))[:120], "kind": query.get("loai", "")}
        values = {k: v for k, v in chosen.items() if v and (k != "kind" or v in ENTRY_KINDS)}
        return await entry_page(request, user, commune, dialogue, values=values)

    @staff.post("/staff/y-kien-moi", response_class=HTMLResponse)
    async def entry(request: Request):
        user, commune, dialogue = await kit.dialogue_for(
            request, IMPORTERS, missing_vi=NO_OPEN_DIALOGUE_VI, missing_status=409, by_query=False
        )
        form = await kit.read_form(request)
        values = {
            key: clean_text(form.get(key) or "")[:6000]
            for key in ("hamlet", "kind", "text", "name", "phone", "topic")
        }
        checked = importer_for(user, commune, dialogue).check_row(1, values)
        errors = (
            {}
            if isinstance(checked, ImportRow)
            else {e.column if e.column in values else "text": e.reason for e in checked}
        )
        if not values["hamlet"]:
            errors["hamlet"] = f"Vui lòng chọn ấp (hoặc “{WHOLE_COMMUNE}” nếu là việc chung của cả xã)."
        if errors or not isinstance(checked, ImportRow):
            record_refused(kit.submissions, commune.id)
            return await entry_page(
                request, user, commune, dialogue, values=values, errors=errors, status=422
            )
        command = SubmitCommand(
            commune,
            checked.submission,
            correlation_id=request.state.correlation_id,
            service_code_hint=str(checked.topic_hint) if checked.topic_hint is not None else None,
            entered_by=user.username,
            principal=user.principal(),
        )
        try:
            accepted = await submit(kit.submissions, command)
        except SubmissionRejected as rejected:
            errors = {rejected.field if rejected.field in values else "text": rejected.vi}
            return await entry_page(
                request, user, commune, dialogue, values=values, errors=errors, status=422
            )
        except StoreUnavailable as why:  # an outage or an overload: nothing was stored
            response = kit.message(request, 503, "Hệ thống tạm thời gián đoạn", why.vi)
            response.headers["Retry-After"] = str(why.retry_after_s)
            return response
        request.state.audit_target = {"submission_id": accepted.submission_id}
        return kit.redirect(f"/staff/items/{accepted.submission_id}?xong=moi")

    # ---- a file of opinions ----------------------------------------------------------------

    @staff.get("/staff/nhap", response_class=HTMLResponse)
    async def import_form(request: Request):
        user, commune = await kit.commune_for(request, IMPORTERS)
        return await form_page(request, user, commune)

    @staff.get("/staff/nhap/mau.{fmt}")
    async def import_template(request: Request, fmt: str):
        if fmt == "csv":
            return Response(
                template_csv(),
                media_type="text/csv; charset=utf-8",
                headers={"content-disposition": 'attachment; filename="mau-nhap-y-kien.csv"'},
            )
        if fmt == "xlsx":
            return Response(
                template_xlsx(),
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={"content-disposition": 'attachment; filename="mau-nhap-y-kien.xlsx"'},
            )
        return kit.not_found(request)

    @staff.post("/staff/nhap", response_class=HTMLResponse)
    async def import_upload(request: Request):
        user, commune = await kit.commune_for(request, IMPORTERS)
        dialogue = await kit.current_dialogue(commune)
        if dialogue is None:
            return await form_page(request, user, commune, status=409, error=NO_OPEN_DIALOGUE_VI)
        upload = (await read_form(request)).get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return await form_page(
                request, user, commune, status=422, error="Vui lòng chọn tệp CSV hoặc Excel (.xlsx) cần nhập."
            )
        content = await upload.read(settings.import_max_bytes + 1)
        if len(content) > settings.import_max_bytes:
            return await form_page(
                request,
                user,
                commune,
                status=413,
                error=(
                    f"Tệp quá lớn (tối đa {settings.import_max_bytes // 1_000_000} MB); hãy chia thành "
                    "nhiều tệp."
                ),
            )
        known = await kit.imports.progress(commune.id, job_id_for(commune.id, dialogue.id, content))
        if known is not None:  # the same file to the same dialogue: its job, nothing read again
            request.state.audit_action = "bulk_import"
            request.state.audit_target = {
                "job_id": known.id,
                "rows": known.total,
                "valid": known.valid,
                "errors": known.errors_total,
                "new": False,
            }
            return kit.redirect(f"/staff/nhap/{known.id}?lai=1")
        importer = importer_for(user, commune, dialogue)
        try:
            async with parsing:  # in a thread: the event loop serves other requests meanwhile
                result = await asyncio.to_thread(importer.read, upload.filename, content)
        except ImportFileRejected as rejected:
            return await form_page(request, user, commune, status=422, error=rejected.vi)
        job_id, new = await kit.imports.create(
            commune_id=commune.id,
            dialogue_id=dialogue.id,
            filename=upload.filename,
            content=content,
            result=result,
            by=user.username,
        )
        request.state.audit_action = "bulk_import"
        request.state.audit_target = {
            "job_id": job_id,
            "rows": result.total,
            "valid": len(result.rows),
            "errors": len(result.errors),
            "new": new,
        }
        if new and result.rows:
            kit.imports.start(job_id)
        return kit.redirect(f"/staff/nhap/{job_id}" + ("" if new else "?lai=1"))

    @staff.get("/staff/nhap/{job_id}", response_class=HTMLResponse)
    async def import_job(request: Request, job_id: str):
        user: StaffUser = request.state.staff_user
        commune = await kit.commune_of(user)
        job: JobProgress | None = (
            await kit.imports.progress(commune.id, job_id[:64])
            if commune and user.role in IMPORTERS
            else None
        )
        if job is None or commune is None or not (user.role in MANAGERS or job.uploaded_by == user.username):
            return kit.not_found(request)
        return kit.render(
            request,
            "import_job.html",
            title=f"Nhập tệp {job.filename}",
            commune_=commune,
            job=job,
            again=request.query_params.get("lai") == "1",
            refresh=job.state != "done",
        )
