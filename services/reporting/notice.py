"""The draft conclusion notice (Thông báo kết luận): items grouped by topic, one numbered
conclusion each with the office and a working-day deadline, and the issues above commune
authority in their own section (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.calendar import WorkingCalendar
from shared.directory import Commune, Dialogue

CONCLUSION_DUE_WORKING_DAYS = 10  # seed IV.3: no later than 10 working days after the meeting
RESOLUTION_WORKING_DAYS = 30  # default deadline for an office to settle an issue


@dataclass(frozen=True)
class Conclusion:
    number: int
    hamlet: str
    text: str
    office: str
    coordinating: tuple[str, ...]
    deadline: date
    recurring: bool
    needs_review: bool
    times_raised: int = 1
    years_raised: tuple[int, ...] = ()


@dataclass(frozen=True)
class TopicSection:
    number: int
    name: str
    conclusions: tuple[Conclusion, ...]


@dataclass(frozen=True)
class Escalation:
    number: int
    hamlet: str
    text: str
    level: str
    body: str | None
    drafting_office: str


@dataclass(frozen=True)
class DraftNotice:
    commune: Commune
    dialogue: Dialogue
    issued_on: date
    conclusion_due: date
    sections: tuple[TopicSection, ...]
    escalations: tuple[Escalation, ...]
    pending: int  # received but not yet routed
    total: int


def build_notice(commune: Commune, dialogue: Dialogue, items: list[dict], calendar: WorkingCalendar, today: date) -> DraftNotice:
    due = calendar.nth_working_day_after(dialogue.meeting_date, CONCLUSION_DUE_WORKING_DAYS)
    deadline = calendar.nth_working_day_after(dialogue.meeting_date, RESOLUTION_WORKING_DAYS)
    office_name = {o.id: o.name for o in commune.offices}
    routed = [i for i in items if i.get("topic") is not None]
    within = [i for i in routed if i.get("authority_level", "commune") == "commune"]
    above = [i for i in routed if i.get("authority_level", "commune") != "commune"]
    order = [t.number for t in dialogue.topics] + [0]
    sections, number = [], 0
    for topic in order:
        group = [i for i in within if i["topic"] == topic]
        if not group:
            continue
        conclusions = []
        for item in group:
            number += 1
            conclusions.append(
                Conclusion(
                    number=number,
                    hamlet=item.get("hamlet") or f"Toàn {commune.kind}",
                    text=item["text"],
                    office=item["office_name"],
                    coordinating=tuple(office_name.get(o, o) for o in item.get("coordinating_office_ids") or ()),
                    deadline=deadline,
                    recurring=bool(item.get("recurring_claim")) or (item.get("times_raised") or 1) > 1,
                    needs_review=bool(item.get("needs_review")),
                    times_raised=item.get("times_raised") or 1,
                    years_raised=tuple(item.get("years_raised") or ()),
                )
            )
        sections.append(TopicSection(topic, dialogue.topic_name(topic), tuple(conclusions)))
    escalations = tuple(
        Escalation(n, i.get("hamlet") or f"Toàn {commune.kind}", i["text"], i["authority_level"], i.get("authority_body"), i["office_name"])
        for n, i in enumerate(above, start=1)
    )
    return DraftNotice(commune, dialogue, today, due, tuple(sections), escalations, len(items) - len(routed), len(items))
