"""An open follow-up past its due date reads so to residents by the staff board's rule: the
tracking page ("Đang giải quyết – quá hạn (hạn …)", and its headline) and the public open data
("Tình trạng"), on the commune's day (Asia/Ho_Chi_Minh), with fixed clocks. Seen from outside:
staff saw "Quá hạn" where residents read "Đang giải quyết" only. In-memory fakes of
tests/unit/test_reporting_handlers.py; the tracking page's repository read faked."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from services.intake.web.pages import _tracking_view
from services.reporting import handlers
from services.reporting.handlers import Viewer
from shared.contracts import FollowUpStatus
from shared.contracts.vocabulary import overdue_vi
from tests.unit.test_follow_up_reopen import _opened, world  # noqa: F401  (the fixture)
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE, change
from tests.unit.test_tracking_concluded_office import _doc, _Repo

DUE = date(2017, 6, 30)


async def _followup(status: str, today: date | None, **facts) -> dict:
    doc = _doc(followup_status=status, followup_revision=1, followup_due=DUE.isoformat(), **facts)
    return await _tracking_view(_Repo(), doc, today=today)  # type: ignore[arg-type]


async def test_the_tracking_page_says_overdue_from_the_day_after_the_due_date() -> None:
    on_time = await _followup("in_progress", DUE)
    assert (on_time["followup"], on_time["followup_due"]) == ("Đang giải quyết", "30/06/2017")
    assert on_time["stage_label"] == "Đang thực hiện kết luận (đang giải quyết)"
    late = await _followup("in_progress", DUE + timedelta(days=1))
    assert (late["followup"], late["followup_due"]) == ("Đang giải quyết – quá hạn", "30/06/2017")
    assert late["stage_label"] == "Đang thực hiện kết luận (đang giải quyết – quá hạn)"
    assert (await _followup("assigned", date(2026, 1, 5)))["followup"] == "Đã giao – quá hạn"
    # escalated says it already; settled ones are not late; no day known: nothing said
    escalated = await _followup("escalated", date(2026, 1, 5))
    assert escalated["followup"] == "Quá hạn, đã báo cáo Ban Thường vụ"
    assert (await _followup("resolved", date(2026, 1, 5)))["followup"] == "Đã giải quyết"
    assert (await _followup("in_progress", None))["followup"] == "Đang giải quyết"


def test_one_rule_and_one_wording() -> None:
    assert FollowUpStatus.IN_PROGRESS.overdue(DUE, DUE + timedelta(days=1))
    assert not FollowUpStatus.IN_PROGRESS.overdue(DUE, DUE)
    assert not FollowUpStatus.REJECTED.overdue(DUE, DUE + timedelta(days=1))
    assert overdue_vi("Chờ cấp trên giải quyết") == "Chờ cấp trên giải quyết – quá hạn"
    assert overdue_vi(FollowUpStatus.ESCALATED.label_vi) == FollowUpStatus.ESCALATED.label_vi


async def test_open_data_says_overdue_on_the_communes_day_as_the_board_does(world):  # noqa: F811
    follow = await _opened(world)
    await handlers.change_follow_up(follow, change("demo-2017:s1", "in_progress", "Đã khảo sát"), Viewer())
    (task,) = [
        t for t in await follow.tasks.for_dialogue(COMMUNE.id, DIALOGUE.id) if t["_id"] == "demo-2017:s1"
    ]
    due = date.fromisoformat(task["due"])

    async def seen_at(moment: datetime) -> tuple[str, bool]:
        at = replace(follow, clock=lambda: moment)
        rows = (await handlers.open_data(at, COMMUNE.id, DIALOGUE.id)).rows
        (row,) = [r for r in rows if r["authority"] == "Cấp xã"]
        board = await handlers.follow_up_board(at, COMMUNE.id, DIALOGUE.id, Viewer())
        (shown,) = [t for t in board["tasks"] if t["id"] == "demo-2017:s1"]
        return row["status"], shown["overdue"]

    evening = datetime(due.year, due.month, due.day, 16, 30, tzinfo=UTC)  # 23:30 in Vietnam
    assert await seen_at(evening) == ("Đang giải quyết", False)
    # 00:30 the next day in Vietnam, still the due day in UTC
    assert await seen_at(evening + timedelta(hours=1)) == ("Đang giải quyết – quá hạn", True)
    await handlers.change_follow_up(follow, change("demo-2017:s1", "resolved", "Xong"), Viewer())
    assert await seen_at(evening + timedelta(days=30)) == ("Đã giải quyết", False)
