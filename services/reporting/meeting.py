"""The meeting record (pure): what was held at the dialogue, kept by reporting in one document per
commune and dialogue (`reporting_meetings`), and the rules it follows.

- The record's `revision` counts staff changes (0: nothing recorded yet); attendance comes from
  intake's `AttendanceChangedV1` and carries intake's own revision (a later one wins).
- Issues are the dialogue's routed items merged as the documents merge them
  (`documents.common.group_issues`); an issue's `key` is its cluster id, else its submission id.
- One conclusion per issue, of one `ConclusionKind`; `assigned` needs an office and a deadline
  (working days or a date), `recommended` a named higher-level body, `no_action` a reason.
- A `deadline_date` falls after the meeting day (`check_deadline`): one on or before it would be
  printed in the notice, and its follow-up task overdue and escalated from the start.
- A conclusion's due date: its `deadline_date`, else its working days after the notice's issue
  date on the commune's calendar (else the default `RESOLUTION_WORKING_DAYS`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from services.reporting.documents.common import (
    group_issues,
    issue_key,
    notice_numbers,
    topic_groups,
    with_conclusion_kinds,
)
from services.reporting.notice import RESOLUTION_WORKING_DAYS
from services.reporting.printed_text import lacks_diacritics
from services.reporting.printed_text import warnings as printed_warnings
from services.reporting.raised import CARRIED_OVER
from shared.calendar import WorkingCalendar
from shared.contracts import ConclusionKind
from shared.directory import Commune, Dialogue
from shared.personal_data import PLACEHOLDERS, has_personal_data, mask_personal_data

Doc = dict[str, Any]
FACTS = ("started_at", "ended_at", "chair", "minute_taker", "delegates_present")
PROGRAMME_FIELDS = ("title", "at", "note")  # what a recorded programme item's correction may change
MAX_WORKING_DAYS = 365


class InvalidEntry(ValueError):
    """A value the meeting record does not take; `field` is the offending field."""

    kind = "invalid_entry"

    def __init__(self, field: str, vi: str, en: str) -> None:
        super().__init__(en)
        self.field, self.vi, self.en = field, vi, en


class InvalidConclusion(InvalidEntry):
    """A conclusion its kind does not allow."""

    kind = "invalid_conclusion"


def check_times(record: Doc) -> None:
    """The meeting ends after it starts (both stored as fixed-width UTC ISO strings)."""
    started, ended = record.get("started_at"), record.get("ended_at")
    if isinstance(started, str) and isinstance(ended, str) and ended < started:
        raise InvalidEntry(
            "ended_at",
            "Giờ kết thúc phải sau giờ bắt đầu hội nghị.",
            "ended_at must be after started_at.",
        )


def check_summary(text: str) -> None:
    """A reviewed summary is printed as staff wrote it: one the documents would print with
    personal data masked ("nhà ông [họ tên]") is refused, the masked text shown, so a signed
    document never carries a placeholder; so is one holding a placeholder already (the resident's
    masked text saved unchanged) or typed without diacritics (`printed_text.lacks_diacritics`)."""
    if any(placeholder in text for placeholder in PLACEHOLDERS):
        raise InvalidEntry(
            "summary",
            "Nội dung đã rà soát còn chỗ đã che thông tin cá nhân (như “[họ tên]”): vui lòng viết lại "
            "thành câu hoàn chỉnh, không nêu thông tin cá nhân.",
            "The reviewed summary still holds a masking placeholder such as '[họ tên]': reword it.",
        )
    if lacks_diacritics(text):
        raise InvalidEntry(
            "summary",
            "Nội dung đã rà soát chưa có dấu tiếng Việt: vui lòng viết lại có dấu để in trong văn bản.",
            "The reviewed summary is typed without Vietnamese diacritics: retype it with them.",
        )
    if has_personal_data(text):
        shown = mask_personal_data(text)
        raise InvalidEntry(
            "summary",
            "Nội dung đã rà soát còn thông tin cá nhân (họ tên, số điện thoại, địa chỉ…) nên văn bản "
            f"sẽ in thành: “{shown}”. Vui lòng viết lại, không nêu thông tin cá nhân của người dân.",
            "The reviewed summary holds personal data, which the documents print masked "
            f"({shown!r}): reword it without residents' personal data.",
        )


def check_programme_change(position: int | None, fields: Mapping[str, Any], count: int) -> None:
    """A recorded programme item moves to `position` (1: first, as the minutes number it; at most
    the `count` of items recorded) and/or takes the `fields` given (of PROGRAMME_FIELDS; a title
    is never blank). `InvalidEntry` naming the field otherwise."""
    if position is None and not fields:
        raise InvalidEntry(
            "position",
            "Cần ghi vị trí mới hoặc nội dung cần sửa của mục chương trình.",
            "Give the item's new position, or its title, at or note to change.",
        )
    if position is not None and not 1 <= position <= count:
        raise InvalidEntry(
            "position",
            f"Vị trí mới phải từ 1 đến {count} (số mục chương trình đã ghi).",
            f"position must be 1-{count}, the number of programme items recorded.",
        )
    if "title" in fields and not str(fields["title"] or "").strip():
        raise InvalidEntry("title", "Cần ghi tên mục chương trình.", "title must not be blank.")


def moved(programme: Sequence[Doc], index: int, position: int) -> list[Doc]:
    """The programme with the item at `index` (0-based) at `position` (1-based), the others in
    their order."""
    items = list(programme)
    items.insert(position - 1, items.pop(index))
    return items


def record_id(commune_id: str, dialogue_id: str) -> str:
    return f"{commune_id}:{dialogue_id}"


def new_record(commune_id: str, dialogue_id: str) -> Doc:
    return {
        "_id": record_id(commune_id, dialogue_id),
        "commune_id": commune_id,
        "dialogue_id": dialogue_id,
        "revision": 0,
        "started_at": None,
        "ended_at": None,
        "chair": None,
        "minute_taker": None,
        "delegates_present": [],
        "programme": [],
        "interventions": [],
        "summaries": {},
        "public": {},
        "conclusions": {},
        "locked": False,
    }


def recorded(record: Mapping[str, Any] | None) -> bool:
    """A record exists once staff have recorded something; until then documents are as before it."""
    return bool(record) and int((record or {}).get("revision") or 0) >= 1


def withheld(record: Mapping[str, Any] | None) -> frozenset[str]:
    """The keys of the issues kept out of every public view (still printed by issued documents)."""
    return frozenset(k for k, v in ((record or {}).get("public") or {}).items() if v is False)


def issue_rows(
    commune: Commune,
    dialogue: Dialogue,
    items: Sequence[Mapping[str, Any]],
    summaries: Mapping[str, str],
    public: Mapping[str, bool] | None = None,
    as_of: date | None = None,
    conclusions: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[Doc]:
    """The dialogue's issues as the meeting page lists them: by topic (then khác), the repeated
    ones first, each `number`ed as the conclusion notice numbers it with the record's
    `conclusions` (`common.notice_sections`: the number the minutes, the report, the notice and
    the follow-up name it by; an issue answered at the meeting moves to the notice's last section,
    so the numbers follow the conclusions while the list keeps its order). An issue without a
    reviewed summary is `printed_as_typed`, with the `warnings` of its text as typed
    (`printed_text`); `public` is the Party office's flag (default: public). A repeated issue has
    the documents' `repeat_mark` ("Nêu 3 lần", "Nêu 3 lần, kéo dài từ năm 2015") and
    `times_raised`. `items` may hold the issues carried over from earlier dialogues
    (`rendering.carried_items`, first, as the documents take them): such an issue is
    `carried_over`, with each earlier round's conclusion and outcome read on `as_of` (`earlier`,
    masked as every printed line is)."""
    issues, _ = group_issues(commune, dialogue, items, as_of)
    groups, _ = topic_groups(dialogue, issues)
    numbers = notice_numbers(dialogue, with_conclusion_kinds(issues, {"conclusions": conclusions or {}}))
    codes: dict[str, list[str]] = {}
    typed: dict[str, str] = {}  # the first item's text as typed: the printed text is masked already
    carried: set[str] = set()
    # this dialogue's items first: an issue raised again is led by this year's words, as printed
    ordered = sorted(enumerate(items), key=lambda pair: pair[1].get("source") == CARRIED_OVER)
    for index, item in ordered:
        key = issue_key(item, index)
        if item.get("source") == CARRIED_OVER:
            carried.add(key)
        if item.get("topic") is not None:  # as `group_issues` merges them
            typed.setdefault(key, str(item.get("text") or ""))
        if item.get("tracking_code"):
            codes.setdefault(key, []).append(str(item["tracking_code"]))
    rows = []
    for group in groups:
        for issue in group.issues:
            rows.append(
                {
                    "key": issue.key,
                    "number": numbers[issue.key],
                    "topic": issue.topic,
                    "topic_name": issue.topic_name,
                    "summary": summaries.get(issue.key) or issue.text,
                    "printed_as_typed": not summaries.get(issue.key),
                    "public": bool((public or {}).get(issue.key, True)),
                    "warnings": []
                    if summaries.get(issue.key)
                    else printed_warnings(typed.get(issue.key) or issue.text),
                    "office": issue.office,
                    "authority_level": issue.authority_level,
                    "tracking_codes": codes.get(issue.key, []),
                    "carried_over": issue.key in carried,
                    "repeat_mark": issue.repeat_mark,
                    "times_raised": issue.times_raised,
                    "earlier_years": list(issue.earlier_years),
                    "earlier": [mask_personal_data(e.line) for e in issue.earlier if e.line],
                }
            )
    return rows


def check_deadline(body: Mapping[str, Any], meeting_date: date) -> None:
    """`InvalidConclusion` on `deadline_date` unless it falls after the meeting day (a date or
    its ISO text; none is fine). The same day is refused too: what the Secretary concludes at
    the meeting is done afterwards, and a task due the day it is set is overdue by the notice."""
    deadline = body.get("deadline_date")
    if deadline is None:
        return
    if not isinstance(deadline, date):
        try:
            deadline = date.fromisoformat(str(deadline))
        except ValueError:
            raise InvalidConclusion(
                "deadline_date",
                "Ngày phải ghi dạng năm-tháng-ngày, ví dụ 2017-06-30.",
                "deadline_date must be a date, YYYY-MM-DD.",
            ) from None
    if deadline <= meeting_date:
        raise InvalidConclusion(
            "deadline_date",
            f"Hạn giải quyết phải sau ngày hội nghị đối thoại ({meeting_date:%d/%m/%Y}).",
            f"deadline_date must be after the meeting date ({meeting_date.isoformat()}).",
        )


def check_conclusion(commune: Commune, body: Mapping[str, Any], meeting_date: date | None = None) -> Doc:
    """The conclusion as stored, or `InvalidConclusion` naming the field its kind lacks; given the
    meeting day, a `deadline_date` must fall after it (`check_deadline`)."""
    try:
        kind = ConclusionKind(str(body.get("kind")))
    except ValueError:
        raise InvalidConclusion(
            "kind",
            "Loại kết luận phải là: " + ", ".join(ConclusionKind.labels_vi().values()) + ".",
            "kind must be one of: " + ", ".join(k.value for k in ConclusionKind) + ".",
        ) from None
    text = (body.get("text") or "").strip()
    reason = (body.get("reason") or "").strip() or None
    higher_body = (body.get("higher_body") or "").strip() or None
    office_id = body.get("office_id") or None
    coordinating = list(dict.fromkeys(body.get("coordinating_office_ids") or ()))
    days = body.get("deadline_working_days")
    deadline = body.get("deadline_date")
    if not text and kind is not ConclusionKind.NO_ACTION:
        raise InvalidConclusion("text", "Cần nhập nội dung kết luận.", "text is required.")
    offices = {o.id: o for o in commune.offices}
    for field, ids in (
        ("office_id", [office_id] if office_id else []),
        ("coordinating_office_ids", coordinating),
    ):
        for oid in ids:
            if oid not in offices:
                raise InvalidConclusion(
                    field, f"Không có cơ quan, đơn vị '{oid}' trong xã.", f"Unknown office {oid!r}."
                )
    if days is not None and deadline is not None:
        raise InvalidConclusion(
            "deadline_date",
            "Chỉ nhập một thời hạn: số ngày làm việc hoặc ngày cụ thể.",
            "Give either deadline_working_days or deadline_date, not both.",
        )
    if meeting_date is not None:
        check_deadline(body, meeting_date)
    if days is not None and not 1 <= int(days) <= MAX_WORKING_DAYS:
        raise InvalidConclusion(
            "deadline_working_days",
            f"Số ngày làm việc phải từ 1 đến {MAX_WORKING_DAYS}.",
            f"deadline_working_days must be 1-{MAX_WORKING_DAYS}.",
        )
    if kind is ConclusionKind.ASSIGNED:
        if not office_id:
            raise InvalidConclusion(
                "office_id",
                "Kết luận giao việc cần cơ quan chủ trì.",
                "An assigned conclusion needs office_id.",
            )
        if days is None and deadline is None:
            raise InvalidConclusion(
                "deadline_working_days",
                "Kết luận giao việc cần thời hạn (số ngày làm việc hoặc ngày cụ thể).",
                "An assigned conclusion needs deadline_working_days or deadline_date.",
            )
    if kind is ConclusionKind.RECOMMENDED and not higher_body:
        raise InvalidConclusion(
            "higher_body",
            "Kết luận kiến nghị cấp trên cần tên cơ quan cấp trên.",
            "A recommended conclusion needs higher_body.",
        )
    if kind is ConclusionKind.NO_ACTION and not reason:
        raise InvalidConclusion(
            "reason", "Kết luận không cần giải quyết cần nêu lý do.", "A no_action conclusion needs reason."
        )
    return {
        "kind": kind.value,
        "text": text,
        "office_id": office_id,
        "office_name": offices[office_id].name if office_id else None,
        "coordinating_office_ids": coordinating,
        "deadline_working_days": int(days) if days is not None else None,
        "deadline_date": deadline.isoformat() if isinstance(deadline, date) else deadline,
        "higher_body": higher_body,
        "reason": reason,
    }


def conclusion_due(conclusion: Mapping[str, Any], issued_on: date, calendar: WorkingCalendar) -> date:
    if conclusion.get("deadline_date"):
        return date.fromisoformat(str(conclusion["deadline_date"]))
    days = conclusion.get("deadline_working_days") or RESOLUTION_WORKING_DAYS
    return calendar.nth_working_day_after(issued_on, int(days))


def action_count(conclusions: Mapping[str, Mapping[str, Any]]) -> int:
    return sum(ConclusionKind(c["kind"]).needs_action for c in conclusions.values())


def record_view(record: Mapping[str, Any], issues: list[Doc]) -> Doc:
    """The record as the API returns it (ISSUE15 shape)."""
    attendance = record.get("attendance") or {}
    return {
        "revision": record.get("revision", 0),
        "started_at": record.get("started_at"),
        "ended_at": record.get("ended_at"),
        "chair": record.get("chair"),
        "minute_taker": record.get("minute_taker"),
        "delegates_present": list(record.get("delegates_present") or ()),
        "programme": list(record.get("programme") or ()),
        "attendance": {
            "by_hamlet": dict(attendance.get("by_hamlet") or {}),
            "walk_ins": attendance.get("walk_ins", 0),
            "total": attendance.get("total", 0),
        },
        "interventions": list(record.get("interventions") or ()),
        "issues": issues,
        "conclusions": [{"issue_key": k, **c} for k, c in (record.get("conclusions") or {}).items()],
        "locked": bool(record.get("locked")),
    }
