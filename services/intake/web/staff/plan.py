"""The plan pages of the staff area.

- `/staff/ke-hoach` (the Party office and the commune admin, MANAGERS): the plan's status and the
  moves it allows next, each through a confirmation page (`/staff/ke-hoach/chuyen?den=…`, GET
  shows what the move means, POST does it); the plan's duties with their deadlines, each marked
  done (who, when, an optional note) or undone. Moves and duties go through intake's plan use
  cases (handlers.plans), called directly.
- `/staff/dang-ky` (every staff role of the commune): who registered to attend and to speak, per
  hamlet against the plan's quota, the speaking order with names, the delegates invited. Phones
  and delegates' contacts only for the roles that see personal data (`StaffUser.sees_identity`);
  a hamlet cell sees its own hamlet.

Both take the plan named by `?dot=`, else the commune's open one, else its latest plan (a plan
held no longer takes submissions, so it is no longer the open one). Every POST goes through the
staff guard (session, CSRF token, audit with the plan, the move or the duty as target).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.intake.handlers.plans import (
    SYSTEM,
    PlanConflict,
    PlanDeps,
    mark_duty_done,
    move_plan,
    plan_view,
    undo_duty_done,
)
from services.intake.handlers.registrations import registrations_by_hamlet
from services.intake.plan_schemas import TRANSITIONS
from services.intake.registrations import RegistrationRepository
from services.intake.schemas import clean_text
from services.intake.web.staff.kit import MANAGERS, Refused, StaffKit, own_hamlet
from services.intake.web.staff.users import StaffUser
from shared.auth.principal import COMMUNE_STAFF
from shared.clock import VIETNAM_TZ, as_utc, utcnow
from shared.contracts import PlanStatus
from shared.directory import Commune, Dialogue

PLAN_PAGE = "/staff/ke-hoach"
REGISTRATIONS_PAGE = "/staff/dang-ky"
NOTE_MAX = 500
MISSING_VI = "Xã chưa có kế hoạch đối thoại nào."
STATE_VI = {"pending": "Chưa đến hạn", "overdue": "Quá hạn", "done": "Đã xong"}
# What each move means for the people who use the system: shown before it is confirmed.
MOVE_MEANS_VI: dict[str, str] = {
    PlanStatus.COLLECTING: "Mở tiếp nhận: người dân gửi ý kiến và đăng ký tham dự vào đợt đối thoại này.",
    PlanStatus.CLASSIFIED: "Ghi nhận đã tổng hợp, phân loại xong các ý kiến; vẫn tiếp tục nhận ý kiến.",
    PlanStatus.INVITED: "Ghi nhận đã gửi giấy mời đại biểu; vẫn tiếp tục nhận ý kiến và đăng ký.",
    PlanStatus.HELD: (
        "Ghi nhận hội nghị đối thoại đã diễn ra. Từ lúc này đợt đối thoại không nhận thêm ý kiến "
        "và đăng ký tham dự; kế hoạch không sửa được nữa."
    ),
    PlanStatus.CONCLUDED: "Ghi nhận đã ban hành Thông báo kết luận; việc theo dõi thực hiện tiếp tục.",
    PlanStatus.CLOSED: "Kết thúc đợt đối thoại. Không chuyển sang trạng thái nào khác được nữa.",
    PlanStatus.CANCELLED: ("Hủy đợt đối thoại: không nhận thêm ý kiến và đăng ký; không hoàn tác được."),
}
DONE_VI = {
    "chuyen": "Đã chuyển kế hoạch sang trạng thái “{status}”.",
    "xong": "Đã ghi nhận việc đã xong.",
    "hoan-tac": "Đã hoàn tác: việc này được tính hạn trở lại.",
}


def vn_day(value: str | date | None) -> str:
    """dd/mm/yyyy of a date or of an ISO datetime (in Vietnam time)."""
    if not value:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    try:
        if len(value) > 10:
            return f"{as_utc(datetime.fromisoformat(value)).astimezone(VIETNAM_TZ):%d/%m/%Y}"
        return f"{date.fromisoformat(value):%d/%m/%Y}"
    except ValueError:
        return value


def vn_moment(value: str | None) -> str:
    """dd/mm/yyyy HH:MM (Vietnam time) of an ISO datetime."""
    if not value:
        return ""
    try:
        return f"{as_utc(datetime.fromisoformat(value)).astimezone(VIETNAM_TZ):%d/%m/%Y %H:%M}"
    except ValueError:
        return value


def status_label(status: str) -> str:
    try:
        return PlanStatus(status).label_vi
    except ValueError:
        return status


def conflict_vi(conflict: PlanConflict, dialogue: Dialogue, to: str) -> str:
    """The use case's refusal, with the statuses named as staff know them."""
    if conflict.code == "bad_transition":
        allowed = ", ".join(f"“{status_label(s)}”" for s in TRANSITIONS.get(dialogue.status, ()))
        now, wanted = status_label(dialogue.status), status_label(to)
        then = f"Từ đây chỉ chuyển được sang: {allowed}." if allowed else "Kế hoạch đã kết thúc."
        return f"Không chuyển được kế hoạch từ “{now}” sang “{wanted}”. {then}"
    return conflict.vi


def plan_moves(dialogue: Dialogue) -> list[tuple[str, str]]:
    """(status, label) of the moves the plan allows next."""
    return [(s, status_label(s)) for s in TRANSITIONS.get(dialogue.status, ())]


def add_plan_routes(staff: APIRouter, kit: StaffKit, plans: PlanDeps) -> None:
    registrations = RegistrationRepository(kit.rt.db)
    # the dashboard's plan card (_plan_panel.html) shows the status and the moves
    kit.env.globals["plan_status_vi"] = status_label
    kit.env.globals["plan_moves"] = plan_moves

    async def target(request: Request, roles: frozenset[str], form: dict[str, str] | None = None):
        """(user, commune, plan): `dot` of the form or the query, else the open plan, else the latest."""
        user, commune = await kit.commune_for(request, roles)
        wanted = ((form or {}).get("dot") or request.query_params.get("dot") or "").strip()
        wanted = wanted or commune.current_dialogue_id or ""
        dialogue = await kit.dialogue_in(user, commune, wanted) if wanted else None
        if dialogue is None and not (form or {}).get("dot") and not request.query_params.get("dot"):
            every = await kit.directory.dialogues(commune.id)
            dialogue = max(every, key=lambda d: (d.meeting_date, d.id)) if every else None
        if dialogue is None:
            raise Refused(kit.message(request, 404, "Chưa có kế hoạch đối thoại", MISSING_VI))
        return user, commune, dialogue

    def back(dialogue: Dialogue, done: str, anchor: str = "", **params: str) -> Response:
        extra = "".join(f"&{k}={quote(v)}" for k, v in params.items() if v)
        return kit.redirect(
            f"{PLAN_PAGE}?dot={quote(dialogue.id)}&xong={done}{extra}" + (f"#{anchor}" if anchor else "")
        )

    async def other_plans(commune: Commune, dialogue: Dialogue) -> list[dict[str, Any]]:
        return [
            {"id": d.id, "title": d.title, "year": d.year, "status": status_label(d.status)}
            for d in await kit.directory.dialogues(commune.id)
            if d.id != dialogue.id
        ]

    async def plan_page(
        request: Request,
        user: StaffUser,
        commune: Commune,
        dialogue: Dialogue,
        *,
        error: str | None = None,
        error_key: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        view = await plan_view(plans, dialogue, contacts=True)
        duties = sorted(view["deadlines"], key=lambda d: d["due"])  # numbered as on the dashboard
        done = request.query_params.get("xong", "")
        notice = DONE_VI.get(done, "").format(status=status_label(dialogue.status)) or None
        today = utcnow().astimezone(ZoneInfo(dialogue.timezone)).date()
        return kit.render(
            request,
            "plan.html",
            status=status,
            title=f"Kế hoạch – {dialogue.title}",
            commune_=commune,
            dialogue=dialogue,
            status_label=status_label(dialogue.status),
            moves=[
                {"to": to, "label": label, "cancel": to == PlanStatus.CANCELLED}
                for to, label in plan_moves(dialogue)
            ],
            duties=[
                {
                    **d,
                    "number": n,
                    "due_vi": vn_day(d["due"]),
                    "state_label": STATE_VI.get(d["state"], d["state"]),
                    "done_at_vi": vn_moment(d.get("done_at")),
                    "by_system": d.get("done_by") == SYSTEM,
                }
                for n, d in enumerate(duties, start=1)
            ],
            counts={s: sum(1 for d in duties if d["state"] == s) for s in STATE_VI},
            today_vi=vn_day(today),
            notice=notice,
            error=error,
            error_key=error_key,
            others=await other_plans(commune, dialogue),
        )

    @staff.get(PLAN_PAGE, response_class=HTMLResponse)
    async def plan(request: Request):
        user, commune, dialogue = await target(request, MANAGERS)
        return await plan_page(request, user, commune, dialogue)

    # ---- moving the plan ----------------------------------------------------------------------

    @staff.get(f"{PLAN_PAGE}/chuyen", response_class=HTMLResponse)
    async def confirm_move(request: Request, den: str = ""):
        """What the move means, the plan as it stands; nothing changes until confirmed."""
        user, commune, dialogue = await target(request, MANAGERS)
        if den not in TRANSITIONS.get(dialogue.status, ()):
            conflict = PlanConflict("bad_transition", "", "")
            return await plan_page(
                request, user, commune, dialogue, error=conflict_vi(conflict, dialogue, den), status=409
            )
        today = utcnow().astimezone(ZoneInfo(dialogue.timezone)).date()
        view = await plan_view(plans, dialogue, contacts=True)
        return kit.render(
            request,
            "plan_confirm.html",
            title="Xác nhận chuyển trạng thái kế hoạch",
            commune_=commune,
            dialogue=dialogue,
            to=den,
            to_label=status_label(den),
            from_label=status_label(dialogue.status),
            means=MOVE_MEANS_VI.get(den, ""),
            meeting_vi=vn_day(dialogue.meeting_date),
            early=den == PlanStatus.HELD and today < dialogue.meeting_date,
            open_duties=sum(1 for d in view["deadlines"] if d["state"] != "done"),
        )

    @staff.post(f"{PLAN_PAGE}/chuyen", response_class=HTMLResponse)
    async def move(request: Request):
        form = await kit.read_form(request)
        user, commune, dialogue = await target(request, MANAGERS, form)
        to = clean_text(form.get("den") or "")[:20]
        seen = clean_text(form.get("tu") or "")[:20]
        request.state.audit_action = "plan_transition"
        request.state.audit_target = {"dialogue_id": dialogue.id, "from": dialogue.status, "to": to}
        if seen and seen != dialogue.status:  # someone moved it since the confirmation was shown
            return await plan_page(
                request,
                user,
                commune,
                dialogue,
                error=(
                    f"Kế hoạch vừa được chuyển sang “{status_label(dialogue.status)}” ở nơi khác; "
                    "chưa chuyển gì thêm. Vui lòng xem lại rồi chọn lại."
                ),
                status=409,
            )
        try:
            await move_plan(plans, dialogue, to, user.principal().name)
        except PlanConflict as conflict:
            return await plan_page(
                request, user, commune, dialogue, error=conflict_vi(conflict, dialogue, to), status=409
            )
        return back(dialogue, "chuyen", "trang-thai")

    # ---- duties done ----------------------------------------------------------------------------

    @staff.post(f"{PLAN_PAGE}/viec-xong", response_class=HTMLResponse)
    async def duty_done(request: Request):
        form = await kit.read_form(request)
        user, commune, dialogue = await target(request, MANAGERS, form)
        key = clean_text(form.get("key") or "")[:80]
        note = clean_text(form.get("note") or "")[:NOTE_MAX] or None
        request.state.audit_action = "plan_duty_done"
        request.state.audit_target = {"dialogue_id": dialogue.id, "key": key}
        if not await mark_duty_done(plans, dialogue, key, user.principal().name, note):
            return await plan_page(
                request,
                user,
                commune,
                dialogue,
                error="Không có việc này trong kế hoạch; vui lòng tải lại trang.",
                status=404,
            )
        if form.get("ve") == "tong-quan":  # marked from the dashboard's deadline list: back there
            return kit.redirect(f"/staff/#moc-{quote(key)}")
        return back(dialogue, "xong", f"viec-{key}")

    @staff.post(f"{PLAN_PAGE}/viec-xong/hoan-tac", response_class=HTMLResponse)
    async def duty_undone(request: Request):
        form = await kit.read_form(request)
        user, commune, dialogue = await target(request, MANAGERS, form)
        key = clean_text(form.get("key") or "")[:80]
        request.state.audit_action = "plan_duty_undone"
        request.state.audit_target = {"dialogue_id": dialogue.id, "key": key}
        try:
            await undo_duty_done(plans, dialogue, key)
        except PlanConflict as conflict:
            return await plan_page(
                request, user, commune, dialogue, error=conflict.vi, error_key=key, status=409
            )
        return back(dialogue, "hoan-tac", f"viec-{key}")

    # ---- registrations --------------------------------------------------------------------------

    @staff.get(REGISTRATIONS_PAGE, response_class=HTMLResponse)
    async def registered(request: Request):
        user, commune, dialogue = await target(request, COMMUNE_STAFF)
        hamlet = own_hamlet(user, commune)
        if user.role == "hamlet_cell" and hamlet is None:
            return kit.forbidden(request)
        view = await registrations_by_hamlet(
            registrations,
            commune,
            dialogue,
            contacts=user.sees_identity,
            hamlet_id=hamlet.id if hamlet else None,
        )
        for row in view["hamlets"]:
            for person in row["people"]:
                person["registered_vi"] = vn_day(person["registered_at"])
        return kit.render(
            request,
            "registrations.html",
            title=f"Đăng ký tham dự – {dialogue.title}",
            commune_=commune,
            dialogue=dialogue,
            status_label=status_label(dialogue.status),
            view=view,
            own_hamlet=hamlet,
            contacts=user.sees_identity,
            delegates=dialogue.delegates,
            can_manage=user.role in MANAGERS,
        )
