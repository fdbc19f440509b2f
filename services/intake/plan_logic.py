"""Dialogue plans: from a request to the stored plan, its deadlines and their states (pure)."""

from __future__ import annotations

import re
from datetime import date

from services.intake.logic import SubmissionRejected, resolve_hamlet
from services.intake.plan_schemas import DelegateIn, PlanIn
from shared.deadlines import state
from shared.directory import Commune, Delegate, Dialogue, Topic
from shared.plan_deadlines import body_name, plan_deadlines
from shared.text import fold

# A plan that names no topics gets these: the six of the 2017 seed plan (ke-hoach-doi-thoai-2017.txt).
DEFAULT_TOPICS = (
    Topic(number=1, name="Xây dựng và thực hiện quy hoạch, nhất là quy hoạch chỉnh trang đô thị"),
    Topic(number=2, name="Quản lý nhà nước, nhất là quản lý đất đai, trật tự xây dựng"),
    Topic(number=3, name="Huy động nguồn lực đầu tư công trình giao thông, hệ thống thoát nước đô thị"),
    Topic(number=4, name="Vệ sinh môi trường, nhất là xử lý rác thải, nước thải sinh hoạt"),
    Topic(number=5, name="An ninh trật tự, an toàn xã hội và an toàn giao thông"),
    Topic(number=6, name="Cải cách hành chính, giải quyết thủ tục hành chính"),
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:60] or "dai-bieu"


def delegates_from(items: list[DelegateIn]) -> tuple[Delegate, ...]:
    seen: set[str] = set()
    out = []
    for item in items:
        delegate_id = item.id or _slug(item.name)
        while delegate_id in seen:
            delegate_id += "-2"
        seen.add(delegate_id)
        out.append(
            Delegate(id=delegate_id, name=item.name, role=item.role, email=item.email, phone=item.phone)
        )
    return tuple(out)


def hamlet_id(commune: Commune, written: str) -> str:
    name = resolve_hamlet(commune, written)
    if name is None:
        raise SubmissionRejected(
            "hamlet_required", "Cần chọn một ấp cụ thể.", "A specific hamlet is required.", field="hamlets"
        )
    return next(h.id for h in commune.hamlets if h.name == name)


def new_plan(body: PlanIn, commune: Commune) -> Dialogue:
    quotas: dict[str, int] = {}
    for quota in body.hamlets:
        key = hamlet_id(commune, quota.hamlet)
        if key in quotas:
            raise SubmissionRejected(
                "duplicate_hamlet",
                f"Ấp '{quota.hamlet}' được nêu hai lần.",
                f"Hamlet {quota.hamlet!r} is listed twice.",
                field="hamlets",
            )
        quotas[key] = quota.min_attendance
    return Dialogue(
        id=body.id or f"{commune.id}-{body.year}",
        commune_id=commune.id,
        year=body.year,
        title=body.title,
        theme=body.theme,
        meeting_date=body.meeting_date,
        meeting_time=body.meeting_time,
        duration_minutes=body.duration_minutes,
        venue=body.venue,
        format=body.format,
        topics=tuple(Topic(number=t.number, name=t.name) for t in body.topics)
        if body.topics
        else DEFAULT_TOPICS,
        legal_bases=tuple(body.legal_bases),
        hamlet_ids=tuple(quotas),
        min_attendance=quotas,
        agenda=tuple(body.agenda),
        participants=tuple(body.participants),
        delegates=delegates_from(body.delegates),
        deadline_overrides=body.deadline_overrides,
        status="draft",
        version=1,
    )


def deadline_views(commune: Commune, dialogue: Dialogue, marks: dict[str, dict], today: date) -> list[dict]:
    views = []
    for deadline in plan_deadlines(commune, dialogue):
        mark = marks.get(deadline.key)
        views.append(
            {
                "key": deadline.key,
                "title": deadline.title,
                "responsible": deadline.responsible,
                "responsible_name": body_name(commune, deadline.responsible),
                "due": deadline.due.isoformat(),
                "printed": deadline.printed,
                "overridden": deadline.overridden,
                "state": state(deadline, mark is not None, today),
                "done_at": mark["done_at"] if mark else None,
                "done_by": mark["by"] if mark else None,
                "done_note": mark.get("note") if mark else None,
            }
        )
    return views
