"""Documents and the follow-up board, through reporting's API.

- `/staff/van-ban`: the Party office previews each document of the plan as a draft (HTML, PDF,
  DOCX), issues it (numbered, frozen, e-mailed to its "Nơi nhận") and downloads what was issued.
- `/staff/theo-doi`: every conclusion's task with its office, due date and status; the Party
  office changes any task, an office only its own.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.intake.schemas import clean_text
from services.intake.web.staff.kit import StaffKit
from services.intake.web.staff.users import StaffUser
from services.intake.web.staff.work import who
from shared.auth.principal import ANSWERERS, MANAGERS
from shared.contracts import DocumentKind, FollowUpStatus

DOCUMENT_KINDS_VI = DocumentKind.labels_vi()
FORMATS = ("html", "pdf", "docx")
# What staff may move a task to, worded as the action they choose.
TASK_STATUSES_VI = {
    FollowUpStatus.IN_PROGRESS: FollowUpStatus.IN_PROGRESS.label_vi,
    FollowUpStatus.RESOLVED: FollowUpStatus.RESOLVED.label_vi,
    FollowUpStatus.ESCALATED: "Báo cáo Ban Thường vụ",
    FollowUpStatus.AWAITING_HIGHER_LEVEL: FollowUpStatus.AWAITING_HIGHER_LEVEL.label_vi,
    FollowUpStatus.REJECTED: "Không giải quyết (ghi lý do)",
}
CONCLUSION_STATE_VI = {"pending": "chưa đến hạn", "overdue": "đã quá hạn", "done": "đã ban hành"}
# What reporting finds wrong in a resident's text still printed as typed (its `warnings`).
PRINTED_WARNINGS_VI = {
    "no_diacritics": "chưa có dấu tiếng Việt",
    "first_person": "viết ở ngôi thứ nhất (tôi, nhà tôi, chúng tôi…)",
    "personal_data": "có thông tin cá nhân (số điện thoại, địa chỉ, họ tên…), sẽ in đã che",
}
FIRST_WORDS = 8
SUMMARY_MAX = 5000


def _file_response(content: bytes, media_type: str, disposition: str | None = None) -> Response:
    headers = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    if disposition:
        headers["content-disposition"] = disposition
    return Response(content, media_type=media_type, headers=headers)


def add_document_routes(staff: APIRouter, kit: StaffKit) -> None:
    @staff.get("/staff/van-ban", response_class=HTMLResponse)
    async def documents(request: Request):
        _, commune, dialogue = await kit.dialogue_for(
            request, MANAGERS, missing_vi="Xã chưa mở đợt đối thoại nào nên chưa có văn bản."
        )
        reply = await kit.reporting(request).documents(commune.id, dialogue.id)
        body = reply.body if reply.ok and isinstance(reply.body, dict) else {}
        issued = [
            {**d, "kind_name": DOCUMENT_KINDS_VI.get(d.get("kind", ""), d.get("kind", ""))}
            for d in body.get("documents", [])
        ]
        conclusion = body.get("conclusion_notice")
        record = await kit.reporting(request).meeting(commune.id, dialogue.id)
        as_typed = _printed_as_typed(record.body if record.ok and isinstance(record.body, dict) else {})
        reviewed_notice = "Đã lưu nội dung đã rà soát." if request.query_params.get("da_ra_soat") else None
        just_issued = next(
            (d for d in issued if d.get("_id") == request.query_params.get("da_ban_hanh")), None
        )
        return kit.render(
            request,
            "documents.html",
            title="Văn bản của đợt đối thoại",
            commune_=commune,
            dialogue=dialogue,
            kinds=DOCUMENT_KINDS_VI,
            issued=issued,
            conclusion=conclusion,
            conclusion_state=CONCLUSION_STATE_VI.get((conclusion or {}).get("state", ""), ""),
            notice=_issued_notice(just_issued) if just_issued else reviewed_notice,
            error=None if reply.ok else reply.reason_vi(),
            formats=FORMATS,
            as_typed=as_typed,
        )

    @staff.post("/staff/van-ban/tom-tat/{issue_key}", response_class=HTMLResponse)
    async def review_summary(request: Request, issue_key: str):
        """The summary staff reviewed for one issue, stored in reporting's meeting record and
        printed by the documents instead of the resident's text as typed."""
        _, commune, dialogue = await kit.dialogue_for(
            request, MANAGERS, missing_vi="Không có đợt đối thoại này."
        )
        record = await kit.reporting(request).meeting(commune.id, dialogue.id)
        issues = (record.body or {}).get("issues", []) if record.ok and isinstance(record.body, dict) else []
        if issue_key not in {str(i.get("key")) for i in issues}:
            return kit.not_found(request)
        form = await kit.read_form(request)
        summary = clean_text(form.get("summary") or "")[:SUMMARY_MAX]
        request.state.audit_action = "review_summary"
        request.state.audit_target = {"dialogue_id": dialogue.id, "issue_key": issue_key}
        if not summary:
            return kit.message(request, 422, "Chưa lưu được", "Vui lòng nhập nội dung đã rà soát của vấn đề.")
        reply = await kit.reporting(request).set_summary(
            commune.id, dialogue.id, issue_key, summary, request.state.correlation_id
        )
        if not reply.ok:
            return kit.message(
                request, reply.status if reply.status >= 400 else 502, "Chưa lưu được", reply.reason_vi()
            )
        return kit.redirect(f"/staff/van-ban?dot={quote(dialogue.id)}&da_ra_soat=1")

    @staff.post("/staff/van-ban/{kind}", response_class=HTMLResponse)
    async def issue(request: Request, kind: str):
        """ "Ban hành" numbers nothing: it leads to the confirmation page."""
        if kind not in DOCUMENT_KINDS_VI:
            return kit.not_found(request)
        _, _, dialogue = await kit.dialogue_for(request, MANAGERS, missing_vi="Không có đợt đối thoại này.")
        return kit.redirect(f"/staff/van-ban/{kind}/ban-hanh?dot={quote(dialogue.id)}")

    @staff.get("/staff/van-ban/{kind}/ban-hanh", response_class=HTMLResponse)
    async def confirm_issue(request: Request, kind: str):
        """What issuing would meet (reporting's readiness): what is not ready, who signs, the
        recipients e-mailed, and for a reissue that the old number stays. Nothing is numbered."""
        if kind not in DOCUMENT_KINDS_VI:
            return kit.not_found(request)
        _, commune, dialogue = await kit.dialogue_for(
            request, MANAGERS, missing_vi="Không có đợt đối thoại này."
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
            request, MANAGERS, missing_vi="Không có đợt đối thoại này."
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
            request, MANAGERS, missing_vi="Không có đợt đối thoại này."
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

    @staff.get("/staff/theo-doi", response_class=HTMLResponse)
    async def follow_up(request: Request):
        user, commune, dialogue = await kit.dialogue_for(
            request, ANSWERERS, missing_vi="Xã chưa mở đợt đối thoại nào nên chưa có việc cần theo dõi."
        )
        reply = await kit.reporting(request).follow_up(commune.id, dialogue.id)
        tasks = [t for t in ((reply.body or {}).get("tasks", []) if reply.ok else []) if visible(user, t)]
        tasks.sort(key=lambda t: (not t.get("overdue"), t.get("due", ""), t.get("id", "")))
        return kit.render(
            request,
            "followup.html",
            title="Theo dõi thực hiện kết luận",
            commune_=commune,
            dialogue=dialogue,
            tasks=tasks,
            statuses=TASK_STATUSES_VI,
            error=None if reply.ok else reply.reason_vi(),
            notice="Đã cập nhật." if request.query_params.get("xong") else None,
        )

    @staff.post("/staff/theo-doi/{task_id}", response_class=HTMLResponse)
    async def change_task(request: Request, task_id: str):
        user: StaffUser = request.state.staff_user
        commune = await kit.commune_of(user)
        if commune is None or user.role not in ANSWERERS:
            return kit.not_found(request)
        dialogue_id = task_id.split(":", 1)[0]
        board = (
            await kit.reporting(request).follow_up(commune.id, dialogue_id)
            if await kit.dialogue_in(user, commune, dialogue_id)
            else None
        )
        task = (
            next((t for t in (board.body or {}).get("tasks", []) if t.get("id") == task_id), None)
            if board and board.ok
            else None
        )
        if task is None or not visible(user, task):
            return kit.not_found(request)
        form = await kit.read_form(request)
        status, note = clean_text(form.get("status") or ""), clean_text(form.get("note") or "")[:5000] or None
        request.state.audit_target = {"status": status}
        if status not in TASK_STATUSES_VI:
            return kit.message(request, 422, "Chưa cập nhật được", "Vui lòng chọn trạng thái mới.")
        reply = await kit.reporting(request).change_task(
            commune.id, task_id, status, note, who(user), request.state.correlation_id
        )
        if not reply.ok:
            return kit.message(
                request, 422 if reply.status < 500 else 502, "Chưa cập nhật được", reply.reason_vi()
            )
        return kit.redirect(f"/staff/theo-doi?dot={quote(dialogue_id)}&xong=1")


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


def _fix_link(problem: dict, dialogue_id: str) -> tuple[str, str] | None:
    """Where staff fix a problem of the readiness check, and the link's words. A missing signer's
    name is entered in the commune's directory (its message names the field), not on a page."""
    keys = [str(k) for k in problem.get("issue_keys") or []]
    anchor = f"#tom-tat-{quote(keys[0])}" if keys else ""
    return {
        "awaiting_review": ("/staff/xem-lai", "Mở hàng chờ rà soát"),
        "not_classified": ("/staff/xem-lai", "Mở hàng chờ rà soát"),
        "printed_as_typed": (f"/staff/van-ban?dot={quote(dialogue_id)}{anchor}", "Nhập nội dung đã rà soát"),
    }.get(str(problem.get("code", "")))


def _issued_notice(issued: dict) -> str:
    number = issued.get("code") or f"lần {issued.get('version')}"
    return f"Đã ban hành: {issued['kind_name']}, {number}."
