"""The staff area (server-rendered, Vietnamese): login, logout and changing one's own password
here; the dashboard and items (dashboard.py), the Party office's work on items (work.py),
documents and the follow-up board (documents.py) and bulk import (imports.py) are added to the
same guarded router.

Every route of the staff router goes through `StaffRoute`, so a route added later cannot forget:
- no valid session -> 303 to `/login?next=…`;
- a user whose password someone else chose (`must_change_password`) -> 303 to `/staff/mat-khau`
  from every route but that one and logout, until they set their own;
- any method other than GET/HEAD without the form's CSRF token (csrf.py) -> 403;
- every such POST that passed both is written to `intake_staff_audit` (who, role, commune,
  action = the route's name or `request.state.audit_action`, target = path parameters and
  `request.state.audit_target`, the response status, when).

Scope (`kit.item_scope`): every query carries the user's `commune_id`, so another commune's id is a
404. `office_staff` see only items assigned to their office, `hamlet_cell` only their hamlet's;
only `party_office` and `commune_admin` see the submitter's name and contact; `operator` sees
counts for every commune and no item at all.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.intake.access import STAFF_SESSION_COOKIE
from services.intake.handlers.attendance import AttendanceDeps
from services.intake.handlers.plans import PlanDeps
from services.intake.handlers.submissions import SubmitDeps
from services.intake.import_jobs import ImportJobs
from services.intake.repository import SubmissionRepository
from services.intake.web.csrf import CSRF_FAILED_VI, csrf_ok, issue_csrf_cookie
from services.intake.web.pages import SECURITY_HEADERS, _environment
from services.intake.web.staff.dashboard import add_dashboard_routes
from services.intake.web.staff.documents import add_document_routes
from services.intake.web.staff.imports import add_import_routes
from services.intake.web.staff.kit import Refused, StaffKit
from services.intake.web.staff.login_throttle import LoginThrottle
from services.intake.web.staff.meeting import add_meeting_routes
from services.intake.web.staff.plan import add_plan_routes
from services.intake.web.staff.users import ROLE_LABELS_VI, StaffStore, StaffUser, _token_key
from services.intake.web.staff.work import add_work_routes
from shared.auth.guard import GuardedRoute
from shared.client_address import client_address
from shared.runtime import Runtime

log = logging.getLogger(__name__)

SESSION_COOKIE = STAFF_SESSION_COOKIE
LOGIN_FAILED_VI = "Tên đăng nhập hoặc mật khẩu không đúng."
SAFE_METHODS = ("GET", "HEAD")
PASSWORD_PATH = "/staff/mat-khau"
# The login and password pages run one script, served from this origin (static/password.js:
# "Hiện mật khẩu"); they work the same without it.
PASSWORD_PAGE_CSP = SECURITY_HEADERS["Content-Security-Policy"].replace(
    "script-src 'none'", "script-src 'self'"
)
MUST_CHANGE_VI = (
    "Mật khẩu bạn đang dùng do người khác đặt. Vui lòng đặt mật khẩu mới của riêng bạn trước khi tiếp tục."
)


def safe_next(value: str | None) -> str:
    """Only a path of the staff area: never another site (`//evil`, `https://…`)."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if (
        parts.scheme
        or parts.netloc
        or "\\" in value
        or not (value == "/staff" or value.startswith("/staff/"))
    ):
        return "/staff/"
    return value


def build_staff_router(
    rt: Runtime,
    repo: SubmissionRepository,
    imports: ImportJobs,
    submissions: SubmitDeps,
    attendance: AttendanceDeps,
    plans: PlanDeps,
) -> APIRouter:
    settings = rt.settings
    env = _environment()
    env.globals["ROLE_LABELS_VI"] = ROLE_LABELS_VI
    store = StaffStore(rt.db, timedelta(hours=settings.staff_session_hours))
    throttle = LoginThrottle(
        rt.db,
        limit=settings.staff_login_limit,
        window_s=settings.staff_login_window_s,
        backoff_s=settings.staff_login_backoff_s,
        backoff_max_s=settings.staff_login_backoff_max_s,
        address_limit=settings.staff_login_address_limit,
    )
    kit = StaffKit(rt, repo, env, store, imports, submissions, attendance)

    render, message, redirect, read_form = kit.render, kit.message, kit.redirect, kit.read_form

    def set_session_cookie(request: Request, response: Response, token: str) -> None:
        response.set_cookie(
            SESSION_COOKIE,
            token,
            max_age=settings.staff_session_hours * 3600,
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    def login_redirect(request: Request) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(f"/login?next={quote(safe_next(target), safe='/')}")

    # ---- the guard every staff route goes through --------------------------------------------

    class StaffRoute(GuardedRoute):
        def get_route_handler(self):
            inner = super().get_route_handler()
            action = self.name

            async def answer(request: Request) -> Response:
                try:
                    return await inner(request)
                except Refused as refused:  # the kit's look-ups refuse with the page to show
                    return refused.response

            async def guarded(request: Request) -> Response:
                user = await store.user_for(request.cookies.get(SESSION_COOKIE))
                if user is None:
                    return login_redirect(request)
                request.state.staff_user = user
                if user.must_change_password and request.url.path not in (PASSWORD_PATH, "/logout"):
                    return redirect(PASSWORD_PATH)
                if request.method in SAFE_METHODS:
                    return await answer(request)
                if not csrf_ok(request, await read_form(request)):
                    return message(request, 403, "Không gửi được biểu mẫu", CSRF_FAILED_VI)
                response = await answer(request)
                target = {**request.path_params, **getattr(request.state, "audit_target", {})}
                await store.audit(
                    user, getattr(request.state, "audit_action", action), target, status=response.status_code
                )
                return response

            return guarded

    public = APIRouter(include_in_schema=False, route_class=GuardedRoute)
    staff = APIRouter(include_in_schema=False, route_class=StaffRoute)

    # ---- login and logout ------------------------------------------------------------------

    def login_page(
        request: Request, *, next_url: str, username: str = "", error: str | None = None, status: int = 200
    ) -> HTMLResponse:
        page = render(
            request,
            "login.html",
            status=status,
            title="Đăng nhập – khu vực cán bộ",
            next_url=next_url,
            username=username,
            error=error,
        )
        page.headers["Content-Security-Policy"] = PASSWORD_PAGE_CSP
        return page

    @public.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = ""):  # noqa: A002 - the query parameter's name
        return login_page(request, next_url=safe_next(next))

    @public.post("/login", response_class=HTMLResponse)
    async def login(request: Request):
        form = await read_form(request)
        if not csrf_ok(request, form, before_login=True):  # the form again, its token new, the name kept
            return login_page(
                request,
                next_url=safe_next(form.get("next")),
                username=(form.get("username") or "")[:64],
                status=403,
                error="Biểu mẫu đăng nhập đã hết hạn. Vui lòng nhập lại mật khẩu rồi đăng nhập.",
            )
        next_url = safe_next(form.get("next"))
        username = (form.get("username") or "")[:64]
        attempt = await throttle.begin(username, client_address(request, settings.trusted_proxies))
        if not attempt.allowed:
            log.warning("staff login throttled", extra={"retry_after_s": attempt.retry_after_s})
            wait = (
                f"khoảng {max(1, round(attempt.retry_after_s / 60))} phút"
                if attempt.retry_after_s >= 90
                else f"{attempt.retry_after_s} giây"
            )
            response: Response = login_page(
                request,
                next_url=next_url,
                username=username,
                status=429,
                error=f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {wait}.",
            )
            response.headers["Retry-After"] = str(attempt.retry_after_s)
            return response
        user = await store.authenticate(username, (form.get("password") or "")[:256])
        if user is None:
            await throttle.failed(attempt)
            log.info("staff login failed")
            return login_page(
                request, next_url=next_url, username=username, error=LOGIN_FAILED_VI, status=401
            )
        await throttle.succeeded(attempt)
        await store.close_session(
            request.cookies.get(SESSION_COOKIE)
        )  # no session fixation: always a new token
        token = await store.open_session(user)
        await store.audit(user, "login")
        response = redirect(PASSWORD_PATH if user.must_change_password else next_url)
        set_session_cookie(request, response, token)
        issue_csrf_cookie(request, response, token)  # the form token of this session, not the login form's
        return response

    @staff.post("/logout")
    async def logout(request: Request):
        await store.close_session(request.cookies.get(SESSION_COOKIE))
        response = redirect("/login")
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https"
        )
        issue_csrf_cookie(request, response, None)  # nothing of the session's survives it
        return response

    add_dashboard_routes(staff, kit)
    add_work_routes(staff, kit)
    add_document_routes(staff, kit)
    add_import_routes(staff, kit)
    add_meeting_routes(staff, kit)
    add_plan_routes(staff, kit, plans)

    # ---- own password ----------------------------------------------------------------------

    def password_page(
        request: Request,
        *,
        errors: Mapping[str, str] | None = None,
        notice: str | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        page = render(
            request,
            "password.html",
            status=status,
            title="Đổi mật khẩu",
            errors=dict(errors or {}),
            notice=notice,
        )
        page.headers["Content-Security-Policy"] = PASSWORD_PAGE_CSP
        return page

    @staff.get("/staff/mat-khau", response_class=HTMLResponse)
    async def password_form(request: Request, xong: str = ""):
        if request.state.staff_user.must_change_password:
            return password_page(request, notice=MUST_CHANGE_VI)
        return password_page(
            request,
            notice="Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất." if xong == "1" else None,
        )

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
