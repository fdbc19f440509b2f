"""The Party office's work on items: the review queue of low-confidence classifications,
reclassify / reassign / confirm / merge / split (through routing's API, so each change is an
audited revision that every service follows), and the answer an office prepares."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.intake.schemas import clean_text
from services.intake.tracking import era_named
from services.intake.web.staff.dashboard import (
    NOTE_TO_RESIDENT_MAX,
    era_titles,
    item_row,
    renamed_offices,
    render_item,
)
from services.intake.web.staff.kit import ANSWERERS, MANAGERS, StaffKit, item_scope, projection
from services.intake.web.staff.users import StaffUser
from shared.directory import Commune

ACTIONS = frozenset({"reclassify", "reassign", "confirm", "merge", "split"})  # routing's change actions
ROUTING_FIELDS = {
    "topic": "topic",
    "office_id": "office_id",
    "into": "into",
    "reason": "reason",
    "note_to_resident": "note_to_resident",
    "action": "action",
}


def form_field(body: object) -> str:
    """The form field a refusal from routing's API names (its first error's field), else the whole form."""
    detail = body.get("detail") if isinstance(body, dict) else None
    first = detail[0] if isinstance(detail, list) and detail and isinstance(detail[0], dict) else {}
    return ROUTING_FIELDS.get(str(first.get("field", "")).split(".")[-1], "_form")


def who(user: StaffUser) -> str:
    return f"{user.display_name} ({user.username})"[:120]


def add_work_routes(staff: APIRouter, kit: StaffKit) -> None:
    @staff.get("/staff/xem-lai", response_class=HTMLResponse)
    async def review_queue(request: Request):
        user: StaffUser = request.state.staff_user
        commune = await kit.commune_of(user)
        if commune is None or user.role not in MANAGERS:
            return kit.forbidden(request) if commune else kit.not_found(request)
        reply = await kit.routing(request).review_queue(commune.id)
        decisions = {d["submission_id"]: d for d in (reply.body or {}).get("items", [])} if reply.ok else {}
        ids = list(decisions)
        docs = (
            await kit.repo.submissions.find(
                {**item_scope(user, commune), "_id": {"$in": ids}}, projection(user)
            )
            .sort("received_at", 1)
            .to_list()
        )
        dialogue = await kit.current_dialogue(commune)
        titles = era_titles(commune, dialogue)
        renamed = renamed_offices(commune, dialogue)
        rows = []
        for doc in docs:
            decision = decisions[doc["_id"]]
            rows.append(
                {
                    **item_row(user, dialogue, doc, titles),
                    "text": doc.get("text", ""),
                    "confidence": decision.get("confidence"),
                    # Vietnamese, terms as the resident wrote them (the English one is for the CLI);
                    # offices by the era's titles, as the row's office
                    "explanation": [
                        era_named(line, renamed) for line in decision.get("explanation_vi") or []
                    ],
                }
            )
        return kit.render(
            request,
            "review.html",
            title="Phân loại cần xem lại",
            commune_=commune,
            rows=rows,
            error=None if reply.ok else reply.reason_vi(),
        )

    async def refused(
        request: Request,
        found: tuple[StaffUser, Commune, dict],
        errors: dict[str, str],
        values: dict[str, str],
    ) -> Response:
        """The item page again, the refused form filled in and its errors shown (422)."""
        return await render_item(kit, request, *found, status=422, errors=errors, values=values)

    @staff.post("/staff/items/{submission_id}/phan-loai", response_class=HTMLResponse)
    async def change_routing(request: Request, submission_id: str):
        found = await kit.item_for(request, submission_id, MANAGERS)
        user, commune, doc = found
        form = await kit.read_form(request)
        values = {
            k: clean_text(form.get(k) or "")[:1000]
            for k in ("action", "topic", "office_id", "into", "reason", "note_to_resident")
        }
        request.state.audit_action = f"routing_{values['action'] or 'change'}"
        errors: dict[str, str] = {}
        if values["action"] not in ACTIONS:
            errors["action"] = "Vui lòng chọn việc cần làm."
        if len(values["reason"]) < 3:
            errors["reason"] = (
                "Vui lòng ghi lý do (ít nhất 3 ký tự); lý do được lưu vào nhật ký, chỉ cán bộ xem."
            )
        if len(values["note_to_resident"]) > NOTE_TO_RESIDENT_MAX:
            errors["note_to_resident"] = (
                f"Ghi chú gửi người dân dài quá: tối đa {NOTE_TO_RESIDENT_MAX} ký tự"
                f" (đang có {len(values['note_to_resident'])})."
            )
        change: dict = {"action": values["action"], "by": who(user), "reason": values["reason"]}
        if values["note_to_resident"]:
            change["note_to_resident"] = values["note_to_resident"]
        if values["action"] == "reclassify":
            if not values["topic"].isdigit():
                errors["topic"] = "Vui lòng chọn nội dung mới."
            else:
                change["topic"] = int(values["topic"])
            if values["office_id"]:
                change["office_id"] = values["office_id"]
        elif values["action"] == "reassign":
            if commune.office(values["office_id"]) is None:
                errors["office_id"] = "Vui lòng chọn cơ quan chuẩn bị trả lời."
            change["office_id"] = values["office_id"]
        elif values["action"] == "merge":
            code = values["into"].upper().replace(" ", "")
            target = (
                await kit.repo.submissions.find_one(
                    {**item_scope(user, commune), "tracking_code": code}, {"_id": 1}
                )
                if code
                else None
            )
            if target is None:
                errors["into"] = (
                    "Không tìm thấy ý kiến có mã này trong xã; ghi mã theo dõi, ví dụ DT-AB12CD34."
                )
            else:
                change["into"] = target["_id"]
        if errors:
            return await refused(request, found, errors, values)
        request.state.audit_target = {k: v for k, v in change.items() if k not in ("by",)}
        reply = await kit.routing(request).change(
            commune.id, doc["_id"], change, request.state.correlation_id
        )
        if not reply.ok:
            return await refused(request, found, {form_field(reply.body): reply.reason_vi()}, values)
        return kit.redirect(f"/staff/items/{doc['_id']}?xong=1")

    @staff.post("/staff/items/{submission_id}/tra-loi", response_class=HTMLResponse)
    async def prepare_answer(request: Request, submission_id: str):
        found = await kit.item_for(request, submission_id, ANSWERERS)
        user, commune, doc = found
        form = await kit.read_form(request)
        text = clean_text(form.get("answer") or "")[:5000]
        if len(text) < 3:
            return await refused(
                request,
                found,
                {"answer": "Vui lòng viết nội dung trả lời (ít nhất 3 ký tự)."},
                {"answer": text},
            )
        reply = await kit.routing(request).answer(
            commune.id, doc["_id"], text, who(user), request.state.correlation_id
        )
        if not reply.ok:
            return await refused(request, found, {"answer": reply.reason_vi()}, {"answer": text})
        return kit.redirect(f"/staff/items/{doc['_id']}?xong=1")
