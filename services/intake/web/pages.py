"""The residents' web front (server-rendered, Vietnamese): the commune's open dialogue and its
plan, the submission form, the receipt with the tracking code, tracking by code,
registration to attend, and the public conclusions (reporting's reviewed, masked open data,
read through reporting's HTTP API).

Once a dialogue no longer takes entries (`closing.py`) its forms give way to a notice and a
POST is refused with 409. The text box states its limit and counts (`static/resident.js`);
a longer text is refused by name, never cut, and comes back in the form.

Submissions go through the same use case as the API (`handlers.submissions.submit`); every
POST form carries a CSRF token (`csrf.py`) and the public POSTs are
limited per client address by store-backed counters (`public_limits.py`); a refused form comes
back with what the resident typed.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from pymongo.errors import PyMongoError

from services.intake.closing import (
    CLOSED_EN,
    closed_heading_vi,
    closed_vi,
    elsewhere_vi,
    ended,
    takes_entries,
)
from services.intake.handlers.registrations import (
    HAMLET_REQUIRED,
    AlreadyRegistered,
    RegistrationDeps,
    register_attendee,
)
from services.intake.handlers.submissions import (
    StoreUnavailable,
    SubmitCommand,
    SubmitDeps,
    record_refused,
)
from services.intake.handlers.submissions import submit as submit_submission
from services.intake.logic import (
    SubmissionRejected,
    hamlet_display,
    hamlet_refusal,
    valid_phone,
)
from services.intake.public_limits import REGISTRATION, TRACKING, WEB, minutes, public_verdict
from services.intake.raised import issue_raised
from services.intake.registrations import NAME_VI, RegistrationIn, RegistrationRepository, hamlet_counts
from services.intake.reporting_api import PublicConclusions, PublishedSummaries, ReportingOpenData
from services.intake.repository import SubmissionRepository
from services.intake.schemas import TEXT_MAX, SubmissionIn, clean_text
from services.intake.tracking import (
    era_named,
    follow_up_closed,
    follow_up_wording_on,
    headline,
    resident_note,
    settled_at_meeting,
    topic_tentative,
    tracked_text,
)
from services.intake.web import paging
from services.intake.web.csrf import CSRF_FAILED_VI, CSRF_FIELD, csrf_ok, csrf_token, set_csrf_cookie
from shared.auth.guard import GuardedRoute
from shared.clock import VIETNAM_TZ, as_utc, utcnow
from shared.contracts import Kind, SubmissionStatus
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import Commune, Dialogue, DirectoryReader
from shared.errors import PermanentError, TransientError, is_transient
from shared.forms import read_form as read_bounded_form
from shared.http import error_body
from shared.phone import PHONE_MAX_CHARS, PHONE_VI
from shared.plan_deadlines import plan_deadlines
from shared.runtime import Runtime
from shared.templates import make_environment, upper_first
from shared.text import nfc

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE.parent / "templates"
STATIC = HERE.parent / "static"

_COMMUNE_ID = re.compile(COMMUNE_ID_PATTERN)
_TRACKING = re.compile(r"^DT-[A-Z0-9]{4,16}$")
WHOLE_COMMUNE = "Toàn xã"
FAVICON_HEADERS = {"Cache-Control": "public, max-age=604800", "X-Content-Type-Options": "nosniff"}
CONCLUSIONS_PER_PAGE = 50  # rows of the residents' conclusions page (`?trang=`)
HAMLET_REQUIRED_VI = "Vui lòng chọn ấp nơi bạn cư trú."

KIND_LABELS_VI = Kind.labels_vi()
KIND_HINTS_VI = {
    "opinion": "góp ý, đề xuất chung",
    "petition": "đề nghị xã giải quyết một việc cụ thể",
    "complaint": "báo một việc sai, chưa đúng đang xảy ra",
}
AUTHORITY_VI = {
    "province": "Vấn đề thuộc thẩm quyền cấp tỉnh: Đảng ủy xã tổng hợp, kiến nghị cấp trên.",
    "central": "Vấn đề thuộc thẩm quyền trung ương: Đảng ủy xã tổng hợp, kiến nghị cấp trên.",
}
STATUS_DONE = (SubmissionStatus.ROUTED, SubmissionStatus.OFFICE_NOTIFIED)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
# The residents' pages run one script of their own (static/resident.js: the text box's counter);
# the pages work the same without it.
RESIDENT_HEADERS = {
    **SECURITY_HEADERS,
    "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"].replace(
        "script-src 'none'", "script-src 'self'"
    ),
}
# A form body the request size limit (shared/runtime.py: 64 KiB) still lets through, with room
# for the other fields: resident.js stops a larger one in the browser, the text kept.
FORM_MAX_BYTES = 60 * 1024
# Field of the submission model -> field of the web form.
_SUBMISSION_FIELDS = {
    "text": "text",
    "hamlet": "hamlet",
    "kind": "kind",
    "submitter_name": "name",
    "contact": "phone",
    "source": "_form",
}


def vn_datetime(value: datetime | str | None) -> str:
    """`25/03/2017 07:30` in Vietnam time."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    local = as_utc(value).astimezone(VIETNAM_TZ)
    return f"{local:%d/%m/%Y %H:%M}"


def _vn_day(value: str | date | None) -> str:
    if not value:
        return ""
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _environment():
    env = make_environment([TEMPLATES])
    env.filters["vn_datetime"] = vn_datetime
    env.filters["hamlet"] = hamlet_display  # one spelling of hamlet names on every page
    env.globals.update(
        KIND_LABELS_VI=KIND_LABELS_VI,
        KIND_HINTS_VI=KIND_HINTS_VI,
        WHOLE_COMMUNE=WHOLE_COMMUNE,
        CSRF_FIELD=CSRF_FIELD,
        TEXT_MAX=TEXT_MAX,
        PHONE_MAX_CHARS=PHONE_MAX_CHARS,
        FORM_MAX_BYTES=FORM_MAX_BYTES,
    )
    return env


def _text(form: Mapping[str, Any], key: str, limit: int = 200) -> str:
    """A short field as typed, bounded (the form's own maxlength is far below `limit`)."""
    value = form.get(key)
    return value[:limit] if isinstance(value, str) else ""


def _long_text(form: Mapping[str, Any], key: str) -> str:
    """The text box as typed, whole: a text over the limit is refused and given back, never cut
    (the request body limit bounds it)."""
    value = form.get(key)
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


def text_too_long_vi(length: int) -> str:
    return (
        f"Nội dung dài {length} ký tự, quá giới hạn (tối đa {TEXT_MAX} ký tự). Vui lòng rút gọn rồi gửi "
        f"lại; nội dung bạn đã nhập vẫn còn trong ô bên dưới. (The text is {length} characters long, over "
        f"the limit of {TEXT_MAX}.)"
    )


def _in_form_order(errors: dict[str, str] | None, order: tuple[str, ...]) -> dict[str, str]:
    """The error summary lists the mistakes in the order the fields appear."""
    errors = errors or {}
    return {k: errors[k] for k in sorted(errors, key=lambda k: order.index(k) if k in order else len(order))}


def _pydantic_errors(exc: ValidationError, fields: Mapping[str, str]) -> dict[str, str]:
    detail = error_body([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()])["detail"]
    errors: dict[str, str] = {}
    for d in detail:
        errors.setdefault(fields.get(d["field"], d["field"]), d["message_vi"])
    return errors


def build_web_router(
    rt: Runtime,
    repo: SubmissionRepository,
    registrations: RegistrationRepository,
    submissions: SubmitDeps,
    attendees: RegistrationDeps,
    open_data: ReportingOpenData | None = None,
) -> APIRouter:
    """`open_data`: reporting's public open data (built from `rt` when not given; the caller
    that passes one closes it at shutdown)."""
    directory: DirectoryReader = rt.directory
    settings = rt.settings
    published = open_data or ReportingOpenData.for_intake(rt)
    env = _environment()
    router = APIRouter(include_in_schema=False, route_class=GuardedRoute)
    router.mount("/static", StaticFiles(directory=STATIC), name="static")

    @router.get("/favicon.ico")
    async def favicon() -> Response:
        """The site's icon: browsers ask this address whatever a page links (the pages link
        /static/favicon.ico); kept a week by browsers and proxies."""
        return FileResponse(STATIC / "favicon.ico", media_type="image/x-icon", headers=FAVICON_HEADERS)

    # ---- rendering -------------------------------------------------------------------------

    def render(
        request: Request,
        template: str,
        *,
        status: int = 200,
        commune: Commune | None = None,
        title: str,
        **context: Any,
    ) -> HTMLResponse:
        token = csrf_token(request)
        html = env.get_template(f"web/{template}").render(
            commune=commune, title=title, csrf_token=token, **context
        )
        response = HTMLResponse(html, status_code=status)
        set_csrf_cookie(request, response, token)
        response.headers.update(RESIDENT_HEADERS)
        return response

    def message(
        request: Request, status: int, title: str, text: str, commune: Commune | None = None
    ) -> HTMLResponse:
        return render(
            request, "message.html", status=status, commune=commune, title=title, heading=title, text=text
        )

    def not_found(request: Request, commune_id: str) -> HTMLResponse:
        return message(
            request,
            404,
            "Không tìm thấy xã",
            f"Không tìm thấy xã/phường có mã “{commune_id[:64]}”. Vui lòng kiểm tra lại đường dẫn.",
        )

    def forbidden(request: Request, commune: Commune | None) -> HTMLResponse:
        return message(request, 403, "Không gửi được biểu mẫu", CSRF_FAILED_VI, commune)

    def unavailable(
        request: Request, commune: Commune | None, why: StoreUnavailable | None = None
    ) -> HTMLResponse:
        """503 for an outage or an overload, with its own reason and Retry-After; nothing was
        stored."""
        why = why or StoreUnavailable()
        response = message(request, 503, "Hệ thống tạm thời gián đoạn", why.vi, commune)
        response.headers["Retry-After"] = str(why.retry_after_s)
        return response

    def redirect(url: str) -> RedirectResponse:
        response = RedirectResponse(url, status_code=303)
        response.headers.update(SECURITY_HEADERS)
        return response

    # ---- shared steps ----------------------------------------------------------------------

    async def load(commune_id: str) -> tuple[Commune | None, Dialogue | None]:
        if not _COMMUNE_ID.match(commune_id):
            return None, None
        commune = await directory.commune(commune_id)
        if commune is None or commune.current_dialogue_id is None:
            return commune, None
        return commune, await directory.dialogue(commune_id, commune.current_dialogue_id)

    async def latest(commune: Commune, current: Dialogue | None) -> Dialogue | None:
        """The dialogue the residents' pages speak of: the open one, else the newest one past
        its draft (held, concluded, closed or cancelled)."""
        if current is not None:
            return current
        return next((d for d in await directory.dialogues(commune.id) if d.status != "draft"), None)

    def closed_context(commune: Commune, dialogue: Dialogue | None) -> dict[str, str] | None:
        """The notice that replaces the forms of a dialogue that no longer takes entries."""
        if dialogue is None or not ended(dialogue):
            return None
        return {
            "heading": closed_heading_vi(dialogue),
            "text": closed_vi(commune, dialogue),
            "elsewhere": elsewhere_vi(commune),
        }

    async def read_form(request: Request) -> dict[str, str]:
        form = await read_bounded_form(request)
        return {k: v for k, v in form.items() if isinstance(v, str)}

    async def over_limit(request: Request, commune: Commune, buckets: tuple[str, ...]) -> int | None:
        """Count this POST in each bucket in turn: None when within every limit, else the
        seconds to wait (the buckets after a refusing one are not counted)."""
        for bucket in buckets:
            verdict = await public_verdict(request, commune.id, bucket)
            if verdict is not None and not verdict.allowed:
                return verdict.retry_after_s
        return None

    def too_many(response: HTMLResponse, retry_after_s: int) -> HTMLResponse:
        response.headers["Retry-After"] = str(retry_after_s)
        return response

    def too_many_text(retry_after_s: int) -> str:
        return (
            "Bạn đã gửi quá nhiều lần trong thời gian ngắn nên lần này chưa được ghi nhận. "
            f"Vui lòng thử lại sau khoảng {minutes(retry_after_s)} phút; "
            "nội dung bạn đã nhập vẫn còn trong biểu mẫu bên dưới."
        )

    def plan_context(commune: Commune, dialogue: Dialogue | None) -> dict[str, Any]:
        opinions_due = None
        if dialogue is not None:
            reports = next(
                (d for d in plan_deadlines(commune, dialogue) if d.key.startswith("hamlet_reports")), None
            )
            opinions_due = reports.printed if reports else None
        plan_hamlets = [h.name for h in commune.hamlets if dialogue and h.id in dialogue.hamlet_ids]
        return {"dialogue": dialogue, "opinions_due": opinions_due, "plan_hamlets": plan_hamlets}

    def home_page(
        request: Request,
        commune: Commune,
        dialogue: Dialogue | None,
        *,
        values: dict | None = None,
        errors: dict | None = None,
        status: int = 200,
        closed: dict[str, str] | None = None,
    ) -> HTMLResponse:
        values = {
            "hamlet": "",
            "topic": "",
            "kind": "petition",
            "text": "",
            "name": "",
            "phone": "",
            **(values or {}),
        }
        return render(
            request,
            "home.html",
            status=status,
            commune=commune,
            title=f"Đối thoại năm {dialogue.year} – {upper_first(commune.display_name)}"
            if dialogue
            else upper_first(commune.display_name),
            values=values,
            errors=_in_form_order(errors, ("_form", "hamlet", "topic", "kind", "text", "name", "phone")),
            closed=closed,
            **plan_context(commune, dialogue),
        )

    # ---- home and submission ---------------------------------------------------------------

    @router.get("/", response_class=HTMLResponse)
    async def home(request: Request):
        return await commune_home(request, settings.default_commune)

    @router.get("/xa/{commune_id}", response_class=HTMLResponse)
    async def commune_home(request: Request, commune_id: str):
        commune, dialogue = await load(commune_id)
        if commune is None:
            return not_found(request, commune_id)
        dialogue = await latest(commune, dialogue)
        return home_page(request, commune, dialogue, closed=closed_context(commune, dialogue))

    async def checked_post(request: Request, commune_id: str, buckets: tuple[str, ...]):
        """What every resident POST needs first: a CSRF token, a known commune, and a count
        against the rate limits (the store being down answers 503). Returns a response to send
        instead, or the form, the commune, its open dialogue and the seconds to wait when a
        limit refused this POST (None when it may go on)."""
        form = await read_form(request)
        commune, dialogue = await load(commune_id)
        if not csrf_ok(request, form):
            return forbidden(request, commune)
        if commune is None:
            return not_found(request, commune_id)
        try:
            retry_after = await over_limit(request, commune, buckets)
        except PyMongoError as exc:
            if not is_transient(exc):
                raise
            return unavailable(request, commune)
        return form, commune, dialogue, retry_after

    @router.get("/xa/{commune_id}/gui-y-kien")
    async def submit_get(commune_id: str):
        return redirect(f"/xa/{quote(commune_id)}#gui-y-kien")

    @router.post("/xa/{commune_id}/gui-y-kien", response_class=HTMLResponse)
    async def submit(request: Request, commune_id: str):
        checked = await checked_post(request, commune_id, (WEB,))
        if isinstance(checked, Response):
            return checked
        form, commune, dialogue, retry_after = checked
        values = {key: _text(form, key) for key in ("hamlet", "topic", "kind", "name", "phone")}
        values["text"] = _long_text(form, "text")
        dialogue = await latest(commune, dialogue)
        closed = closed_context(commune, dialogue)
        if closed is not None:  # the meeting is over: refused, the typed text shown to copy
            record_refused(submissions, commune.id)
            return home_page(
                request,
                commune,
                dialogue,
                values=values,
                errors={"_form": f"{closed['text']} ({CLOSED_EN})"},
                status=409,
                closed=closed,
            )
        if retry_after is not None:
            return too_many(
                home_page(
                    request,
                    commune,
                    dialogue,
                    values=values,
                    errors={"_form": too_many_text(retry_after)},
                    status=429,
                ),
                retry_after,
            )
        errors: dict[str, str] = {}
        if not values["hamlet"].strip():
            errors["hamlet"] = (
                f"Vui lòng chọn ấp nơi xảy ra sự việc (hoặc “{WHOLE_COMMUNE}” nếu là việc chung của cả xã)."
            )
        elif refused := hamlet_refusal(commune, values["hamlet"]):  # shown with the other mistakes
            errors["hamlet"] = refused.vi
        hint = values["topic"].strip() or None
        topic_numbers = {str(t.number) for t in dialogue.topics} | {"0"} if dialogue else {"0"}
        if hint is not None and hint not in topic_numbers:
            errors["topic"] = "Nội dung gợi ý không hợp lệ; vui lòng chọn lại trong danh sách."
        phone = values["phone"].strip()
        if phone and not valid_phone(phone):
            errors["phone"] = f"{PHONE_VI} Có thể để trống."
        body = None
        try:
            body = SubmissionIn.model_validate(
                {
                    "source": "citizen",
                    "kind": values["kind"],
                    "text": values["text"],
                    "hamlet": values["hamlet"] or None,
                    "submitter_name": values["name"] or None,
                    "contact": phone or None,
                }
            )
        except ValidationError as exc:
            for field, text in _pydantic_errors(exc, _SUBMISSION_FIELDS).items():
                errors.setdefault(field, text)
            if "kind" in errors:
                errors["kind"] = "Vui lòng chọn loại: ý kiến, kiến nghị hoặc phản ánh."
            if "text" in errors and not values["text"].strip():
                errors["text"] = "Vui lòng viết nội dung ý kiến, kiến nghị (ít nhất 5 ký tự)."
            elif "text" in errors and (length := len(clean_text(values["text"]))) > TEXT_MAX:
                errors["text"] = text_too_long_vi(length)
        if errors or body is None:
            record_refused(submissions, commune.id)
            return home_page(request, commune, dialogue, values=values, errors=errors, status=422)
        command = SubmitCommand(
            commune,
            body,
            correlation_id=request.state.correlation_id,  # validated by shared.http
            service_code_hint=hint,
        )
        try:
            accepted = await submit_submission(submissions, command)
        except SubmissionRejected as rejected:
            errors[_SUBMISSION_FIELDS.get(rejected.field or "", "_form")] = rejected.vi
            return home_page(request, commune, dialogue, values=values, errors=errors, status=422)
        except StoreUnavailable as why:
            return unavailable(request, commune, why)
        return redirect(f"/xa/{commune.id}/da-gui?ma={quote(accepted.tracking_code)}")

    async def look_up_refused(request: Request, commune: Commune, typed: str) -> HTMLResponse | None:
        """Count a look-up by tracking code (the receipt and the tracking page share the API's
        `tracking` bucket): None when within the limit, else the tracking page saying when to retry."""
        try:
            retry_after = await over_limit(request, commune, (TRACKING,))
        except PyMongoError as exc:
            if not is_transient(exc):
                raise
            return unavailable(request, commune)
        if retry_after is None:
            return None
        error = (
            "Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. "
            f"Vui lòng thử lại sau khoảng {minutes(retry_after)} phút."
        )
        page = render(
            request,
            "tracking.html",
            status=429,
            commune=commune,
            title="Tra cứu ý kiến",
            typed=typed,
            item=None,
            error=error,
        )
        return too_many(page, retry_after)

    @router.get("/xa/{commune_id}/da-gui", response_class=HTMLResponse)
    async def receipt(request: Request, commune_id: str, ma: str = ""):
        commune, _ = await load(commune_id)
        if commune is None:
            return not_found(request, commune_id)
        code = _normalise_code(ma)
        if code and (refused := await look_up_refused(request, commune, ma.strip()[:32])):
            return refused
        doc = await repo.by_tracking_code(commune.id, code) if code else None
        if doc is None:
            return redirect(f"/xa/{commune.id}/theo-doi?ma={quote(ma[:32])}")
        return render(
            request,
            "receipt.html",
            commune=commune,
            title=f"Đã tiếp nhận – mã {code}",
            code=code,
            kind=KIND_LABELS_VI[doc["kind"]],
            hamlet=doc.get("hamlet") or WHOLE_COMMUNE,
            received=vn_datetime(doc["received_at"]),
            contact_left=bool((doc.get("submitter") or {}).get("contact")),
        )

    # ---- conclusions (reporting's reviewed, masked open data) -------------------------------

    def download_url(path: str) -> str:
        """CSV/XLSX are served by reporting, at `DOITHOAI_PUBLIC_REPORTING_URL` (same site if empty)."""
        return f"{settings.public_reporting_url.rstrip('/')}{path}"

    @router.get("/xa/{commune_id}/ket-luan", response_class=HTMLResponse)
    async def conclusions(request: Request, commune_id: str):
        """A dialogue's conclusions and their progress, as reporting publishes them (reviewed,
        masked summaries only); "Chưa có kết luận" until the notice is issued. The latest plan's,
        or the one `?dot=` names; the page links the other years whose meeting was held, whose
        conclusions residents still follow once the next plan is open. `?loc=` a hamlet: only the
        issues it raised, an issue raised by several hamlets under each of them."""
        commune, current = await load(commune_id)
        if commune is None:
            return not_found(request, commune_id)
        typed_hamlet = (request.query_params.get("loc") or "").strip()[:100]
        hamlet = next(
            (h.name for h in commune.hamlets if nfc(h.name).casefold() == nfc(typed_hamlet).casefold()), None
        )
        if typed_hamlet and hamlet is None:
            return message(
                request,
                404,
                "Không tìm thấy ấp",
                f"{upper_first(commune.display_name)} không có ấp “{typed_hamlet}”.",
                commune,
            )
        shown = [d for d in await directory.dialogues(commune.id) if d.status not in ("draft", "cancelled")]
        wanted = request.query_params.get("dot")
        dialogue = next((d for d in shown if d.id == wanted), None) if wanted else next(iter(shown), None)
        if wanted and dialogue is None:
            return message(
                request,
                404,
                "Không tìm thấy đợt đối thoại",
                f"{upper_first(commune.display_name)} không có đợt đối thoại “{wanted[:64]}”.",
                commune,
            )
        other_years = [d for d in shown if d is not dialogue and d.status in ("held", "concluded", "closed")]
        try:
            wanted_page = paging.requested(request.query_params.get(paging.PARAM))
        except paging.BadPage:
            return message(request, 400, "Số trang không hợp lệ", paging.BAD_PAGE_VI, commune)
        public: PublicConclusions | None = None
        page = paging.Page.of(0, CONCLUSIONS_PER_PAGE)
        if dialogue is not None:
            try:
                size = CONCLUSIONS_PER_PAGE
                of_hamlet = {"hamlet": hamlet} if hamlet else {}
                public = await published.conclusions(
                    commune.id, dialogue.id, offset=(wanted_page - 1) * size, limit=size, **of_hamlet
                )
                if public is not None and public.total is not None:
                    page = paging.Page.of(public.total, size, wanted_page)
                    if page.number != wanted_page:  # past the last page: the last one
                        public = await published.conclusions(
                            commune.id, dialogue.id, offset=page.skip, limit=size, **of_hamlet
                        )
            except (TransientError, PermanentError) as exc:
                log.warning("conclusions of %s/%s unavailable: %s", commune.id, dialogue.id, exc)
                response = message(
                    request,
                    503,
                    "Tạm thời chưa xem được kết luận",
                    "Hệ thống tạm thời chưa tải được trang kết luận. Vui lòng thử lại sau ít phút.",
                    commune,
                )
                response.headers["Retry-After"] = "30"
                return response
        concluded = public is not None and public.concluded
        name = upper_first(commune.display_name)
        return render(
            request,
            "conclusions.html",
            commune=commune,
            title=f"Kết luận đối thoại năm {dialogue.year} – {name}"
            if concluded and dialogue
            else f"Chưa có kết luận – {name}",
            dialogue=dialogue,
            concluded=concluded,
            rows=public.rows if public else [],
            pages=paging.pager(
                page,
                f"/xa/{quote(commune.id)}/ket-luan",
                {"dot": dialogue.id if dialogue and wanted else "", "loc": hamlet or ""},
                anchor="#danh-sach",
            )
            if public and public.total is not None
            else None,
            columns={c["key"]: c["label"] for c in public.columns} if public else {},
            csv_url=download_url(public.csv_path) if public else None,
            xlsx_url=download_url(public.xlsx_path) if public else None,
            before_meeting=takes_entries(dialogue),
            other_years=other_years,
            hamlets=[h.name for h in commune.hamlets],
            hamlet=hamlet or "",
            dot=dialogue.id if dialogue and wanted else "",
        )

    # ---- tracking --------------------------------------------------------------------------

    async def concluded_as_published(doc: dict) -> PublishedSummaries | None:
        """What reporting publishes of this one item: who acts on its conclusion as the notice
        printed it, and the naming of offices of its dialogue's era. None when reporting does not
        answer within `page_read_timeout_s` (the page then names offices as intake stored them)."""
        if not doc.get("dialogue_id"):
            return None
        try:
            async with asyncio.timeout(settings.page_read_timeout_s):
                return await published.published(
                    str(doc["commune_id"]), str(doc["dialogue_id"]), [str(doc["_id"])]
                )
        except (TransientError, PermanentError, TimeoutError) as exc:
            log.warning("tracking %s: reporting did not answer: %s", doc.get("tracking_code"), exc)
            return None

    @router.get("/xa/{commune_id}/theo-doi", response_class=HTMLResponse)
    async def track(request: Request, commune_id: str, ma: str = ""):
        commune, _ = await load(commune_id)
        if commune is None:
            return not_found(request, commune_id)
        typed = ma.strip()[:32]
        code = _normalise_code(typed)
        context: dict[str, Any] = {"typed": typed, "item": None, "error": None}
        if typed and code is None:
            context["error"] = "Mã theo dõi không đúng dạng. Mã có dạng DT-XXXXXXXX (chữ in hoa và số)."
            return render(
                request, "tracking.html", status=422, commune=commune, title="Tra cứu ý kiến", **context
            )
        if code is None:
            return render(request, "tracking.html", commune=commune, title="Tra cứu ý kiến", **context)
        if refused := await look_up_refused(request, commune, typed):
            return refused
        doc = await repo.by_tracking_code(commune.id, code)
        if doc is None:
            context["error"] = (
                f"Không tìm thấy ý kiến có mã {code} ở {commune.display_name}. Vui lòng kiểm tra lại mã."
            )
            return render(
                request, "tracking.html", status=404, commune=commune, title="Tra cứu ý kiến", **context
            )
        dialogue = (
            await directory.dialogue(commune.id, doc["dialogue_id"]) if doc.get("dialogue_id") else None
        )
        raised = await issue_raised(repo.submissions, doc, dialogue.year if dialogue else None)
        # the commune's day, as the staff board reads "Quá hạn" (the dialogue's time zone)
        today = utcnow().astimezone(ZoneInfo(dialogue.timezone) if dialogue else VIETNAM_TZ).date()
        context["item"] = await _tracking_view(
            repo, doc, await concluded_as_published(doc), raised["total"], today
        )
        return render(request, "tracking.html", commune=commune, title=f"Ý kiến {code}", **context)

    # ---- registration ----------------------------------------------------------------------

    async def registration_page(
        request: Request,
        commune: Commune,
        dialogue: Dialogue | None,
        *,
        values: dict | None = None,
        errors: dict | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        closed = closed_context(commune, dialogue)
        if closed is not None:
            return render(
                request,
                "register.html",
                status=status,
                commune=commune,
                title=closed["heading"],
                dialogue=dialogue,
                closed=closed,
                values={},
                errors=_in_form_order(errors, ("_form",)),
                notice=None,
            )
        rows = await registrations.for_dialogue(commune.id, dialogue.id) if dialogue else []
        counts = hamlet_counts(commune, dialogue, rows) if dialogue else []
        values = {"name": "", "phone": "", "hamlet": "", "topic": "", "wants_to_speak": "", **(values or {})}
        hamlets = sorted(commune.hamlets, key=lambda h: (not (dialogue and h.id in dialogue.hamlet_ids),))
        return render(
            request,
            "register.html",
            status=status,
            commune=commune,
            title="Đăng ký tham dự đối thoại",
            dialogue=dialogue,
            counts=counts,
            total=len(rows),
            hamlets=hamlets,
            values=values,
            errors=_in_form_order(errors, ("_form", "name", "phone", "hamlet", "topic")),
            notice=notice,
            closed=None,
        )

    @router.get("/xa/{commune_id}/dang-ky", response_class=HTMLResponse)
    async def register_form(request: Request, commune_id: str, xong: str = ""):
        commune, dialogue = await load(commune_id)
        if commune is None:
            return not_found(request, commune_id)
        dialogue = await latest(commune, dialogue)
        notice = (
            "Cảm ơn bạn đã đăng ký. Chi bộ ấp sẽ gửi giấy mời trước buổi đối thoại." if xong == "1" else None
        )
        return await registration_page(request, commune, dialogue, notice=notice)

    @router.post("/xa/{commune_id}/dang-ky", response_class=HTMLResponse)
    async def register(request: Request, commune_id: str):
        checked = await checked_post(request, commune_id, (WEB, REGISTRATION))
        if isinstance(checked, Response):
            return checked
        form, commune, dialogue, retry_after = checked
        dialogue = await latest(commune, dialogue)
        if closed_context(commune, dialogue) is not None and dialogue is not None:
            return await registration_page(
                request,
                commune,
                dialogue,
                errors={"_form": f"{closed_vi(commune, dialogue)} ({CLOSED_EN})"},
                status=409,
            )
        if retry_after is not None:
            typed = {
                key: _text(form, key, 200) for key in ("name", "phone", "hamlet", "topic", "wants_to_speak")
            }
            page = await registration_page(
                request,
                commune,
                dialogue,
                values=typed,
                errors={"_form": too_many_text(retry_after)},
                status=429,
            )
            return too_many(page, retry_after)
        if dialogue is None:
            return await registration_page(
                request,
                commune,
                None,
                errors={
                    "_form": f"{upper_first(commune.display_name)} chưa mở đợt đối thoại nào để đăng ký."
                },
                status=409,
            )
        values = {
            key: _text(form, key, 200) for key in ("name", "phone", "hamlet", "topic", "wants_to_speak")
        }
        errors: dict[str, str] = {}
        topic: int | None = None
        if values["topic"].strip():
            numbers = {t.number for t in dialogue.topics} | {0}
            topic = int(values["topic"]) if values["topic"].strip().isdigit() else -1
            if topic not in numbers:
                errors["topic"] = "Nội dung đăng ký phát biểu không hợp lệ; vui lòng chọn lại."
        body = None
        try:
            body = RegistrationIn.model_validate(
                {
                    "name": values["name"],
                    "phone": values["phone"],
                    "hamlet": values["hamlet"],
                    "topic": topic if topic not in (None, -1) else None,
                    "wants_to_speak": values["wants_to_speak"] == "1",
                }
            )
        except ValidationError as exc:
            errors.update({k: v for k, v in _pydantic_errors(exc, {}).items() if k not in errors})
            if "name" in errors and errors["name"] != NAME_VI:  # the letters-only rule says itself
                errors["name"] = "Vui lòng nhập họ và tên (2–120 ký tự)."
            if "phone" in errors:
                errors["phone"] = PHONE_VI
            if "hamlet" in errors:
                errors["hamlet"] = HAMLET_REQUIRED_VI
        refused = hamlet_refusal(commune, values["hamlet"], required=HAMLET_REQUIRED)
        if refused is not None and "hamlet" not in errors:  # every mistake of the form at once
            errors["hamlet"] = HAMLET_REQUIRED_VI if refused is HAMLET_REQUIRED else refused.vi
        if errors or body is None:
            return await registration_page(
                request, commune, dialogue, values=values, errors=errors, status=422
            )
        try:
            await register_attendee(attendees, commune, dialogue.id, body)
        except SubmissionRejected as rejected:
            errors["hamlet"] = HAMLET_REQUIRED_VI if rejected.code == "hamlet_required" else rejected.vi
            return await registration_page(
                request, commune, dialogue, values=values, errors=errors, status=422
            )
        except AlreadyRegistered:
            duplicate = (
                f"{body.name} (số điện thoại {body.phone}) đã đăng ký tham dự buổi đối thoại này rồi, "
                "không cần đăng ký lại."
            )
            return await registration_page(
                request, commune, dialogue, values=values, errors={"_form": duplicate}, status=409
            )
        return redirect(f"/xa/{commune.id}/dang-ky?xong=1")

    return router


def _normalise_code(typed: str) -> str | None:
    """`dt-9ycr47ah`, `9YCR47AH` and ` DT-9YCR47AH ` are the same code."""
    code = re.sub(r"\s+", "", typed).upper()
    if code and not code.startswith("DT-"):
        code = "DT-" + code.removeprefix("DT")
    return code if _TRACKING.match(code) else None


async def _tracking_view(
    repo: SubmissionRepository,
    doc: dict,
    known: PublishedSummaries | None = None,
    raised: int | None = None,
    today: date | None = None,
) -> dict:
    """What a resident sees by code: no submitter name or contact, no staff names, and personal
    data in the texts masked (`tracked_text`). `known`: what reporting publishes of the item, so
    the page says what the conclusions page, open data and the notice say: who carries the
    conclusion out (the office assigned, or the higher-level body recommended to, not the Party
    office drafting the letter) and every office by the title of the dialogue's era. `raised`: how
    many times the item's issue was raised, as the documents count it (`raised.issue_raised`).
    `today`: the commune's day, so a follow-up past its due date reads "– quá hạn" as the staff
    board marks it (`tracking.past_due`; None: not said)."""
    offices = known.offices if known else {}
    sid = str(doc["_id"])
    stage, stage_label = headline(doc, today)
    followup = doc.get("followup_status")
    topic = doc.get("topic")
    office = era_named(doc.get("office_name"), offices) or None
    concluded = known.agencies.get(sid) if known else None
    agency = concluded or (
        era_named(doc.get("followup_office"), offices) if doc.get("followup_office") else None
    )
    # entries stored before the event named who acts named the task's office (`resident_note`)
    holder = str(doc.get("followup_holder") or doc.get("followup_office") or "")
    acts = concluded or (str(doc["followup_office"]) if doc.get("followup_holder") else None)
    acting = {holder: acts} if acts and holder and era_named(holder, offices) != acts else {}
    history = [{"at": vn_datetime(doc["received_at"]), "note": SubmissionStatus.RECEIVED.label_vi + "."}]
    history += [
        {"at": vn_datetime(h["at"]), "note": resident_note(h, offices, acting)}
        for h in await repo.history(doc)
    ]
    outcome = (known.outcomes.get(sid) if known else None) or {}
    result = (
        outcome.get("note") if settled_at_meeting(doc) and outcome.get("note") else doc.get("followup_note")
    )
    return {
        "code": doc["tracking_code"],
        "status": doc["status"],
        "status_label": SubmissionStatus.label_of(doc["status"]),
        "stage": stage,  # the headline: the furthest stage reached (follow-up, answer, status)
        "stage_label": stage_label,
        "done": doc["status"] in STATUS_DONE,
        "kind": KIND_LABELS_VI.get(doc["kind"], doc["kind"]),
        "hamlet": doc.get("hamlet") or WHOLE_COMMUNE,
        "text": tracked_text(doc["text"]),
        "received": vn_datetime(doc["received_at"]),
        "topic": (f"{topic}. {doc.get('topic_name')}" if topic else doc.get("topic_name"))
        if topic is not None
        else None,
        "topic_tentative": topic_tentative(doc),
        "office": office,
        # once concluded, who carries the conclusion out (it may differ from routing's office)
        "followup_office": agency if agency != office else None,
        "authority": None if agency else AUTHORITY_VI.get(doc.get("authority_level") or ""),
        "times_raised": raised or doc.get("times_raised") or 1,
        "followup": (
            stage_label if settled_at_meeting(doc) else upper_first(follow_up_wording_on(doc, today))
        )
        if followup
        else None,
        "followup_due": None if settled_at_meeting(doc) else _vn_day(doc.get("followup_due")),
        "followup_result": tracked_text(era_named(result, offices)) or None,
        # a note on a task still open is its progress, not its result
        "followup_result_label": "Kết quả" if follow_up_closed(doc) else "Ghi chú tiến độ",
        # typed by the office's staff on the item page
        "answer": tracked_text(era_named(doc.get("answer"), offices)) or None,
        "history": history,
    }
