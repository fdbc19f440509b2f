"""What the documents take from the meeting record (pure; `services/reporting/meeting.py`): the
reviewed summary of each issue, the Secretary's conclusion on it with its own office and deadline,
and the minutes as held (times, chair, minute-taker, attendance by hamlet against its minimum,
the programme, each intervention with its answers, the conclusions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from services.reporting.documents.assignee import assigned_task, bodies
from services.reporting.documents.common import clock_text, hamlet_names, numbered_as_notice, when_text
from services.reporting.documents.model import Answer, Issue, MinutesInput, MinutesPart, Speech
from services.reporting.meeting import conclusion_due
from services.reporting.notice import RESOLUTION_WORKING_DAYS
from services.reporting.printed_text import one_paragraph, printed
from shared.contracts import ConclusionKind
from shared.directory import Commune, Dialogue
from shared.templates import vn_date
from shared.text import fold

DOTS = "…………………………"


def reviewed(issues: Sequence[Issue], meeting: Mapping[str, Any] | None) -> list[Issue]:
    """Each issue printed with the summary staff reviewed, when there is one; whatever is printed
    (summary, or the text and other wordings as typed) is masked for personal data."""
    summaries = (meeting or {}).get("summaries") or {}
    return [
        replace(
            i,
            text=printed(summaries.get(i.key) or i.text),
            other_texts=tuple(printed(t) for t in i.other_texts),
        )
        for i in issues
    ]


def conclusion_of(issue: Issue, meeting: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    conclusions: Mapping[str, Mapping[str, Any]] = (meeting or {}).get("conclusions") or {}
    return conclusions.get(issue.key)


def concluded(commune: Commune, issue: Issue, conclusion: Mapping[str, Any], issued_on: date) -> Issue:
    """The issue as its conclusion settles it: its own text, office, coordinating offices, deadline
    and, for a recommendation, the higher-level body. The conclusion's text and reason are printed
    as one paragraph (`one_paragraph`: line breaks kept as punctuation), as a resident's text is,
    so every format prints the same sentence inside the numbered conclusion."""
    kind = ConclusionKind(conclusion["kind"])
    names = {o.id: o.name for o in commune.offices}
    changes: dict[str, Any] = {
        "conclusion": one_paragraph(conclusion.get("text") or ""),
        "conclusion_kind": kind.value,
        "reason": one_paragraph(conclusion.get("reason") or ""),
    }
    if conclusion.get("office_id"):
        changes["office"] = conclusion.get("office_name") or names.get(conclusion["office_id"], "")
        changes["coordinating"] = tuple(
            names.get(o, o) for o in conclusion.get("coordinating_office_ids") or ()
        )
    if kind is ConclusionKind.ASSIGNED:  # the office said once, from the assignment (`assignee`)
        task = assigned_task(changes["conclusion"], changes.get("office", issue.office), bodies(commune))
        changes["task"], changes["task_named"] = task.text, task.named
    if kind.needs_action:
        changes["deadline"] = conclusion_due(conclusion, issued_on, commune.working_calendar())
        changes["deadline_working_days"] = (
            None
            if conclusion.get("deadline_date")
            else int(conclusion.get("deadline_working_days") or RESOLUTION_WORKING_DAYS)
        )
    if kind is ConclusionKind.RECOMMENDED:
        changes["authority_body"] = conclusion.get("higher_body")
        changes["authority"] = conclusion.get("higher_body") or issue.authority
    return replace(issue, **changes)


def _local(value: Any, dialogue: Dialogue) -> datetime | None:
    if not value:
        return None
    moment = (
        value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    )
    return moment.astimezone(ZoneInfo(dialogue.timezone))


def meeting_day(meeting: Mapping[str, Any] | None, dialogue: Dialogue) -> date:
    """The day the meeting was held: the record's start, in the dialogue's time zone, else the
    plan's meeting date."""
    started = _local((meeting or {}).get("started_at"), dialogue)
    return started.date() if started else dialogue.meeting_date


def minutes_input(meeting: Mapping[str, Any] | None, dialogue: Dialogue) -> MinutesInput | None:
    """The facts the minutes' signature band reads (chair, minute-taker), from the record."""
    if not meeting:
        return None
    started, ended = _local(meeting.get("started_at"), dialogue), _local(meeting.get("ended_at"), dialogue)
    attendance = meeting.get("attendance") or {}
    return MinutesInput(
        started_at=started.time() if started else dialogue.meeting_time,
        ended_at=ended.time() if ended else time(0, 0),
        chair=meeting.get("chair") or "",
        secretary=meeting.get("minute_taker") or "",
        attendance=int(attendance.get("total") or 0),
        attendance_by_hamlet=dict(attendance.get("by_hamlet") or {}),
        delegates_present=tuple(meeting.get("delegates_present") or ()),
        meeting_date=started.date() if started else None,
    )


def attendance_lines(commune: Commune, dialogue: Dialogue, attendance: Mapping[str, Any]) -> tuple[str, ...]:
    """``ấp Chợ: 45 người (tối thiểu 70 người, chưa đạt)`` for each hamlet of the plan, then others."""
    by_hamlet: Mapping[str, int] = attendance.get("by_hamlet") or {}
    lines = []
    planned = hamlet_names(commune, dialogue)
    for hamlet in commune.hamlets:
        if hamlet.name not in planned:
            continue
        count = int(by_hamlet.get(hamlet.name, 0))
        minimum = int(dialogue.min_attendance.get(hamlet.id, hamlet.min_attendance) or 0)
        against = (
            f" (tối thiểu {minimum} người, {'đạt' if count >= minimum else 'chưa đạt'})" if minimum else ""
        )
        lines.append(f"{hamlet.name[:1].upper()}{hamlet.name[1:]}: {count} người{against}")
    for name, count in by_hamlet.items():
        if name not in planned:
            lines.append(f"{name[:1].upper()}{name[1:]}: {count} người")
    if attendance.get("walk_ins"):
        lines.append(f"Trong đó khách tự đến, không đăng ký trước: {attendance['walk_ins']} người")
    return tuple(lines)


def _attendance(
    commune: Commune, dialogue: Dialogue, attendance: Mapping[str, Any], present: tuple[str, ...]
) -> dict[str, Any]:
    """The minutes' attendance: one total that is the sum of what is listed under it, the
    delegates recorded present and the residents checked in by hamlet (`attendance.total`, which
    counts no delegate), each list under a line saying what it counts. Without delegates recorded
    present the plan's invited participants are listed, and not counted."""
    total = int(attendance.get("total") or 0)
    if present and total:
        said = (
            f"Tổng số đại biểu, nhân dân tham dự: {len(present) + total} người, gồm {len(present)} "
            f"đại biểu và {total} người dân."
        )
    elif present:
        said = f"Tổng số đại biểu tham dự: {len(present)} người; số người dân tham dự: ………… người."
    elif total:
        said = f"Tổng số người dân tham dự: {total} người (chưa ghi danh sách đại biểu có mặt)."
    else:
        said = "Tổng số đại biểu, nhân dân tham dự: ………… người."
    delegates = present or tuple(dialogue.participants)
    return {
        "attendance": said,
        "residents_heading": f"Người dân tham dự theo ấp ({total} người):" if total else "",
        "attendance_lines": attendance_lines(commune, dialogue, attendance) if total else (),
        "delegates_heading": (
            f"Đại biểu tham dự ({len(present)} người):"
            if present
            else "Đại biểu được mời theo kế hoạch:"
            if delegates
            else ""
        ),
        "delegates": delegates,
    }


def _programme_line(entry: Mapping[str, Any], dialogue: Dialogue) -> str:
    at = _local(entry.get("at"), dialogue)
    line = str(entry.get("title") or "").rstrip(".")
    if entry.get("note"):
        line += f" ({str(entry['note']).rstrip('.')})"
    return f"{clock_text(at.time())}: {line}" if at else line


def _lowered(text: str) -> str:
    """A sentence that continues the minutes' "Về ý kiến “…”: ", its first letter lower case
    (a word typed in capitals, "UBND", is kept)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def conclusion_sentence(issue: Issue) -> str:
    """One conclusion as the minutes record the Secretary saying it. A conclusion (a reason, for
    no_action) that opens with the verb the sentence would say before it (`Issue.lead_said`:
    "Đã trả lời…", "Kiến nghị Sở…") is said in its place, not after it."""
    kind = ConclusionKind(issue.conclusion_kind)
    mark = f"[{issue.repeat_mark}] " if issue.repeat_mark else ""  # a repeated issue stands out
    head = f"{issue.number}. {mark}Về ý kiến “{issue.text.rstrip('.')}”: "
    if kind is ConclusionKind.ANSWERED:
        if issue.lead_said:
            return head + _lowered(issue.conclusion_line)
        return head + f"đã trả lời tại hội nghị. {issue.conclusion_line}"
    if kind is ConclusionKind.ASSIGNED:
        coordinating = f", phối hợp {', '.join(issue.coordinating)}" if issue.coordinating else ""
        deadline = (
            f"{issue.deadline_working_days} ngày làm việc"
            if issue.deadline_working_days
            else f"đến ngày {vn_date(issue.deadline)}"
            if issue.deadline
            else ""
        )
        return (
            head
            + f"giao {issue.office} chủ trì{coordinating}: {issue.task_line.rstrip('.')}; "
            + f"thời hạn {deadline}."
        )
    if kind is ConclusionKind.RECOMMENDED:
        body = issue.authority_body or ""
        if issue.lead_said:  # "Kiến nghị Sở…" said by itself; the body named when it does not
            named = not body or f" {fold(body)} " in f" {fold(issue.conclusion)} "
            return head + _lowered(issue.conclusion_line) + ("" if named else f" Thẩm quyền: {body}.")
        return head + f"kiến nghị {issue.authority_body}: {issue.conclusion_line}"
    # the Secretary's own words first, then why nothing is to be settled
    reason = (
        issue.reason_line
        if issue.lead_said
        else f"Không đặt ra việc giải quyết: {issue.reason_line}"
        if issue.reason_line
        else "Không đặt ra việc giải quyết."
    )
    if issue.conclusion:
        return head + _lowered(issue.conclusion_line) + f" {reason}"
    return head + _lowered(reason)


def minutes_part(
    commune: Commune,
    dialogue: Dialogue,
    meeting: Mapping[str, Any],
    issues: Sequence[Issue],
    held: str,
) -> MinutesPart:
    """The minutes as the record holds the meeting; what is not recorded yet stays dotted."""
    started, ended = _local(meeting.get("started_at"), dialogue), _local(meeting.get("ended_at"), dialogue)
    day = meeting_day(meeting, dialogue)
    opening_time = when_text(day, started.time()) if started else f"…… giờ ……, ngày {vn_date(day)}"
    attendance = meeting.get("attendance") or {}
    interventions = sorted(meeting.get("interventions") or (), key=lambda i: i.get("order", 0))
    marks = {i.key: i.repeat_mark for i in issues if i.repeat_mark}
    speeches = tuple(  # what was said and answered, each one paragraph as the minutes print it
        Speech(
            name=i.get("speaker") or "",
            hamlet=i.get("hamlet") or "",
            issue=one_paragraph(i.get("question") or ""),
            organisation=i.get("organisation") or "",
            answers=tuple(
                Answer(a.get("by") or "", one_paragraph(a.get("text") or "")) for a in i.get("answers") or ()
            ),
            # a speaker raising a repeated issue stands out as its conclusion does
            repeat_mark=next((marks[k] for k in i.get("issue_keys") or () if k in marks), ""),
        )
        for i in interventions
    )
    # section III: what the Secretary concluded, each issue under its number in the conclusion
    # notice (`notice_sections`), in that order, so "vấn đề 2" here is "2." there; an issue the
    # Secretary did not conclude on is not said to be concluded (its number is the notice's too)
    numbered = sorted(numbered_as_notice(dialogue, issues), key=lambda i: i.number)
    conclusions = tuple(conclusion_sentence(i) for i in numbered if i.conclusion_kind)
    programme = tuple(_programme_line(p, dialogue) for p in meeting.get("programme") or ())
    return MinutesPart(
        opening=f"Vào lúc {opening_time}, tại {dialogue.venue}, {held}",
        chair=f"Chủ trì: {meeting.get('chair') or DOTS}",
        secretary=f"Thư ký: {meeting.get('minute_taker') or DOTS}",
        **_attendance(commune, dialogue, attendance, tuple(meeting.get("delegates_present") or ())),
        agenda=programme or tuple(dialogue.agenda),
        speeches=speeches,
        conclusion=conclusions or (DOTS,),
        closing=(
            f"Hội nghị kết thúc vào lúc {clock_text(ended.time())} cùng ngày. "
            "Biên bản đã được thông qua tại hội nghị."
            if ended
            else "Hội nghị kết thúc vào lúc …… giờ …… cùng ngày."
        ),
    )


__all__ = [
    "concluded",
    "conclusion_of",
    "conclusion_sentence",
    "meeting_day",
    "minutes_input",
    "minutes_part",
    "reviewed",
]
