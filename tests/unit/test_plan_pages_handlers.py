"""The use cases behind the staff's plan pages, over small in-memory stores: a duty marked done
and undone (a system's mark stays), and who registered per hamlet against the plan's quota,
with phones only for the roles that see personal data and the speaking order with names."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.demo.seed import demo_commune, demo_dialogue
from services.intake.handlers.plans import (
    PlanConflict,
    PlanDeps,
    mark_duty_done,
    plan_view,
    undo_duty_done,
)
from services.intake.handlers.registrations import registrations_by_hamlet
from shared.clock import utcnow
from shared.plan_deadlines import plan_deadlines


class Marks:
    """The plan store's duty marks and the directory's read of them, over one dict."""

    def __init__(self) -> None:
        self.marks: dict[str, dict[str, Any]] = {}
        self.the_commune = demo_commune()

    async def mark_done(self, commune_id: str, dialogue_id: str, key: str, by: str, note: str | None) -> bool:
        if key in self.marks:
            return False
        self.marks[key] = {"key": key, "by": by, "note": note, "done_at": utcnow().isoformat()}
        return True

    async def unmark_done(self, commune_id: str, dialogue_id: str, key: str) -> bool:
        return self.marks.pop(key, None) is not None

    async def commune(self, commune_id: str):
        return self.the_commune

    async def deadline_marks(self, commune_id: str, dialogue_id: str) -> dict[str, dict[str, Any]]:
        return dict(self.marks)


def deps(marks: Marks) -> PlanDeps:
    async def publish(commune_id: str, doc_id: str) -> int:
        return 0

    return PlanDeps(marks, marks, publish)  # type: ignore[arg-type]  # only the marks are used


async def test_a_duty_done_stops_being_overdue_and_can_be_undone():
    marks, dialogue = Marks(), demo_dialogue()
    d = deps(marks)
    key = plan_deadlines(marks.the_commune, dialogue)[0].key

    def state_of(view: dict) -> str:
        return next(x["state"] for x in view["deadlines"] if x["key"] == key)

    assert state_of(await plan_view(d, dialogue, contacts=True)) == "overdue"  # a 2017 plan
    assert await mark_duty_done(d, dialogue, key, "demo.vanphong", "Đã nhận báo cáo")
    view = await plan_view(d, dialogue, contacts=True)
    done = next(x for x in view["deadlines"] if x["key"] == key)
    assert (done["state"], done["done_by"], done["done_note"]) == ("done", "demo.vanphong", "Đã nhận báo cáo")
    public = next(x for x in (await plan_view(d, dialogue, contacts=False))["deadlines"] if x["key"] == key)
    assert "done_by" not in public and "done_note" not in public  # who and why: staff only

    await undo_duty_done(d, dialogue, key)
    assert state_of(await plan_view(d, dialogue, contacts=True)) == "overdue"
    with pytest.raises(PlanConflict) as caught:
        await undo_duty_done(d, dialogue, key)
    assert caught.value.code == "not_done"
    assert not await mark_duty_done(d, dialogue, "no-such-duty", "demo.vanphong", None)


async def test_a_duty_the_system_recorded_is_not_undone_by_hand():
    marks, dialogue = Marks(), demo_dialogue()
    key = plan_deadlines(marks.the_commune, dialogue)[-1].key
    await marks.mark_done("demo", dialogue.id, key, "system", "Văn bản số 12-TB/ĐU ngày 04/04/2017")
    with pytest.raises(PlanConflict) as caught:
        await undo_duty_done(deps(marks), dialogue, key)
    assert caught.value.code == "done_by_system" and "12-TB/ĐU" in caught.value.vi
    assert key in marks.marks


class Registrations:
    def __init__(self, rows: list[dict[str, Any]], checked_in: dict[str, Any]) -> None:
        self.rows, self.checked_in = rows, checked_in

    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict[str, Any]]:
        return sorted(self.rows, key=lambda r: r["registered_at"])

    async def attendance_of(self, commune_id: str, dialogue_id: str) -> dict[str, Any] | None:
        return {"checked_in": self.checked_in, "revision": 1}


def row(n: int, name: str, hamlet_id: str, hamlet: str, topic: int | None = None) -> dict[str, Any]:
    return {
        "_id": f"r{n}",
        "name": name,
        "phone": f"091200000{n}",
        "hamlet": hamlet,
        "hamlet_id": hamlet_id,
        "topic": topic,
        "wants_to_speak": topic is not None,
        "registered_by": "self",
        "registered_at": f"2017-03-0{n}T08:00:00+00:00",
    }


async def test_registrations_per_hamlet_against_the_quota_with_the_speaking_order():
    commune, dialogue = demo_commune(), demo_dialogue()
    assert dialogue.meeting_date == date(2017, 3, 25)
    store = Registrations(
        [
            row(1, "Lê Thị Tư", "ap-cho", "ấp Chợ"),
            row(2, "Nguyễn Thị Bảy", "ap-cho", "ấp Chợ", topic=3),
            row(3, "Trần Văn Sáu", "ap-can-cu", "ấp Căn Cứ", topic=1),
        ],
        {"r1": {"hamlet_id": "ap-cho"}},
    )
    staff = await registrations_by_hamlet(store, commune, dialogue, contacts=True)
    cho = next(h for h in staff["hamlets"] if h["hamlet_id"] == "ap-cho")
    assert (staff["total"], cho["registered"], cho["minimum"], cho["missing"], cho["reached"]) == (
        3,
        2,
        70,
        68,
        False,
    )
    assert [p["name"] for p in cho["people"]] == ["Lê Thị Tư", "Nguyễn Thị Bảy"]
    assert cho["people"][0]["phone"] == "0912000001" and cho["people"][0]["checked_in"]
    order = [(s["order"], s["name"]) for s in staff["speakers"]]
    assert order == [(1, "Trần Văn Sáu"), (2, "Nguyễn Thị Bảy")]  # topic 1 before topic 3

    office = await registrations_by_hamlet(store, commune, dialogue, contacts=False)
    assert all(p["phone"] is None for h in office["hamlets"] for p in h["people"])
    assert [s["name"] for s in office["speakers"]] == ["Trần Văn Sáu", "Nguyễn Thị Bảy"]

    cell = await registrations_by_hamlet(store, commune, dialogue, contacts=False, hamlet_id="ap-cho")
    assert [h["hamlet_id"] for h in cell["hamlets"]] == ["ap-cho"] and cell["total"] == 2
    assert [(s["order"], s["name"]) for s in cell["speakers"]] == [(2, "Nguyễn Thị Bảy")]  # turn kept
