"""What every staff page module uses: rendering with the CSRF token and security headers, the
standard answers (message, 404, 403, redirect), the user's commune and the scope of its items,
and the clients of the routing and reporting APIs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import httpx
from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment

from services.intake.access import organisation_items
from services.intake.handlers.attendance import AttendanceDeps
from services.intake.handlers.submissions import SubmitDeps
from services.intake.import_jobs import ImportJobs
from services.intake.repository import SubmissionRepository
from services.intake.web.csrf import csrf_token, set_csrf_cookie
from services.intake.web.pages import SECURITY_HEADERS
from services.intake.web.staff.backends import Backend, ReportingBackend, RoutingBackend
from services.intake.web.staff.users import StaffStore, StaffUser
from shared.auth.principal import ANSWERERS as ANSWERERS  # re-exported for the staff pages
from shared.auth.principal import MANAGERS, Role
from shared.contracts import PlanStatus
from shared.directory import Commune, Dialogue, DirectoryReader, Hamlet
from shared.forms import read_form as read_bounded_form
from shared.runtime import Runtime

B = TypeVar("B", bound=Backend)

IN_PROCESS = "inprocess"
NO_ACCESS: dict[str, Any] = {"_id": {"$in": []}}  # a filter nothing matches
_NO_IDENTITY = {"submitter": 0, "outbox": 0, "fingerprint": 0}

# Who may do what (the guard has already checked the session and the CSRF token).
# MANAGERS review, reclassify, issue documents, change any follow-up task; ANSWERERS prepare the
# answer of an item they can see (shared/auth/principal.py, the matrix the APIs follow too).
IMPORTERS = MANAGERS | {Role.HAMLET_CELL, Role.FRONT_ORG}  # enter a hamlet meeting's opinions
# The meeting took place and the plan's duties still run (the notice, the follow-up): not closed.
AFTER_MEETING = frozenset({PlanStatus.HELD, PlanStatus.CONCLUDED})


class PlanChoice(StrEnum):
    """Which plan a staff page takes when `?dot=` names none, tried in the order a page lists."""

    OPEN = "open"  # the commune's open plan (taking submissions)
    AFTER_MEETING = "after_meeting"  # the latest plan held or concluded (documents, follow-up)


def own_hamlet(user: StaffUser, commune: Commune) -> Hamlet | None:
    """A hamlet cell's own hamlet (None for every other role)."""
    return (
        next((h for h in commune.hamlets if h.id == user.hamlet_id), None)
        if user.role == "hamlet_cell"
        else None
    )


def topic_choices(dialogue: Dialogue | None, *, with_other: bool = False) -> list[tuple[int, str]]:
    """(number, "3. name") of the plan's topics for a select; `with_other` adds 0 (khác)."""
    if dialogue is None:
        return []
    return [(t.number, f"{t.number}. {t.name}") for t in dialogue.topics] + (
        [(0, f"0. {dialogue.topic_name(0)}")] if with_other else []
    )


def item_scope(user: StaffUser, commune: Commune | None) -> dict:
    """The filter every item query of this user carries."""
    if user.role == "operator" or user.commune_id is None or commune is None or commune.id != user.commune_id:
        return dict(NO_ACCESS)
    scope: dict[str, Any] = {"commune_id": user.commune_id}
    if user.role == "office_staff":
        scope["office_id"] = user.office_id
    elif user.role == "hamlet_cell":
        hamlet = own_hamlet(user, commune)
        if hamlet is None:
            return dict(NO_ACCESS)
        scope["hamlet"] = hamlet.name
    elif user.role == "front_org":
        scope.update(organisation_items(user.organisation))
    return scope


def projection(user: StaffUser) -> dict:
    return {"outbox": 0, "fingerprint": 0} if user.sees_identity else dict(_NO_IDENTITY)


class Refused(Exception):
    """The page to answer is a refusal (404, 403, "no dialogue"): raised by the kit's look-ups,
    answered by the staff route (pages.StaffRoute), so a handler needs no check of its own."""

    def __init__(self, response: HTMLResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass(frozen=True)
class StaffKit:
    rt: Runtime
    repo: SubmissionRepository
    env: Environment
    store: StaffStore
    imports: ImportJobs
    submissions: SubmitDeps
    attendance: AttendanceDeps  # check-ins are intake's own use cases: called directly

    # ---- the other services' APIs ------------------------------------------------------------

    def _transport(self, request: Request, url: str) -> httpx.AsyncBaseTransport | None:
        """`inprocess`: the service is served by this same app (make run's embedded mode, tests)."""
        return httpx.ASGITransport(app=request.app) if url == IN_PROCESS else None

    def _token(self, request: Request) -> str:
        """A token for the signed-in user, valid for one page's calls."""
        return self.rt.tokens.issue(request.state.staff_user.principal(), ttl_s=60)

    def routing(self, request: Request) -> RoutingBackend:
        return self._backend(RoutingBackend, request, self.rt.settings.routing_url, "http://routing")

    def reporting(self, request: Request) -> ReportingBackend:
        return self._backend(ReportingBackend, request, self.rt.settings.reporting_url, "http://reporting")

    def _backend(self, kind: type[B], request: Request, url: str, in_process: str) -> B:
        """A client of a backend for this request's user (`in_process`: its address in this app)."""
        return kind(
            in_process if url == IN_PROCESS else url,
            self.rt.settings.backend_timeout_s,
            self._token(request),
            self._transport(request, url),
            self.rt.settings.page_read_timeout_s,
        )

    @property
    def directory(self) -> DirectoryReader:
        return self.rt.directory

    # ---- answers ---------------------------------------------------------------------------

    def render(
        self, request: Request, template: str, *, status: int = 200, title: str, **context: Any
    ) -> HTMLResponse:
        token = csrf_token(request)
        user = getattr(request.state, "staff_user", None)
        html = self.env.get_template(f"web/staff/{template}").render(
            title=title, csrf_token=token, user=user, commune=None, **context
        )
        response = HTMLResponse(html, status_code=status)
        set_csrf_cookie(request, response, token)
        response.headers.update(SECURITY_HEADERS)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def message(
        self,
        request: Request,
        status: int,
        title: str,
        text: str,
        *,
        back: tuple[str, str] | None = None,
        kept: str | None = None,
    ) -> HTMLResponse:
        """A page saying `text`; `back` (address, label) leads back to where the user was, and
        `kept` is what they typed, shown to copy when the form could not keep it."""
        return self.render(
            request, "message.html", status=status, title=title, text=text, back=back, kept=kept
        )

    def not_found(self, request: Request) -> HTMLResponse:
        return self.message(
            request,
            404,
            "Không tìm thấy",
            "Không tìm thấy mục này, hoặc mục này không thuộc phạm vi tài khoản của bạn.",
        )

    def forbidden(self, request: Request) -> HTMLResponse:
        return self.message(
            request, 403, "Không có quyền", "Tài khoản của bạn không có quyền thực hiện việc này."
        )

    @staticmethod
    def redirect(url: str) -> RedirectResponse:
        response = RedirectResponse(url, status_code=303)
        response.headers.update(SECURITY_HEADERS)
        return response

    @staticmethod
    async def read_form(request: Request) -> dict[str, str]:
        form = await read_bounded_form(request)
        return {k: v for k, v in form.items() if isinstance(v, str)}

    # ---- the user's world ------------------------------------------------------------------

    async def commune_of(self, user: StaffUser) -> Commune | None:
        return await self.directory.commune(user.commune_id) if user.commune_id else None

    async def current_dialogue(self, commune: Commune) -> Dialogue | None:
        return (
            await self.directory.dialogue(commune.id, commune.current_dialogue_id)
            if commune.current_dialogue_id
            else None
        )

    async def scoped_item(self, user: StaffUser, submission_id: str) -> tuple[Commune, dict] | None:
        """The item if this user may see it (its commune, office or hamlet), else None."""
        commune = await self.commune_of(user)
        if commune is None:
            return None
        doc = await self.repo.submissions.find_one(
            {**item_scope(user, commune), "_id": submission_id[:64]}, projection(user)
        )
        return (commune, doc) if doc else None

    async def item_for(
        self, request: Request, submission_id: str, roles: frozenset[str] | None = None
    ) -> tuple[StaffUser, Commune, dict]:
        """(user, commune, item) when the user may see the item (else `Refused` with 404) and,
        given `roles`, act on it (else `Refused` with 403)."""
        user: StaffUser = request.state.staff_user
        found = await self.scoped_item(user, submission_id)
        if found is None:
            raise Refused(self.not_found(request))
        if roles is not None and user.role not in roles:
            raise Refused(self.forbidden(request))
        return (user, *found)

    async def commune_for(self, request: Request, roles: frozenset[str]) -> tuple[StaffUser, Commune]:
        """(user, commune) for a user of a commune whose role is in `roles` (else `Refused` with 403)."""
        user: StaffUser = request.state.staff_user
        commune = await self.commune_of(user)
        if commune is None or user.role not in roles:
            raise Refused(self.forbidden(request))
        return user, commune

    async def dialogue_for(
        self,
        request: Request,
        roles: frozenset[str],
        *,
        missing_vi: str,
        missing_status: int = 404,
        by_query: bool = True,
        fallbacks: Sequence[PlanChoice] = (PlanChoice.OPEN,),
    ) -> tuple[StaffUser, Commune, Dialogue]:
        """(user, commune, dialogue) for a user whose role is in `roles` (else `Refused` with 403):
        the dialogue named by `?dot=` (when `by_query`), else the first plan `fallbacks` finds;
        without one, `Refused` with `missing_vi`. A plan `?dot=` names is never replaced by
        another: an unknown one is refused."""
        user, commune = await self.commune_for(request, roles)
        named = request.query_params.get("dot") if by_query else None
        dialogue = None
        if named:
            dialogue = await self.dialogue_in(user, commune, named)
        else:
            for choice in fallbacks:
                if choice is PlanChoice.OPEN:
                    dialogue = await self.current_dialogue(commune)
                elif user.role != "operator":
                    dialogue = await self.after_meeting_plan(commune)
                if dialogue is not None:
                    break
        if dialogue is None:
            raise self.no_dialogue(request, missing_vi, missing_status)
        return (user, commune, dialogue)

    async def after_meeting_plan(self, commune: Commune) -> Dialogue | None:
        """The latest plan whose meeting was held but whose duties still run (held, concluded): it
        no longer takes submissions, yet its notice is due and its conclusions are followed up."""
        running = [d for d in await self.directory.dialogues(commune.id) if d.status in AFTER_MEETING]
        return max(running, key=lambda d: (d.meeting_date, d.id)) if running else None

    async def plans_of(self, commune: Commune) -> list[Dialogue]:
        """The commune's plans, newest meeting first (a page's choice of year)."""
        every = await self.directory.dialogues(commune.id)
        return sorted(every, key=lambda d: (d.meeting_date, d.id), reverse=True)

    @staticmethod
    def named_dialogue_id(request: Request, commune: Commune, *, by_query: bool = True) -> str | None:
        """The dialogue `?dot=` names (when `by_query`), else the commune's open one (the
        commune already read: one read decides both)."""
        return (request.query_params.get("dot") if by_query else None) or commune.current_dialogue_id

    def no_dialogue(self, request: Request, missing_vi: str, status: int = 404) -> Refused:
        return Refused(self.message(request, status, "Chưa có đợt đối thoại", missing_vi))

    async def dialogue_in(self, user: StaffUser, commune: Commune, dialogue_id: str) -> Dialogue | None:
        """The user's commune's dialogue `dialogue_id` (the commune already read; an operator sees none)."""
        if user.role == "operator":
            return None
        return await self.directory.dialogue(commune.id, dialogue_id[:64])
