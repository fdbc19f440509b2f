"""Readiness warnings about what a document would print that nobody meant (pure: the record, the
commune and the built document in, warnings out). None blocks issuing: a historical replay, or a
meeting chaired by someone the office holders do not list, is legitimate; staff should know.

- `chair_not_office_holder` (minutes): the minutes are signed CHỦ TRÌ HỘI NGHỊ by the record's
  `chair`, typed freely, while the notice and the letter are signed by the Secretary of the
  office holders; a chair whose name contains neither the Secretary's nor a deputy secretary's
  signs the minutes under another name than the notice.
- `speech_unanswered` (minutes): an intervention with no answer prints "Trả lời: ……………………".
- `minutes_blank` (minutes): what the record does not hold yet prints as dots: the attendance
  ("…… người"), the interventions, the Secretary's conclusions (section III).
- `deadline_passed` (notice): a conclusion's `deadline_date` on or before the notice's issue day
  opens a task overdue from its first day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from services.reporting.documents.model import DocumentData
from shared.directory import Commune
from shared.templates import vn_date
from shared.text import fold

Warning = dict[str, Any]


def _names(names: Sequence[str]) -> str:
    return ", ".join(n for n in names if n)


def chair_not_office_holder(commune: Commune, record: Mapping[str, Any] | None) -> list[Warning]:
    """The chair's name does not contain the Secretary's or a deputy secretary's (folded: case,
    diacritics and titles around the name do not matter). Nothing to compare with (no chair, no
    office holder named) is no warning: a missing chair is `signer_missing` already."""
    chair = str((record or {}).get("chair") or "").strip()
    holders = [commune.secretary_name, *commune.office_holders.deputy_secretaries]
    holders = [h.strip() for h in holders if h and h.strip()]
    if not chair or not holders:
        return []
    said = f" {fold(chair)} "
    if any(f" {fold(h)} " in said for h in holders):
        return []
    secretary, deputies = commune.secretary_name, commune.office_holders.deputy_secretaries
    known = f"Bí thư {secretary}" if secretary else ""
    if deputies:
        known += ("; " if known else "") + f"Phó Bí thư {_names(deputies)}"
    return [
        {
            "code": "chair_not_office_holder",
            "blocking": False,
            "field": "chair",
            "message_vi": (
                f"Người chủ trì ghi trong biên bản (“{chair}”) không phải Bí thư hay Phó Bí thư Đảng ủy "
                f"({known}): biên bản sẽ ký CHỦ TRÌ HỘI NGHỊ “{chair}”, còn thông báo kết luận ký BÍ THƯ "
                f"{secretary}. Kiểm tra lại người chủ trì ở trang Hội nghị."
            ),
            "message_en": (
                f"The chair recorded ('{chair}') is neither the Secretary nor a deputy secretary: the "
                "minutes would be signed by another name than the notice."
            ),
        }
    ]


def speeches_unanswered(record: Mapping[str, Any] | None) -> list[Warning]:
    """The interventions with no answer (none, or only blank ones): the minutes print dots."""
    interventions = sorted((record or {}).get("interventions") or (), key=lambda i: i.get("order", 0))
    unanswered = [
        (n, i)
        for n, i in enumerate(interventions, start=1)
        if not any(str(a.get("text") or "").strip() for a in i.get("answers") or ())
    ]
    if not unanswered:
        return []
    named = "; ".join(f"lượt {n}: {i.get('speaker') or 'không ghi tên'}" for n, i in unanswered[:8])
    named += "; …" if len(unanswered) > 8 else ""
    return [
        {
            "code": "speech_unanswered",
            "blocking": False,
            "count": len(unanswered),
            "intervention_ids": [str(i.get("id") or "") for _, i in unanswered],
            "message_vi": (
                f"Còn {len(unanswered)} ý kiến phát biểu chưa ghi nội dung trả lời ({named}): biên bản "
                "sẽ in “Trả lời: ……………………”. Ghi phần trả lời ở trang Hội nghị trước khi ban hành."
            ),
            "message_en": (
                f"{len(unanswered)} interventions have no answer recorded: the minutes would print "
                "dots for the answer."
            ),
        }
    ]


_BLANKS_VI = {
    "attendance": "số người tham dự (biên bản sẽ in “………… người”)",
    "interventions": "ý kiến phát biểu nào (mục phát biểu sẽ in dòng chấm)",
    "conclusions": "kết luận nào của Bí thư (mục III sẽ in dòng chấm)",
}


def minutes_blank(record: Mapping[str, Any] | None) -> list[Warning]:
    """What the minutes would print as dots because the meeting record does not hold it yet (no
    record at all: every part)."""
    record = record or {}
    missing = [
        part
        for part, held in (
            ("attendance", int((record.get("attendance") or {}).get("total") or 0) > 0),
            ("interventions", bool(record.get("interventions"))),
            ("conclusions", bool(record.get("conclusions"))),
        )
        if not held
    ]
    if not missing:
        return []
    return [
        {
            "code": "minutes_blank",
            "blocking": False,
            "parts": missing,
            "message_vi": "Biên bản hội nghị chưa ghi "
            + "; chưa ghi ".join(_BLANKS_VI[p] for p in missing)
            + ". Ghi ở trang Hội nghị trước khi ban hành.",
            "message_en": f"The meeting record holds no {', '.join(missing)} yet: "
            "the minutes would print dots.",
        }
    ]


def deadlines_passed(data: DocumentData, issued_on: date) -> list[Warning]:
    """The conclusions of the notice whose own date (`deadline_date`, not working days counted
    from the issue day) falls on or before the day it is issued: their tasks are overdue at once."""
    notice = data.notice
    if notice is None:
        return []
    late = [
        i
        for i in (*notice.conclusions, *notice.escalations)
        if i.conclusion_kind
        and i.deadline is not None
        and not i.deadline_working_days
        and i.deadline <= issued_on
    ]
    if not late:
        return []
    said = "; ".join(f"số {i.number}: hạn {vn_date(i.deadline)}" for i in late if i.deadline)
    return [
        {
            "code": "deadline_passed",
            "blocking": False,
            "count": len(late),
            "issue_keys": [i.key for i in late],
            "message_vi": (
                f"Có {len(late)} kết luận có thời hạn không sau ngày ban hành {vn_date(issued_on)} ({said}): "
                "việc theo dõi sẽ quá hạn ngay khi ban hành. Sửa thời hạn ở trang Hội nghị nếu không "
                "phải ban hành lại văn bản cũ."
            ),
            "message_en": (
                f"{len(late)} conclusions have a deadline on or before the issue date: their follow-up "
                "tasks would be overdue at once."
            ),
        }
    ]


__all__ = ["chair_not_office_holder", "deadlines_passed", "speeches_unanswered"]
