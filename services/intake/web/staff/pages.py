"""The staff area (server-rendered, Vietnamese): login, logout, the commune dashboard, one item,
and changing one's own password.

Every route of the staff router goes through `StaffRoute`, so a route added later cannot forget:
- no valid session -> 303 to `/login?next=…`;
- any method other than GET/HEAD without the form's CSRF token (csrf.py) -> 403;
- every such POST that passed both is written to `intake_staff_audit` (who, role, commune,
  action = the route's name or `request.state.audit_action`, target = path parameters and
  `request.state.audit_target`, the response status, when).

Scope (`item_scope`): every query carries the user's `commune_id`, so another commune's id is a
404. `office_staff` see only items assigned to their office, `hamlet_cell` only their hamlet's;
only `party_office` and `commune_admin` see the submitter's name and contact; `operator` sees
counts for every commune and no item at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from services.intake.repository import SubmissionRepository
from services.intake.status import STATUS_LABELS_VI
from services.intake.web.csrf import CSRF_FAILED_VI, csrf_ok, csrf_token, set_csrf_cookie
from services.intake.web.pages import AUTHORITY_VI, KIND_LABELS_VI, SECURITY_HEADERS, WHOLE_COMMUNE, _environment, client_ip, vn_datetime
from services.intake.web.ratelimit import RateLimiter
from services.intake.web.staff.users import ROLE_LABELS_VI, StaffStore, StaffUser, _token_key
from shared.directory import COMMUNES, Commune, Dialogue, DirectoryReader
from shared.runtime import Runtime

log = logging.getLogger(__name__)

SESSION_COOKIE = "doithoai_staff"
LOGIN_FAILED_VI = "Tên đăng nhập hoặc mật khẩu không đúng."
NO_ACCESS = {"_id": {"$in": []}}  # a filter nothing matches
SAFE_METHODS = ("GET", "HEAD")
LATEST = 50
_NO_IDENTITY = {"submitter": 0, "outbox": 0, "fingerprint": 0}


def item_scope(user: StaffUser, commune: Commune | None) -> dict:
    """The filter every item query of this user carries."""
    if user.role == "operator" or user.commune_id is None or commune is None or commune.id != user.commune_id:
        return dict(NO_ACCESS)
    scope: dict[str, Any] = {"commune_id": user.commune_id}
    if user.role == "office_staff":
        scope["office_id"] = user.office_id
    elif user.role == "hamlet_cell":
        hamlet = next((h for h in commune.hamlets if h.id == user.hamlet_id), None)
        if hamlet is None:
            return dict(NO_ACCESS)
        scope["hamlet"] = hamlet.name
    return scope


def projection(user: StaffUser) -> dict:
    return {"outbox": 0, "fingerprint": 0} if user.sees_identity else dict(_NO_IDENTITY)


def safe_next(value: str | None) -> str:
    """Only a path of the staff area: never another site (`//evil`, `https://…`)."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or "\\" in value or not (value == "/staff" or value.startswith("/staff/")):
        return "/staff/"
    return value


def _topic_label(dialogue: Dialogue | None, topic: Any, name: str | None) -> str:
    if topic is None:
        return "Chưa phân loại"
    label = name or (dialogue.topic_name(int(topic)) if dialogue else f"Nội dung {topic}")
    return f"{topic}. {label}" if topic else label


def build_staff_router(rt: Runtime, repo: SubmissionRepository) -> APIRouter:
    settings = rt.settings
    directory: DirectoryReader = rt.directory
    db = rt.db
    env = _environment()
    env.globals["ROLE_LABELS_VI"] = ROLE_LABELS_VI
    store = StaffStore(db, timedelta(hours=settings.staff_session_hours))
    limiter = RateLimiter(db, settings.staff_login_limit, settings.staff_login_window_s)

    # ---- rendering -------------------------------------------------------------------------

    def render(request: Request, template: str, *, status: int = 200, title: str, **context: Any) -> HTMLResponse:
        token = csrf_token(request)
        user = getattr(request.state, "staff_user", None)
        html = env.get_template(f"web/staff/{template}").render(title=title, csrf_token=token, user=user, commune=None, **context)
        response = HTMLResponse(html, status_code=status)
        set_csrf_cookie(request, response, token)
        response.headers.update(SECURITY_HEADERS)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def message(request: Request, status: int, title: str, text: str) -> HTMLResponse:
        return render(request, "message.html", status=status, title=title, text=text)

    def not_found(request: Request) -> HTMLResponse:
        return message(request, 404, "Không tìm thấy", "Không tìm thấy mục này, hoặc mục này không thuộc phạm vi tài khoản của bạn.")

    def redirect(url: str) -> RedirectResponse:
        response = RedirectResponse(url, status_code=303)
        response.headers.update(SECURITY_HEADERS)
        return response

    def login_redirect(request: Request) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(f"/login?next={quote(safe_next(target), safe='/')}")

    async def read_form(request: Request) -> dict[str, str]:
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}

    def set_session_cookie(request: Request, response: Response, token: str) -> None:
        response.set_cookie(SESSION_COOKIE, token, max_age=settings.staff_session_hours * 3600, path="/", httponly=True,
                            samesite="lax", secure=request.url.scheme == "https")

    # ---- the guard every staff route goes through --------------------------------------------

    class StaffRoute(APIRoute):
        def get_route_handler(self):
            inner = super().get_route_handler()
            action = self.name

            async def guarded(request: Request) -> Response:
                user = await store.user_for(request.cookies.get(SESSION_COOKIE))
                if user is None:
                    return login_redirect(request)
                request.state.staff_user = user
                if request.method in SAFE_METHODS:
                    return await inner(request)
                if not csrf_ok(request, await read_form(request)):
                    return message(request, 403, "Không gửi được biểu mẫu", CSRF_FAILED_VI)
                response = await inner(request)
                target = {**request.path_params, **getattr(request.state, "audit_target", {})}
                await store.audit(user, getattr(request.state, "audit_action", action), target, status=response.status_code)
                return response

            return guarded

    public = APIRouter(include_in_schema=False)
    staff = APIRouter(include_in_schema=False, route_class=StaffRoute)

    # ---- login and logout ------------------------------------------------------------------

    def login_page(request: Request, *, next_url: str, username: str = "", error: str | None = None, status: int = 200) -> HTMLResponse:
        return render(request, "login.html", status=status, title="Đăng nhập – khu vực cán bộ", next_url=next_url, username=username, error=error)

    @public.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = ""):  # noqa: A002 - the query parameter's name
        return login_page(request, next_url=safe_next(next))

    @public.post("/login", response_class=HTMLResponse)
    async def login(request: Request):
        form = await read_form(request)
        if not csrf_ok(request, form):
            return message(request, 403, "Không gửi được biểu mẫu", CSRF_FAILED_VI)
        next_url = safe_next(form.get("next"))
        username = (form.get("username") or "")[:64]
        verdict = await limiter.hit("staff-login", client_ip(request))
        if not verdict.allowed:
            minutes = max(1, round(verdict.retry_after_s / 60))
            response = login_page(request, next_url=next_url, username=username, status=429,
                                  error=f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau khoảng {minutes} phút.")
            response.headers["Retry-After"] = str(verdict.retry_after_s)
            return response
        user = await store.authenticate(username, (form.get("password") or "")[:256])
        if user is None:
            log.info("staff login failed")
            return login_page(request, next_url=next_url, username=username, error=LOGIN_FAILED_VI, status=401)
        await store.close_session(request.cookies.get(SESSION_COOKIE))  # no session fixation: always a new token
        token = await store.open_session(user)
        await store.audit(user, "login")
        response = redirect(next_url)
        set_session_cookie(request, response, token)
        return response

    @staff.post("/logout")
    async def logout(request: Request):
        await store.close_session(request.cookies.get(SESSION_COOKIE))
        response = redirect("/login")
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
        return response

    # ---- dashboard -------------------------------------------------------------------------

    async def grouped(match: dict, field: str) -> dict[Any, int]:
        cursor = await repo.submissions.aggregate([{"$match": match}, {"$group": {"_id": f"${field}", "n": {"$sum": 1}}}])
        return {row["_id"]: int(row["n"]) async for row in cursor}

    @staff.get("/staff/", response_class=HTMLResponse)
    async def dashboard(request: Request):
        user: StaffUser = request.state.staff_user
        if user.role == "operator":
            return await operator_dashboard(request)
        commune = await directory.commune(user.commune_id or "")
        if commune is None:
            return not_found(request)
        dialogue = await directory.dialogue(commune.id, commune.current_dialogue_id) if commune.current_dialogue_id else None
        scope = item_scope(user, commune)
        if dialogue is not None:
            scope["dialogue_id"] = dialogue.id
        by_status = await grouped(scope, "status")
        by_topic = await grouped(scope, "topic")
        topics = [(0 if k is None else 1, k if k is not None else 0, _topic_label(dialogue, k, None), n) for k, n in by_topic.items()]
        docs = await repo.submissions.find(scope, projection(user)).sort("received_at", -1).limit(LATEST).to_list()
        office = commune.office(user.office_id) if user.office_id else None
        hamlet = next((h for h in commune.hamlets if h.id == user.hamlet_id), None)
        return render(
            request, "dashboard.html", title=f"Tổng quan – {commune.display_name}", commune_=commune, dialogue=dialogue,
            office=office, hamlet=hamlet, total=sum(by_status.values()),
            statuses=[(STATUS_LABELS_VI.get(k, k), k, n) for k, n in sorted(by_status.items(), key=lambda kv: str(kv[0]))],
            topics=[(label, n) for _, _, label, n in sorted(topics, key=lambda t: (t[0], t[1]))],
            items=[row(user, dialogue, d) for d in docs], latest=LATEST,
        )

    async def operator_dashboard(request: Request) -> HTMLResponse:
        communes = await db[COMMUNES].find({}, {"name": 1, "kind": 1, "province": 1}).sort("_id", 1).to_list()
        totals = await grouped({}, "commune_id")
        per_status = {status: await grouped({"status": status}, "commune_id") for status in STATUS_LABELS_VI}
        rows = [{"id": c["_id"], "name": f"{c.get('kind', 'xã')} {c.get('name', '')}", "province": c.get("province", ""), "total": totals.get(c["_id"], 0),
                 "by_status": [per_status[s].get(c["_id"], 0) for s in STATUS_LABELS_VI]} for c in communes]
        return render(request, "operator.html", title="Tổng quan các xã", rows=rows, status_labels=list(STATUS_LABELS_VI.values()))

    def row(user: StaffUser, dialogue: Dialogue | None, doc: dict) -> dict:
        submitter = (doc.get("submitter") or {}) if user.sees_identity else {}
        return {
            "id": doc["_id"], "code": doc["tracking_code"], "received": vn_datetime(doc.get("received_at")),
            "kind": KIND_LABELS_VI.get(doc.get("kind", ""), doc.get("kind", "")), "hamlet": doc.get("hamlet") or WHOLE_COMMUNE,
            "topic": _topic_label(dialogue, doc.get("topic"), doc.get("topic_name")), "office": doc.get("office_name") or "Chưa giao",
            "status": doc.get("status", ""), "status_label": STATUS_LABELS_VI.get(doc.get("status", ""), doc.get("status", "")),
            "name": submitter.get("name"), "contact": submitter.get("contact"), "needs_review": bool(doc.get("needs_review")),
        }

    # ---- one item --------------------------------------------------------------------------

    @staff.get("/staff/items/{submission_id}", response_class=HTMLResponse)
    async def item(request: Request, submission_id: str):
        user: StaffUser = request.state.staff_user
        commune = await directory.commune(user.commune_id) if user.commune_id else None
        scope = item_scope(user, commune)
        doc = await repo.submissions.find_one({**scope, "_id": submission_id[:64]}, projection(user)) if commune else None
        if doc is None or commune is None:
            return not_found(request)
        dialogue = await directory.dialogue(commune.id, doc["dialogue_id"]) if doc.get("dialogue_id") else None
        history = [{"at": vn_datetime(h["at"]), "note": h.get("note_vi", ""), "by": h.get("by")} for h in await repo.history(commune.id, doc["_id"])]
        view = {**row(user, dialogue, doc), "text": doc.get("text", ""), "authority": AUTHORITY_VI.get(doc.get("authority_level") or ""),
                "times_raised": doc.get("times_raised") or 1, "source": doc.get("source"), "organisation": doc.get("organisation")}
        return render(request, "item.html", title=f"Ý kiến {doc['tracking_code']}", commune_=commune, item=view, history=history)

    # ---- own password ----------------------------------------------------------------------

    def password_page(request: Request, *, errors: Mapping[str, str] | None = None, notice: str | None = None, status: int = 200) -> HTMLResponse:
        return render(request, "password.html", status=status, title="Đổi mật khẩu", errors=dict(errors or {}), notice=notice)

    @staff.get("/staff/mat-khau", response_class=HTMLResponse)
    async def password_form(request: Request, xong: str = ""):
        return password_page(request, notice="Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất." if xong == "1" else None)

    @staff.post("/staff/mat-khau", response_class=HTMLResponse)
    async def change_password(request: Request):
        user: StaffUser = request.state.staff_user
        request.state.audit_action = "change_password"
        form = await read_form(request)
        current, new, again = ((form.get(k) or "")[:256] for k in ("current", "new", "again"))
        errors: dict[str, str] = {}
        if await store.authenticate(user.username, current) is None:
            errors["current"] = "Mật khẩu hiện tại không đúng."
        if len(new) < 10:
            errors["new"] = "Mật khẩu mới cần ít nhất 10 ký tự."
        elif new == current:
            errors["new"] = "Mật khẩu mới phải khác mật khẩu hiện tại."
        elif new != again:
            errors["again"] = "Hai lần nhập mật khẩu mới không khớp nhau."
        if errors:
            return password_page(request, errors=errors, status=422)
        await store.set_password(user.id, new)
        this_session = _token_key(request.cookies.get(SESSION_COOKIE, ""))
        await store.sessions.delete_many({"user_id": user.id, "_id": {"$ne": this_session}})
        return redirect("/staff/mat-khau?xong=1")

    router = APIRouter(include_in_schema=False)
    router.include_router(public)
    router.include_router(staff)
    return router
