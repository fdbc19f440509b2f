"""The plan's duties (tổ chức thực hiện) as data, and their dates for a given meeting.

Each rule says who owes what and how its date follows from the meeting date; `derive` turns
the rules into dated deadlines for one dialogue. Pure: no I/O, no clock (callers pass `today`).

Kinds (counting per the Civil Code: the meeting day itself is not counted):
- ``before_date_days``: "before date D" (trước ngày D) with D = meeting - N calendar days; on
  time until the end of D - 1; printed "trước ngày D".
- ``working_days_before``: "at least N working days before": the last issue date, a working
  day with N working days strictly between it and the meeting.
- ``days_before``: "at least N days before" in calendar days: N full days strictly between.
- ``working_days_after``: "no later than N working days after": the N-th working day after.

An override replaces a rule's date for one dialogue. It is the date as the plan prints it: D
for ``before_date_days`` (the duty is then due D - 1), the last allowed day for the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Literal

from shared.calendar import WorkingCalendar

Kind = Literal["before_date_days", "working_days_before", "days_before", "working_days_after"]
State = Literal["done", "pending", "overdue"]
KINDS: tuple[str, ...] = ("before_date_days", "working_days_before", "days_before", "working_days_after")


@dataclass(frozen=True)
class DeadlineRule:
    key: str
    title: str  # Vietnamese, as documents show it
    # Body key: peoples_committee, fatherland_front, mass_organisations, hamlet_party_cells,
    # party_office, or one body's id.
    responsible: str
    kind: Kind
    amount: int

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown deadline kind {self.kind!r}")
        if self.amount < (1 if self.kind == "working_days_after" else 0):
            raise ValueError(f"amount {self.amount} out of range for {self.kind}")


@dataclass(frozen=True)
class Deadline:
    key: str
    title: str
    responsible: str
    due: date  # the last day on which the duty is on time
    printed: str  # how the plan writes it: "trước ngày 15/03/2017", "chậm nhất ngày 10/04/2017"
    overridden: bool = False
    kind: Kind = "before_date_days"

    @property
    def plan_date(self) -> date:
        """The date the plan prints: D for "before date D", otherwise `due`."""
        return self.due + timedelta(days=1) if self.kind == "before_date_days" else self.due


DEFAULT_RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule(
        "reports",
        "UBND xã gửi báo cáo tình hình, thực trạng và đề xuất giải pháp cho Thường trực Đảng ủy",
        "peoples_committee",
        "before_date_days",
        10,
    ),
    DeadlineRule(
        "front_reports",
        "Mặt trận gửi báo cáo tổng hợp ý kiến, kiến nghị, phản ánh của đoàn viên, hội viên "
        "về Thường trực Đảng ủy",
        "fatherland_front",
        "before_date_days",
        10,
    ),
    DeadlineRule(
        "organisation_reports",
        "Các đoàn thể xã gửi báo cáo tổng hợp ý kiến, kiến nghị, phản ánh của đoàn viên, hội viên "
        "về Thường trực Đảng ủy",
        "mass_organisations",
        "before_date_days",
        10,
    ),
    DeadlineRule(
        "hamlet_reports",
        "Chi ủy chi bộ ấp tổng hợp ý kiến, kiến nghị của nhân dân báo cáo Thường trực Đảng ủy "
        "(qua Văn phòng Đảng ủy)",
        "hamlet_party_cells",
        "before_date_days",
        10,
    ),
    DeadlineRule(
        "classification",
        "Văn phòng Đảng ủy tổng hợp, phân loại ý kiến và đề xuất cơ quan, đơn vị chuẩn bị nội dung trả lời",
        "party_office",
        "before_date_days",
        7,
    ),
    DeadlineRule(
        "delegate_invitations",
        "Phát hành Giấy mời đại biểu (ít nhất 03 ngày làm việc trước khi đối thoại)",
        "party_office",
        "working_days_before",
        3,
    ),
    DeadlineRule(
        "resident_invitations",
        "Gửi Giấy mời cho nhân dân (ít nhất 03 ngày trước khi đối thoại)",
        "hamlet_party_cells",
        "days_before",
        3,
    ),
    DeadlineRule(
        "conclusion",
        "Văn bản thông báo ý kiến kết luận của Thường trực Đảng ủy "
        "(chậm nhất 10 ngày làm việc sau đối thoại)",
        "party_office",
        "working_days_after",
        10,
    ),
)


def for_each_body(
    rules: Sequence[DeadlineRule], key: str, bodies: Mapping[str, str]
) -> tuple[DeadlineRule, ...]:
    """Replace the rule `key` by one rule per body (id -> Vietnamese name), e.g. one per mass
    organisation or per hamlet party cell: keys become "key:id", titles name the body."""
    out: list[DeadlineRule] = []
    for rule in rules:
        if rule.key != key:
            out.append(rule)
            continue
        out.extend(
            replace(rule, key=f"{key}:{body}", responsible=body, title=f"{rule.title} — {name}")
            for body, name in bodies.items()
        )
    return tuple(out)


def _fmt(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _plan_date(rule: DeadlineRule, meeting: date, calendar: WorkingCalendar) -> date:
    if rule.kind == "before_date_days":
        return meeting - timedelta(days=rule.amount)
    if rule.kind == "working_days_before":
        return calendar.last_issue_date_working_days_before(meeting, rule.amount)
    if rule.kind == "days_before":
        return calendar.last_issue_date_days_before(meeting, rule.amount)
    return calendar.nth_working_day_after(meeting, rule.amount)


def derive(
    meeting: date,
    calendar: WorkingCalendar,
    rules: Iterable[DeadlineRule] = DEFAULT_RULES,
    overrides: Mapping[str, date] | None = None,
) -> list[Deadline]:
    overrides = overrides or {}
    out: list[Deadline] = []
    for rule in rules:
        overridden = rule.key in overrides
        printed_date = overrides[rule.key] if overridden else _plan_date(rule, meeting, calendar)
        if rule.kind == "before_date_days":
            due, printed = calendar.due_before(printed_date), f"trước ngày {_fmt(printed_date)}"
        else:
            due, printed = printed_date, f"chậm nhất ngày {_fmt(printed_date)}"
        out.append(Deadline(rule.key, rule.title, rule.responsible, due, printed, overridden, rule.kind))
    return out


def state(deadline: Deadline, done: bool, today: date) -> State:
    if done:
        return "done"
    return "overdue" if today > deadline.due else "pending"


# summary key -> rule key; "*_due_before" keys carry D of "before D", "*_by" keys the last allowed day.
SUMMARY_KEYS: Mapping[str, str] = {
    "reports_due_before": "reports",
    "front_reports_due_before": "front_reports",
    "organisation_reports_due_before": "organisation_reports",
    "hamlet_reports_due_before": "hamlet_reports",
    "classification_due_before": "classification",
    "delegate_invitations_by": "delegate_invitations",
    "resident_invitations_by": "resident_invitations",
    "conclusion_by": "conclusion",
}


def summary(
    meeting: date,
    calendar: WorkingCalendar,
    rules: Iterable[DeadlineRule] = DEFAULT_RULES,
    overrides: Mapping[str, date] | None = None,
) -> dict[str, str]:
    """ISO dates of the plan's deadlines, keyed as in SUMMARY_KEYS (keys of rules absent from
    `rules` are left out)."""
    by_key = {d.key: d for d in derive(meeting, calendar, rules, overrides)}
    return {name: by_key[key].plan_date.isoformat() for name, key in SUMMARY_KEYS.items() if key in by_key}
