"""Biên bản (BB): the minutes of the meeting. From the meeting record when there is one
(`documents.record`); else from a `MinutesInput`; without either it is a blank form for
the minute-taker with the plan's parts filled in. THƯ KÝ signs on the left, CHỦ TRÌ on the right.

The minutes are written and adopted at the meeting ("Biên bản đã được thông qua tại hội nghị"), so
their date line is the meeting's day (the record's start, else the minute-taker's date, else the
plan's), whatever day staff issue the file; the number is the register's as for any document."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from services.reporting.documents.common import clock_text, group_issues, when_text
from services.reporting.documents.kinds.base import Body, BuildContext, DocumentKindSpec, meeting
from services.reporting.documents.model import MinutesPart, Speech
from services.reporting.documents.record import (
    concluded,
    conclusion_of,
    meeting_day,
    minutes_part,
    reviewed,
)
from services.reporting.printed_text import one_paragraph
from shared.contracts import DocumentKind
from shared.directory import Commune
from shared.templates import vn_date, vn_weekday

DOTS = "…………………………"


def build(ctx: BuildContext) -> Body:
    commune, dialogue, minutes = ctx.commune, ctx.dialogue, ctx.minutes
    subject = f"Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year}"
    held = (
        f"Ban Thường vụ Đảng ủy {commune.display_name} tổ chức Hội nghị đối thoại giữa Bí thư Đảng ủy "
        f"với nhân dân năm {dialogue.year}, chủ đề: “{dialogue.theme}”."
    )
    if ctx.meeting is not None:  # the meeting as recorded
        return Body(
            subject=subject,
            parts={"minutes": _from_record(ctx, held)},
            dated_on=meeting_day(ctx.meeting, dialogue),
        )
    if minutes is None:  # a blank form for the minute-taker, with the plan's parts filled in
        blank = MinutesPart(
            opening=f"Vào lúc …… giờ ……, {vn_weekday(dialogue.meeting_date)}, "
            f"ngày {vn_date(dialogue.meeting_date)}, tại {dialogue.venue}, {held}",
            chair=f"Chủ trì: {DOTS}",
            secretary=f"Thư ký: {DOTS}",
            attendance="Tổng số đại biểu tham dự: ………… người.",
            delegates=tuple(dialogue.participants),
            agenda=tuple(dialogue.agenda),
            speeches=(),
            conclusion=(DOTS,),
            closing="Hội nghị kết thúc vào lúc …… giờ …… cùng ngày.",
        )
        return Body(subject=subject, parts={"minutes": blank}, dated_on=dialogue.meeting_date)
    day = minutes.meeting_date or dialogue.meeting_date
    venue = minutes.venue or dialogue.venue
    detail = "; ".join(f"{h}: {n} người" for h, n in minutes.attendance_by_hamlet.items())
    part = MinutesPart(
        opening=f"Vào lúc {when_text(day, minutes.started_at)}, tại {venue}, {held}",
        chair=f"Chủ trì: {minutes.chair}",
        secretary=f"Thư ký: {minutes.secretary}",
        attendance=f"Tổng số đại biểu tham dự: {minutes.attendance} người"
        + (f" (trong đó {detail})" if detail else "")
        + ".",
        delegates=tuple(minutes.delegates_present or dialogue.participants),
        agenda=tuple(dialogue.agenda),
        speeches=tuple(_one_paragraph(s) for s in minutes.speeches),
        conclusion=tuple(minutes.conclusion),  # paragraph by paragraph, as the minute-taker wrote them
        closing=f"Hội nghị kết thúc vào lúc {clock_text(minutes.ended_at)} cùng ngày. "
        "Biên bản đã được thông qua tại hội nghị.",
    )
    return Body(subject=subject, parts={"minutes": part}, dated_on=day)


def _one_paragraph(speech: Speech) -> Speech:
    """The speech as the minutes print it: what was asked and each answer one paragraph."""
    return replace(
        speech,
        issue=one_paragraph(speech.issue),
        answer=one_paragraph(speech.answer),
        answers=tuple(replace(a, text=one_paragraph(a.text)) for a in speech.answers),
    )


def _from_record(ctx: BuildContext, held: str) -> MinutesPart:
    """The programme as held, attendance by hamlet against its minimum, each intervention with its
    answers, and the Secretary's conclusion on each issue, with the reviewed summaries."""
    meeting = ctx.meeting or {}
    issues, _ = group_issues(ctx.commune, ctx.dialogue, ctx.items, ctx.issued_on)
    issues = reviewed(issues, meeting)
    settled = [
        concluded(ctx.commune, i, c, ctx.issued_on) if (c := conclusion_of(i, meeting)) else i for i in issues
    ]
    return minutes_part(ctx.commune, ctx.dialogue, meeting, settled, held)


def recipients(commune: Commune) -> Sequence[str]:
    return ["Thường trực Đảng ủy", "Các cơ quan, đơn vị liên quan"]


SPEC = DocumentKindSpec(
    kind=DocumentKind.MINUTES,
    code="BB",
    type_title="BIÊN BẢN",
    build=build,
    recipients=recipients,
    signers=meeting,
)
