"""Documents and the follow-up board, through reporting's API.

- `/staff/van-ban`: the Party office previews each document of the plan as a draft (HTML, PDF,
  DOCX), issues it (numbered, frozen, e-mailed to its "Nơi nhận") and downloads what was issued.
- `/staff/theo-doi`: every conclusion's task, numbered as the conclusion notice prints it, with
  its office, due date, status and history; the Party office changes any task, an office only its
  own. Nothing is preselected: a clerk picks a new status or keeps the current one to add a
  progress note (the note required, as a new revision the resident reads). A status that needs a
  reason asks it on the same form; a settled task shows its note (who,
  when) and can be reopened with a reason, kept in the task's history. A large plan's board is
  paged (`?trang=`) in the notice's numbers' order; after a change it opens on the task's page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.intake.schemas import clean_text
from services.intake.web.pages import SECURITY_HEADERS
from services.intake.web.paging import BAD_PAGE_VI, BadPage, Page, pager, requested
from services.intake.web.staff.backends import BackendReply
from services.intake.web.staff.kit import PlanChoice, StaffKit
from services.intake.web.staff.users import StaffUser
from services.intake.web.staff.work import who
from shared.auth.principal import ANSWERERS, MANAGERS
from shared.clock import VIETNAM_TZ
from shared.contracts import DocumentKind, FollowUpStatus
from shared.directory import Commune, Dialogue
from shared.templates import vn_date

DOCUMENT_KINDS_VI = DocumentKind.labels_vi()
# A large dialogue's issues are reviewed a page at a time (`?trang=`, with a filter `?loc=` and a
# topic `?chu-de=`; `?van-de=KEY` opens the page with that issue), and the warning lists at most
# AS_TYPED_LISTED of the issues still printed as typed: the page stays a few hundred KB.
REVIEWS_PER_PAGE = 25
# The follow-up board lists a large plan's tasks a page at a time (`?trang=`; `?viec=ID` opens
# the page that holds that task, as the redirect after a change does).
TASKS_PER_PAGE = 25
AS_TYPED_LISTED = 10
REVIEW_FILTERS_VI = {
    "": "Tất cả vấn đề",
    "can-sua": "Cần sửa trước khi in",
    "chua-ra-soat": "Chưa rà soát",
    "khong-cong-khai": "Không công khai",
}
FORMATS = ("html", "pdf", "docx")
# What staff may move a task to, worded as the action they choose.
TASK_STATUSES_VI = {
    FollowUpStatus.IN_PROGRESS: FollowUpStatus.IN_PROGRESS.label_vi,
    FollowUpStatus.RESOLVED: FollowUpStatus.RESOLVED.label_vi,
    FollowUpStatus.ESCALATED: "Báo cáo Ban Thường vụ",
    FollowUpStatus.AWAITING_HIGHER_LEVEL: FollowUpStatus.AWAITING_HIGHER_LEVEL.label_vi,
    FollowUpStatus.REJECTED: "Không giải quyết (ghi lý do)",
}
# The statuses a change to needs a reason, asked on the same form (client-side hint, server check).
NEEDS_REASON = frozenset(s.value for s in TASK_STATUSES_VI if s.needs_reason)
# The choice that keeps an open task's status and adds a progress note (the note is required): no
# status is preselected, so a clerk writing progress never settles the task by leaving the default.
KEEP_STATUS = "giu-nguyen"
SETTLED = frozenset(s.value for s in FollowUpStatus if s.closed)
NOTE_MAX = 5000
STATUS_MISSING_VI = (
    "Vui lòng chọn trạng thái mới ở mục “Trạng thái mới”; để chỉ ghi tiến độ, "
    "chọn “Giữ nguyên …, chỉ thêm ghi chú tiến độ”."
)
REASON_MISSING_VI = "Vui lòng ghi lý do không giải quyết: lý do được lưu cùng việc và báo cho người dân."
PROGRESS_MISSING_VI = (
    "Vui lòng ghi nội dung tiến độ vào “Ghi chú”: ghi chú được lưu cùng việc và báo cho người dân."
)
REOPEN_MISSING_VI = "Vui lòng ghi lý do mở lại: lý do được lưu trong lịch sử của việc (chỉ cán bộ xem)."
SYSTEM, SYSTEM_VI = "system", "hệ thống (tự động)"  # the author of the changes no person made
SYSTEM_NOTES_VI = {"overdue": "Quá hạn: tự động báo cáo Ban Thường vụ Đảng ủy."}
DONE_VI = {
    "1": "Đã cập nhật.",
    "ghi-chu": "Đã thêm ghi chú tiến độ; trạng thái giữ nguyên.",
    "mo-lai": "Đã mở lại việc; lý do được lưu trong lịch sử.",
}
# The follow-up board runs one script from this origin (static/followup.js): the reason hint.
FOLLOW_UP_CSP = SECURITY_HEADERS["Content-Security-Policy"].replace("script-src 'none'", "script-src 'self'")
CONCLUSION_STATE_VI = {"pending": "chưa đến hạn", "overdue": "đã quá hạn", "done": "đã ban hành"}
# What reporting finds wrong in a resident's text still printed as typed (its `warnings`). Printed
# documents mask personal data (reporting's documents): the page states that once, in its rule.
PRINTED_WARNINGS_VI = {
    "no_diacritics": "chưa có dấu tiếng Việt",
    "first_person": "viết ở ngôi thứ nhất (tôi, nhà tôi, chúng tôi…)",
    "personal_data": "có thông tin cá nhân (số điện thoại, địa chỉ, họ tên…)",
}
FIRST_WORDS = 8
SUMMARY_MAX = 5000
PUBLIC_CHOICES = {"1": True, "on": True, "0": False}
REVIEWED_VI = {
    "1": "Đã lưu nội dung đã rà soát.",
    "rieng": "Đã lưu nội dung đã rà soát. Vấn đề không công khai: chỉ in trong văn bản ban hành.",
}


def _file_response(content: bytes, media_type: str, disposition: str | None = None) -> Response:
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if disposition:
        headers["content-disposition"] = disposition
    return Response(content, media_type=media_type, headers=headers)


# Without `?dot=`: the documents of the open plan, else of the plan whose meeting was held (its
# minutes and notice are issued after the meeting); the follow-up of the plan held last, whose
# conclusions run while the next plan is already open, else the open one.
DOCUMENT_PLANS = (PlanChoice.OPEN, PlanChoice.AFTER_MEETING)
FOLLOW_UP_PLANS = (PlanChoice.AFTER_MEETING, PlanChoice.OPEN)


def add_document_routes(staff: APIRouter, kit: StaffKit) -> None:
    @staff.get("/staff/van-ban", response_class=HTMLResponse)
    async def documents(request: Request):
        _, commune, dialogue = await kit.dialogue_for(
            request,
            MANAGERS,
            missing_vi="Xã chưa mở đợt đối thoại nào nên chưa có văn bản.",
            fallbacks=DOCUMENT_PLANS,
        )
        try:
            wanted = requested(request.query_params.get("trang"))
        except BadPage:
            return kit.message(request, 400, "Số trang không hợp lệ", BAD_PAGE_VI)
        reporting = kit.reporting(request)
        # two reads at once: a stalled reporting costs one page-read timeout, not two
        reply, record = await asyncio.gather(
            reporting.documents(commune.id, dialogue.id), reporting.meeting(commune.id, dialogue.id)
        )
        # without reporting's list, what is issued is unknown: the page offers no "Ban hành"
        known = reply.ok and isinstance(reply.body, dict)
        body = reply.body if known and isinstance(reply.body, dict) else {}
        record_body = record.body if record.ok and isinstance(record.body, dict) else {}
        issued = [
            {
                **d,
                "kind_name": DOCUMENT_KINDS_VI.get(d.get("kind", ""), d.get("kind", "")),
                "issued_on_vi": vn_day(d.get("issued_on")),
                "dated_vi": printed_day(d, record_body, dialogue),
            }
            for d in body.get("documents", [])
        ]
        conclusion = body.get("conclusion_notice")
        as_typed = _printed_as_typed(record_body)
        query = request.query_params
        reviews = _review_rows(record_body)
        topic = str(query.get("chu-de") or "").strip()
        topic_number = (
            int(topic) if topic.isdigit() and int(topic) in {t.number for t in dialogue.topics} else None
        )
        show = str(query.get("loc") or "")
        show = show if show in REVIEW_FILTERS_VI else ""
        chosen = chosen_reviews(reviews, {r["key"] for r in as_typed}, show, topic_number)
        focus = str(query.get("van-de") or "")
        index = next((n for n, r in enumerate(chosen) if focus and r["key"] == focus), None)
        page = (
            Page.containing(index, len(chosen), REVIEWS_PER_PAGE)
            if index is not None
            else Page.of(len(chosen), REVIEWS_PER_PAGE, wanted)
        )
        view = {"dot": dialogue.id, "chu-de": str(topic_number or ""), "loc": show}
        reviewed_notice = REVIEWED_VI.get(request.query_params.get("da_ra_soat") or "")
        just_issued = next(
            (d for d in issued if d.get("_id") == request.query_params.get("da_ban_hanh")), None
        )
        return kit.render(
            request,
            "documents.html",
            title="Văn bản của đợt đối thoại",
            commune_=commune,
            dialogue=dialogue,
            plans=await kit.plans_of(commune),
            kinds=DOCUMENT_KINDS_VI,
            issued=issued,
            conclusion=conclusion,
            conclusion_state=_conclusion_state(conclusion or {}),
            notice=_issued_notice(just_issued) if just_issued else reviewed_notice,
            error=None if known else reply.reason_vi(),
            known=known,
            formats=FORMATS,
            as_typed=as_typed[:AS_TYPED_LISTED],
            as_typed_total=len(as_typed),
            reviews=page.rows(chosen),
            reviews_on_page={r["key"] for r in page.rows(chosen)},
            reviews_total=len(reviews),
            reviews_chosen=len(chosen),
            reviews_pager=pager(page, "/staff/van-ban", view, anchor="#noi-dung-cong-bo"),
            review_view={"topic": topic_number, "show": show},
            review_filters=REVIEW_FILTERS_VI,
            topics=dialogue.topics,
            locked=bool(record_body.get("locked")),
        )

    @staff.post("/staff/van-ban/tom-tat/{issue_key}", response_class=HTMLResponse)
    async def review_summary(request: Request, issue_key: str):
        """The summary staff reviewed for one issue, stored in reporting's meeting record and
        printed by the documents instead of the resident's text as typed."""
        _, commune, dialogue = await kit.dialogue_for(
            request, MANAGERS, missing_vi="Không có đợt đối thoại này.", fallbacks=DOCUMENT_PLANS
        )
        record = await kit.reporting(request).meeting(commune.id, dialogue.id)
        issues = (record.body or {}).get("issues", []) if record.ok and isinstance(record.body, dict) else []
        issue = next((i for i in issues if str(i.get("key")) == issue_key), None)
        if issue is None:
            return kit.not_found(request)
        form = await kit.read_form(request)
        summary = clean_text(form.get("summary") or "")[:SUMMARY_MAX]
        request.state.audit_action = "review_summary"
        request.state.audit_target = {"dialogue_id": dialogue.id, "issue_key": issue_key}
        locked = bool((record.body or {}).get("locked"))
        if locked:  # the notice is issued: its summary stays, only the public flag changes
            summary = "" if issue.get("printed_as_typed") else str(issue.get("summary") or "")
        elif not summary:
            return kit.message(request, 422, "Chưa lưu được", "Vui lòng nhập nội dung đã rà soát của vấn đề.")
        # the form sends a hidden "0" before the checkbox's "1": the last value is the choice
        public = PUBLIC_CHOICES.get(form.get("public", "1"))
        if public is None:
            return kit.message(request, 422, "Chưa lưu được", "Ô “Công khai trên trang của xã” không hợp lệ.")
        reply = await kit.reporting(request).set_summary(
            commune.id, dialogue.id, issue_key, summary, request.state.correlation_id, public
        )
        if not reply.ok:
            key = quote(issue_key)
            back = f"/staff/van-ban?dot={quote(dialogue.id)}&van-de={key}#tom-tat-{key}"
            return kit.message(
                request,
                reply.status if reply.status >= 400 else 502,
                "Chưa lưu được",
                reply.reason_vi(),
                back=(back, "Quay lại sửa nội dung"),
                kept=summary,
            )
        done = "1" if public else "rieng"
        anchor = f"#tom-tat-{quote(issue_key)}"
        return kit.redirect(
            f"/staff/van-ban?dot={quote(dialogue.id)}&da_ra_soat={done}&van-de={quote(issue_key)}{anchor}"
        )

    @staff.post("/staff/van-ban/{kind}", response_class=HTMLResponse)
    async def issue(request: Request, kind: str):
        """ "Ban hành" numbers nothing: it leads to the confirmation page."""
        if kind not in DOCUMENT_KINDS_VI:
            return kit.not_found(request)
        _, _, dialogue = await kit.dialogue_for(
            request, MANAGERS, missing_vi="Không có đợt đối thoại này.", fallbacks=DOCUMENT_PLANS
        )
        return kit.redirect(f"/staff/van-ban/{kind}/ban-hanh?dot={quote(dialogue.id)}")

    @staff.get("/staff/van-ban/{kind}/ban-hanh", response_class=HTMLResponse)
    async def confirm_issue(request: Request, kind: str):
        """What issuing would meet (reporting's readiness): what is not ready, who signs, the
        recipients e-mailed, and for a reissue that the old number stays. Nothing is numbered."""
        if kind not in DOCUMENT_KINDS_VI:
            return kit.not_found(request)
        _, commune, dialogue = await kit.dialogue_for(
            request, MANAGERS, missing_vi="Không có đợt đối thoại này.", fallbacks=DOCUMENT_PLANS
        )
        reply = await kit.reporting(request).readiness(commune.id, dialogue.id, kind)
        if not reply.ok or not isinstance(reply.body, dict):
            return kit.message(
                request, reply.status if reply.status >= 400 else 502, "Chưa kiểm tra được", reply.reason_vi()
            )
        body = reply.body
        problems = [
            {**p, "fix": _fix_link(p, dialogue.id)} for p in body.get("problems") or [] if isinstance(p, dict)
        ]
        return kit.render(
            request,
            "issue_confirm.html",
            title="Xác nhận ban hành",
            commune_=commune,
            dialogue=dialogue,
            kind=kind,
            kind_name=DOCUMENT_KINDS_VI[kind],
            problems=problems,
            blocked=bool(body.get("blocked")),
            signers=body.get("signers") or [],
            recipients=body.get("recipients") or [],
            reissue=body.get("reissue"),
            numbered=body.get("numbered", True),
        )

    @staff.post("/staff/van-ban/{kind}/ban-hanh", response_class=HTMLResponse)
    async def confirmed_issue(request: Request, kind: str):
        if kind not in DOCUMENT_KINDS_VI:
            return kit.not_found(request)
        user, commune, dialogue = await kit.dialogue_for(
            request, MANAGERS, missing_vi="Không có đợt đối thoại này.", fallbacks=DOCUMENT_PLANS
        )
        request.state.audit_action = "issue_document"
        request.state.audit_target = {"kind": kind, "dialogue_id": dialogue.id}
        reply = await kit.reporting(request).issue(
            commune.id, dialogue.id, kind, who(user), request.state.correlation_id
        )
        if not reply.ok:
            return kit.message(
                request, reply.status if reply.status >= 400 else 502, "Chưa ban hành được", reply.reason_vi()
            )
        document_id = str((reply.body or {}).get("_id", ""))
        request.state.audit_target["document_id"] = document_id
        return kit.redirect(f"/staff/van-ban?dot={quote(dialogue.id)}&da_ban_hanh={quote(document_id)}")

    @staff.get("/staff/van-ban/{kind}/du-thao.{fmt}")
    async def preview(request: Request, kind: str, fmt: str):
        if kind not in DOCUMENT_KINDS_VI or fmt not in FORMATS:
            return kit.not_found(request)
        _, commune, dialogue = await kit.dialogue_for(
            request, MANAGERS, missing_vi="Không có đợt đối thoại này.", fallbacks=DOCUMENT_PLANS
        )
        reply = await kit.reporting(request).preview(commune.id, dialogue.id, kind, fmt)
        if not reply.ok:
            return kit.message(
                request,
                502 if reply.status >= 500 else reply.status,
                "Chưa xem được dự thảo",
                reply.reason_vi(),
            )
        return _file_response(reply.content, reply.media_type, f'inline; filename="du-thao-{kind}.{fmt}"')

    @staff.get("/staff/van-ban/da-ban-hanh/{document_id}.{fmt}")
    async def download(request: Request, document_id: str, fmt: str):
        user: StaffUser = request.state.staff_user
        commune = await kit.commune_of(user)
        if (
            commune is None
            or user.role not in MANAGERS
            or fmt not in FORMATS
            or not document_id.startswith(f"{commune.id}:")
        ):
            return kit.not_found(request)
        reply = await kit.reporting(request).issued_file(commune.id, document_id[:200], fmt)
        if not reply.ok:
            return kit.not_found(request)
        return _file_response(
            reply.content, reply.media_type, f'inline; filename="{document_id.replace(":", "-")}.{fmt}"'
        )

    # ---- follow-up board -------------------------------------------------------------------

    def visible(user: StaffUser, task: dict) -> bool:
        return user.role in MANAGERS or (
            user.role == "office_staff" and task.get("office_id") == user.office_id
        )

    async def board(
        request: Request,
        user: StaffUser,
        commune: Commune,
        dialogue: Dialogue,
        *,
        shown: TaskForm | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        """The board; `shown`: the form of one task as it was sent back, with what is missing."""
        try:
            wanted = requested(request.query_params.get("trang"))
        except BadPage:
            return kit.message(request, 400, "Số trang không hợp lệ", BAD_PAGE_VI)
        # reporting sends one page in the board's order (the notice's numbers): a task sent back
        # or just changed (`?viec=`) is shown on the page that holds it
        reporting = kit.reporting(request)
        opened = shown.task_id if shown else request.query_params.get("viec")
        asked = (wanted - 1) * TASKS_PER_PAGE
        reply = await reporting.follow_up(
            commune.id, dialogue.id, offset=asked, limit=TASKS_PER_PAGE, around=opened or None
        )
        body = reply.body if reply.ok and isinstance(reply.body, dict) else {}
        total, start = int(body.get("total") or 0), int(body.get("offset") or 0)
        page = Page.of(total, TASKS_PER_PAGE, start // TASKS_PER_PAGE + 1)
        if start >= total > 0:  # past the end: the last page
            page = Page.of(total, TASKS_PER_PAGE, wanted)
            reply = await reporting.follow_up(commune.id, dialogue.id, offset=page.skip, limit=TASKS_PER_PAGE)
            body = reply.body if reply.ok and isinstance(reply.body, dict) else {}
        tasks = [
            {**row, "text": user.text_seen(row.get("text"))}
            for row in map(task_row, [t for t in body.get("tasks") or [] if visible(user, t)])
        ]
        response = kit.render(
            request,
            "followup.html",
            status=status,
            title="Theo dõi thực hiện kết luận",
            commune_=commune,
            dialogue=dialogue,
            plans=await kit.plans_of(commune),
            tasks=tasks,
            pages=pager(page, "/staff/theo-doi", {"dot": dialogue.id}, anchor="#viec-dau"),
            statuses=TASK_STATUSES_VI,
            needs_reason=NEEDS_REASON,
            keep_status=KEEP_STATUS,
            shown=shown,
            error=None if reply.ok else reply.reason_vi(),
            notice=DONE_VI.get(request.query_params.get("xong") or ""),
        )
        response.headers["Content-Security-Policy"] = FOLLOW_UP_CSP
        return response

    @staff.get("/staff/theo-doi", response_class=HTMLResponse)
    async def follow_up(request: Request):
        user, commune, dialogue = await kit.dialogue_for(
            request,
            ANSWERERS,
            missing_vi="Xã chưa mở đợt đối thoại nào nên chưa có việc cần theo dõi.",
            fallbacks=FOLLOW_UP_PLANS,
        )
        return await board(request, user, commune, dialogue)

    async def task_of(request: Request, task_id: str) -> tuple[StaffUser, Commune, Dialogue] | None:
        """The user, commune and dialogue of a task the user may change, else None."""
        user: StaffUser = request.state.staff_user
        commune = await kit.commune_of(user)
        if commune is None or user.role not in ANSWERERS:
            return None
        dialogue_id = task_id.split(":", 1)[0]
        dialogue = await kit.dialogue_in(user, commune, dialogue_id)
        if dialogue is None:
            return None
        found = await kit.reporting(request).follow_up(commune.id, dialogue_id, limit=1, around=task_id)
        tasks = (found.body or {}).get("tasks", []) if found.ok and isinstance(found.body, dict) else []
        task = next((t for t in tasks if t.get("id") == task_id), None)
        return (user, commune, dialogue) if task is not None and visible(user, task) else None

    @staff.post("/staff/theo-doi/{task_id}", response_class=HTMLResponse)
    async def change_task(request: Request, task_id: str):
        found = await task_of(request, task_id)
        if found is None:
            return kit.not_found(request)
        user, commune, dialogue = found
        form = await kit.read_form(request)
        status, note = clean_text(form.get("status") or ""), clean_text(form.get("note") or "")[:NOTE_MAX]
        request.state.audit_target = {"status": status}
        shown = TaskForm(task_id, "status", status, note)
        keep = status == KEEP_STATUS  # a progress note: the task keeps its status
        if not keep and status not in TASK_STATUSES_VI:
            return await board(
                request, user, commune, dialogue, status=422, shown=shown.refused("status", STATUS_MISSING_VI)
            )
        missing_note = PROGRESS_MISSING_VI if keep else REASON_MISSING_VI
        if (keep or status in NEEDS_REASON) and not note:
            return await board(
                request, user, commune, dialogue, status=422, shown=shown.refused("note", missing_note)
            )
        reply = await kit.reporting(request).change_task(
            commune.id,
            task_id,
            None if keep else status,
            note or None,
            who(user),
            request.state.correlation_id,
        )
        if not reply.ok:
            name = "note" if reply.status == 422 else "status"
            wanted_vi = "giữ nguyên trạng thái" if keep else TASK_STATUSES_VI[status]
            reason = missing_note if reply.status == 422 else _refusal_vi(reply, wanted_vi)
            return await board(
                request,
                user,
                commune,
                dialogue,
                status=422 if reply.status < 500 else 502,
                shown=shown.refused(name, reason),
            )
        done = "ghi-chu" if keep else "1"
        return kit.redirect(
            f"/staff/theo-doi?dot={quote(dialogue.id)}&viec={quote(task_id)}&xong={done}#viec-{quote(task_id)}"
        )

    @staff.post("/staff/theo-doi/{task_id}/mo-lai", response_class=HTMLResponse)
    async def reopen_task(request: Request, task_id: str):
        found = await task_of(request, task_id)
        if found is None:
            return kit.not_found(request)
        user, commune, dialogue = found
        form = await kit.read_form(request)
        reason = clean_text(form.get("reason") or "")[:NOTE_MAX]
        request.state.audit_action = "reopen_follow_up"
        request.state.audit_target = {"task_id": task_id}
        shown = TaskForm(task_id, "reopen", "", reason)
        if not reason:
            return await board(
                request, user, commune, dialogue, status=422, shown=shown.refused("reason", REOPEN_MISSING_VI)
            )
        reply = await kit.reporting(request).reopen_task(
            commune.id, task_id, reason, request.state.correlation_id
        )
        if not reply.ok:
            refusal = (
                ("reason", REOPEN_MISSING_VI)
                if reply.status == 422
                else ("form", _refusal_vi(reply, "mở lại (việc này chưa giải quyết xong)"))
            )
            return await board(
                request,
                user,
                commune,
                dialogue,
                status=422 if reply.status < 500 else 502,
                shown=shown.refused(*refusal),
            )
        return kit.redirect(
            f"/staff/theo-doi?dot={quote(dialogue.id)}&viec={quote(task_id)}&xong=mo-lai#viec-{quote(task_id)}"
        )


@dataclass(frozen=True)
class TaskForm:
    """One task's form sent back to its author: which form (`status` or `reopen`), what was typed
    and, per field, what is missing (in Vietnamese, shown next to the field)."""

    task_id: str
    form: str
    status: str
    note: str
    errors: Mapping[str, str] = field(default_factory=dict)

    def refused(self, name: str, reason_vi: str) -> TaskForm:
        return TaskForm(self.task_id, self.form, self.status, self.note, {name: reason_vi})


def _refusal_vi(reply: BackendReply, wanted_vi: str) -> str:
    """Why reporting refused a change, in words a clerk reads (its own words name status codes)."""
    body = reply.body if isinstance(reply.body, dict) else {}
    if reply.status == 409 and body.get("error") == "bad_transition":
        return (
            f"Không chuyển được sang “{wanted_vi}” từ trạng thái hiện tại; "
            "vui lòng tải lại trang và chọn trạng thái khác."
        )
    return reply.reason_vi()


def printed_day(document: Mapping[str, object], record: Mapping[str, object], dialogue: Dialogue) -> str:
    """The day a document prints under its number, where it is not the day it was issued: the
    minutes are dated the meeting's day (its recorded start, else the plan's date), whenever
    they are issued. '' for the other kinds."""
    if document.get("kind") != DocumentKind.MINUTES.value:
        return ""
    return vn_day(record.get("started_at")) or vn_date(dialogue.meeting_date)


def vn_day(value: object) -> str:
    """An ISO date or timestamp from an API as dd/mm/yyyy (Vietnam's day); '' when not one."""
    try:
        text = str(value or "")
        parsed = (
            datetime.fromisoformat(text.replace("Z", "+00:00")) if "T" in text else date.fromisoformat(text)
        )
    except ValueError:
        return ""
    return vn_date(parsed)


def vn_moment(value: object) -> str:
    """An ISO timestamp as `dd/mm/yyyy HH:MM` in Vietnam's time."""
    try:
        moment = datetime.fromisoformat(str(value or "").replace("Z", "+00:00"))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{vn_date(moment)} {moment.astimezone(VIETNAM_TZ):%H:%M}"


def task_row(task: dict) -> dict:
    """A task as the board prints it: its number in the conclusion notice, Vietnamese dates, its
    history (each change: when, who, why; reopenings marked) and, when settled, the entry that
    settled it (its note, who and when)."""
    history = [
        {
            **entry,
            "by": SYSTEM_VI if entry.get("by") == SYSTEM else entry.get("by"),
            "note": SYSTEM_NOTES_VI.get(str(entry.get("note")), entry.get("note")),
            "when": vn_moment(entry.get("at")),
            "reopened": entry.get("action") == "reopened",
            "progress_note": entry.get("action") == "note",  # the status kept
        }
        for entry in task.get("history") or []
        if isinstance(entry, dict)
    ]
    settled = None
    if task.get("status") in SETTLED:
        settled = next((e for e in reversed(history) if e.get("status") == task.get("status")), None)
    number = task.get("notice_number")
    return {
        **task,
        "number": number if isinstance(number, int) else None,
        "due_vi": vn_day(task.get("due")),
        "history": history,
        "settled": settled,
        "settled_on": vn_day(settled.get("at")) if settled else "",
    }


def _conclusion_state(conclusion: dict) -> str:
    """ "chưa đến hạn", "đã quá hạn", "đã ban hành ngày 05/04/2017", "… ngày 12/04/2017, trễ hạn"."""
    said = CONCLUSION_STATE_VI.get(str(conclusion.get("state") or ""), "")
    if conclusion.get("state") == "done" and conclusion.get("issued_on"):
        said += f" ngày {vn_day(conclusion['issued_on'])}" + (", trễ hạn" if conclusion.get("late") else "")
    return said


def _printed_as_typed(record: dict) -> list[dict]:
    """The issues the documents would still print as the resident typed them, with what is wrong."""
    rows = []
    for issue in record.get("issues") or []:
        problems = [w for w in issue.get("warnings") or [] if w in PRINTED_WARNINGS_VI]
        if not issue.get("printed_as_typed") or not problems:
            continue
        text = str(issue.get("summary") or "")
        words = text.split()
        rows.append(
            {
                "key": str(issue.get("key")),
                "number": issue.get("number"),
                "summary": text,
                "first_words": " ".join(words[:FIRST_WORDS]) + ("…" if len(words) > FIRST_WORDS else ""),
                "problems": [PRINTED_WARNINGS_VI[w] for w in problems],
                "warnings": problems,
            }
        )
    return rows


def _visibility(*, public: bool, reviewed: bool) -> str:
    """What public views show of an issue: open data shows an unreviewed one without its
    content (`UNDER_REVIEW`), and leaves a private one out."""
    if not public:
        return "không công khai"
    return "công khai" if reviewed else "công khai, chưa kèm nội dung (chờ rà soát)"


def _review_rows(record: dict) -> list[dict]:
    """Every issue with its printed summary (prefilled from the items until reviewed), whether it
    is reviewed and whether the Party office lets it into public views.

    `ticked`: the "Công khai trên trang của xã" box as the form opens. Saving the form is the
    review, and its box is the flag saved with it; an issue not reviewed yet opens unticked, so
    what a resident typed is published only when staff tick the box themselves (a reviewed issue
    opens as its stored flag)."""
    rows = []
    for issue in record.get("issues") or []:
        reviewed = not issue.get("printed_as_typed")
        public = issue.get("public", True) is not False
        rows.append(
            {
                "key": str(issue.get("key")),
                "number": issue.get("number"),
                "topic": issue.get("topic"),
                "topic_name": issue.get("topic_name") or "",
                "summary": str(issue.get("summary") or ""),
                "reviewed": reviewed,
                "public": public,
                "ticked": public and reviewed,
                "state": "đã rà soát" if reviewed else "chưa rà soát",
                "visibility": _visibility(public=public, reviewed=reviewed),
            }
        )
    return rows


def chosen_reviews(rows: list[dict], to_fix: set[str], show: str, topic: int | None) -> list[dict]:
    """The review rows a filter (a key of REVIEW_FILTERS_VI) and a topic (None: all) choose."""
    wanted = {
        "": lambda r: True,
        "can-sua": lambda r: r["key"] in to_fix,
        "chua-ra-soat": lambda r: not r["reviewed"],
        "khong-cong-khai": lambda r: not r["public"],
    }[show]
    return [r for r in rows if wanted(r) and (topic is None or r["topic"] == topic)]


def _fix_link(problem: dict, dialogue_id: str) -> tuple[str, str] | None:
    """Where staff fix a problem of the readiness check, and the link's words. A missing signer's
    name is entered in the commune's directory (its message names the field), not on a page."""
    keys = [str(k) for k in problem.get("issue_keys") or []]
    anchor = f"&van-de={quote(keys[0])}#tom-tat-{quote(keys[0])}" if keys else ""
    return {
        "awaiting_review": ("/staff/xem-lai", "Mở hàng chờ rà soát"),
        "not_classified": ("/staff/xem-lai", "Mở hàng chờ rà soát"),
        "printed_as_typed": (f"/staff/van-ban?dot={quote(dialogue_id)}{anchor}", "Nhập nội dung đã rà soát"),
        "not_concluded": (f"/staff/hoi-nghi?dot={quote(dialogue_id)}", "Ghi kết luận ở trang Hội nghị"),
        "carried_over_not_concluded": (
            f"/staff/hoi-nghi?dot={quote(dialogue_id)}&loc=keo-dai",
            "Xem các vấn đề kéo dài ở trang Hội nghị",
        ),
        "chair_not_office_holder": (
            f"/staff/hoi-nghi?dot={quote(dialogue_id)}#thong-tin",
            "Sửa người chủ trì ở trang Hội nghị",
        ),
        "speech_unanswered": (
            f"/staff/hoi-nghi?dot={quote(dialogue_id)}#da-ghi",
            "Ghi phần trả lời ở trang Hội nghị",
        ),
        "deadline_passed": (
            f"/staff/hoi-nghi?dot={quote(dialogue_id)}"
            + (f"&kl={quote(keys[0])}#ket-luan" if keys else "#ket-luan"),
            "Sửa thời hạn ở trang Hội nghị",
        ),
    }.get(str(problem.get("code", "")))


def _issued_notice(issued: dict) -> str:
    number = issued.get("code") or f"lần {issued.get('version')}"
    return f"Đã ban hành: {issued['kind_name']}, {number}."
