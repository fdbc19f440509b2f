"""Thông báo kết luận (TB): the Standing Committee's conclusions. Conclusions within commune
authority are numbered 1..k by topic, recommendations to the higher level continue k+1..m, those
answered or explained at the meeting m+1..n (`common.notice_sections`), so each issue has one
number, the one the meeting page, the minutes and the report use too. Issuing it opens one
follow-up task per conclusion."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from services.reporting.documents.common import (
    group_issues,
    meeting_sentence,
    notice_sections,
    raised_sentence,
    with_deadlines,
)
from services.reporting.documents.kinds.base import (
    Body,
    BuildContext,
    DocumentKindSpec,
    commune_recipients,
    standing_committee,
)
from services.reporting.documents.model import DocumentData, Issue, NoticePart, repeated_sentence
from services.reporting.documents.record import concluded, conclusion_of, reviewed
from services.reporting.notice import CONCLUSION_DUE_WORKING_DAYS
from shared.contracts import DocumentKind
from shared.directory import Commune


def build(ctx: BuildContext) -> Body:
    commune, dialogue, items = ctx.commune, ctx.dialogue, ctx.items
    issues, pending = group_issues(commune, dialogue, items, ctx.issued_on)
    issues = with_deadlines(commune, issues, ctx.issued_on, ctx.options)
    if ctx.meeting is not None:  # each issue as the Secretary concluded it
        issues = settled(commune, reviewed(issues, ctx.meeting), ctx.meeting, ctx.issued_on)
    # the one numbering every page and document names an issue by (`common.notice_sections`)
    groups, escalations, answered = notice_sections(dialogue, issues)
    # section I prints each conclusion after its own "Giao <office> chủ trì…:"
    groups = tuple(
        replace(g, issues=tuple(replace(i, conclusion=i.task) if i.task else i for i in g.issues))
        for g in groups
    )
    repeated = [i for i in (*(c for g in groups for c in g.issues), *escalations, *answered) if i.repeated]
    due = commune.working_calendar().nth_working_day_after(dialogue.meeting_date, CONCLUSION_DUE_WORKING_DAYS)
    intro = (
        meeting_sentence(commune, dialogue)
        + " Tại hội nghị và qua tổng hợp trước hội nghị, "
        + raised_sentence(items, issues, pending)
        + ". "
        + (repeated_sentence(repeated) + " " if repeated else "")
        + "Sau khi nghe ý kiến của nhân dân và phần trả lời của các cơ quan, đơn vị, "
        "Ban Thường vụ Đảng ủy kết luận như sau:",
    )
    follow_up = (
        "Các cơ quan, đơn vị được giao chủ trì chủ động phối hợp giải quyết, trả lời bằng văn bản cho "
        "nhân dân và báo cáo kết quả về Ban Thường vụ Đảng ủy (qua Văn phòng Đảng ủy) "
        "đúng thời hạn nêu trên.",
        "Chi ủy các chi bộ ấp thông báo nội dung kết luận này trên hệ thống truyền thanh của ấp để nhân dân "
        f"biết; Ủy ban MTTQ Việt Nam {commune.display_name} và các đoàn thể giám sát việc thực hiện.",
        "Giao Văn phòng Đảng ủy theo dõi, đôn đốc các cơ quan, đơn vị thực hiện và tham mưu văn bản kiến "
        "nghị cấp trên đối với các vấn đề tại mục II.",
    )
    notice = NoticePart(
        groups=groups, escalations=escalations, conclusion_due=due, follow_up=follow_up, closed=answered
    )
    return Body(
        subject="Kết luận của Ban Thường vụ Đảng ủy tại Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân "
        f"năm {dialogue.year}",
        parts={"notice": notice},
        intro=intro,
    )


def settled(
    commune: Commune, issues: list[Issue], meeting: Mapping[str, Any], issued_on: date
) -> list[Issue]:
    """Each issue as its conclusion in the record settles it (assigned with its own text, office
    and deadline; recommended with the named body; answered or explained at the meeting), the
    others as they are (the default sentence)."""
    return [
        concluded(commune, i, c, issued_on) if (c := conclusion_of(i, meeting)) is not None else i
        for i in issues
    ]


SPEC = DocumentKindSpec(
    kind=DocumentKind.CONCLUSION_NOTICE,
    code="TB",
    type_title="THÔNG BÁO",
    build=build,
    recipients=commune_recipients,
    options=frozenset({"resolution_working_days", "resolution_working_days_by_topic"}),
    opens_follow_up=True,
    signers=standing_committee,  # T/M BAN THƯỜNG VỤ / BÍ THƯ, the Secretary's name
)


def other_assignee(data: DocumentData) -> list[dict[str, Any]]:
    """The readiness warning for assigned conclusions whose text itself assigns another body than
    the one recorded (`Issue.task_named`): the notice prints the recorded office once and drops
    the text's "Giao <body>", so the Party office should check which is meant. Not blocking."""
    notice = data.notice
    clashing = [i for i in (notice.conclusions if notice else ()) if i.task_named]
    if not clashing:
        return []
    said = "; ".join(f"số {i.number}: “{i.task_named}” (phân công: {i.office})" for i in clashing)
    return [
        {
            "code": "other_assignee",
            "blocking": False,
            "count": len(clashing),
            "issue_keys": [i.key for i in clashing],
            "message_vi": f"Có {len(clashing)} kết luận ghi giao một cơ quan khác với cơ quan được phân công "
            f"({said}); thông báo in theo cơ quan được phân công.",
            "message_en": f"{len(clashing)} conclusions name another body than the one assigned; "
            "the notice prints the assigned office.",
        }
    ]
