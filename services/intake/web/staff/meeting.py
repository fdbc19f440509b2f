"""The meeting-day page (`/staff/hoi-nghi`): the minute-taker's laptop during the dialogue.

One page shows, for the Party office and the commune admin (MANAGERS, the only ones who edit it):
- the speaking order (registered speakers in the plan's topic order, `registrations.speaking_order`
  over intake's own registrations), who is speaking now (`?nguoi=N`, else the first registered
  speaker who has not spoken yet) and who is next;
- the quick entry of an intervention (speaker from the order or from the floor, hamlet,
  organisation, question, links to existing issues by tracking code or search, "raised here"
  as a new item, the first answer) and every recorded intervention, editable: a plain Save
  button, and with meeting.js an autosave that posts the same form (CSRF token included) and
  reads a JSON answer;
- the check-in counter per hamlet against the plan's minimum, a registration look-up with a
  check-in button, walk-ins per hamlet (intake's attendance API);
- the programme as held: the plan's items pressed as each starts (or another item typed), each
  recorded item moved up or down, corrected (title, time) or removed until the notice is issued;
- the Secretary's conclusion per issue (reporting's conclusions route), the issues earlier
  dialogues left unresolved (kéo dài) among them, marked with their years and how their earlier
  follow-up ended, and the meeting's facts.

The record itself is reporting's (`/meeting` API); this module parses the forms, calls one API
and renders. Every form posts to a route without path parameters (the ids travel in the form),
and every route is under the staff guard (session, CSRF token, audit).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from services.intake.handlers.attendance import (
    AttendanceConflict,
    UnknownRegistration,
    add_walk_ins,
    attendance_view,
    find_registrations,
)
from services.intake.handlers.attendance import check_in as check_resident_in
from services.intake.logic import SubmissionRejected
from services.intake.registrations import RegistrationRepository, speaking_order
from services.intake.schemas import clean_text
from services.intake.web.pages import SECURITY_HEADERS
from services.intake.web.paging import BAD_PAGE_VI, BadPage, Page, pager, requested
from services.intake.web.staff.backends import BackendReply
from services.intake.web.staff.kit import MANAGERS, PlanChoice, StaffKit
from services.intake.web.staff.users import StaffUser
from shared.clock import VIETNAM_TZ, as_utc
from shared.contracts import ConclusionKind
from shared.directory import Commune, Dialogue
from shared.forms import read_form as read_bounded_form
from shared.ids import new_id
from shared.text import fold

PAGE = "/staff/hoi-nghi"
# This page alone runs one script, served from this origin (static/meeting.js): the autosave.
PAGE_CSP = SECURITY_HEADERS["Content-Security-Policy"].replace("script-src 'none'", "script-src 'self'")
MISSING_VI = "Xã chưa mở đợt đối thoại nào nên chưa có hội nghị để ghi."
STALE_VI = (
    "Hồ sơ hội nghị vừa được cập nhật ở nơi khác; trang đang hiện bản mới nhất, "
    "vui lòng kiểm tra rồi bấm Lưu lại."
)
ANSWER_ROWS = 8  # answers an intervention's form carries (the recorded ones and one empty row)
LINK_ROWS = 2  # "linked issue" inputs of one form
# A large dialogue (thousands of issues) pages its lists so the page stays a few hundred KB: the
# Secretary's conclusions by ISSUES_PER_PAGE (`?trang=`, with a topic and a state filter), the
# recorded interventions, newest first, by INTERVENTIONS_PER_PAGE (`?trang-phat-bieu=`), and the
# links' suggestions carry at most SUGGESTED_ISSUES (every issue when there are no more).
ISSUES_PER_PAGE = 20
INTERVENTIONS_PER_PAGE = 15
SUGGESTED_ISSUES = 300
INTERVENTIONS_PARAM = "trang-phat-bieu"
ISSUE_FILTERS_VI = {
    "": "Tất cả vấn đề",
    "chua-ket-luan": "Chưa có kết luận",
    "tai-hoi-nghi": "Đã nêu tại hội nghị",
    "keo-dai": "Kéo dài từ các năm trước",
    "nhieu-lan": "Nêu nhiều lần (cả kéo dài)",
}
_CODE = re.compile(r"DT-[A-Z0-9]{4,16}")
_NUMBER = re.compile(r"^#?\s*(\d{1,4})\b")
_TIME = re.compile(r"^(\d{1,2})\s*[:hg.]\s*(\d{2})?\s*(?:p|phút)?$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4})$")

CONCLUSION_KINDS_VI = {
    ConclusionKind.ANSWERED: "Đã trả lời, kết thúc tại hội nghị",
    ConclusionKind.ASSIGNED: "Giao cơ quan giải quyết (có thời hạn)",
    ConclusionKind.RECOMMENDED: "Kiến nghị cấp trên giải quyết",
    ConclusionKind.NO_ACTION: "Đã giải thích, không cần giải quyết (ghi lý do)",
}
DONE_VI = {
    "diem-danh": "Đã điểm danh.",
    "khach": "Đã ghi nhận người dự không đăng ký.",
    "phat-bieu": "Đã lưu ý kiến phát biểu. Người tiếp theo trong danh sách đã được chọn.",
    "sua": "Đã lưu thay đổi.",
    "ket-luan": "Đã lưu kết luận.",
    "thong-tin": "Đã lưu thông tin hội nghị.",
    "chuong-trinh": "Đã ghi mục chương trình.",
    "chuong-trinh-sua": "Đã lưu thay đổi chương trình.",
    "chuong-trinh-xoa": "Đã xóa mục chương trình; mục của kế hoạch lại hiện để bấm khi bắt đầu.",
}
PROGRAMME_STALE_VI = (
    "Hồ sơ hội nghị vừa được cập nhật ở nơi khác; trang đang hiện chương trình mới nhất, "
    "vui lòng kiểm tra rồi bấm lại."
)
UNKNOWN_PROGRAMME_VI = "Không tìm thấy mục chương trình này trong hồ sơ (có thể đã bị xóa)."
HIGHER_BODIES_VI = (
    "Ủy ban nhân dân tỉnh",
    "Sở Nông nghiệp và Môi trường",
    "Sở Xây dựng",
    "Sở Tài chính",
    "Ban Thường vụ Tỉnh ủy",
)
# A field the reporting API names in a refusal -> the form field that shows it.
_INTERVENTION_FIELDS = {
    "speaker": "speaker",
    "hamlet": "hamlet",
    "organisation": "organisation",
    "question": "question",
    "issue_keys": "link_0",
    "tracking_codes": "link_0",
    "new_issues": "moi",
    "answers": "answer_text_0",
}
_CONCLUSION_FIELDS = {
    "kind": "kind",
    "text": "text",
    "office_id": "office_id",
    "coordinating_office_ids": "coordinating",
    "deadline_working_days": "deadline_days",
    "deadline_date": "deadline_date",
    "higher_body": "higher_body",
    "reason": "reason",
}
_PROGRAMME_FIELDS = {"title": "title", "at": "at"}
_FACT_FIELDS = {
    "started_at": "started_time",
    "ended_at": "ended_time",
    "chair": "chair",
    "minute_taker": "minute_taker",
    "delegates_present": "delegates_other",
}


# ---- small parsers (Vietnamese input) ---------------------------------------------------------


def vn_date(value: str | date | None) -> str:
    """dd/mm/yyyy of an ISO date (or ISO datetime) string."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            day = date.fromisoformat(value[:10])
        except ValueError:
            return value
    else:
        day = value
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def parse_vn_date(text: str) -> date | None:
    """`30/06/2017` (also `30 / 6 / 2017`); None when it is not a real date."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_time(text: str) -> time | None:
    """`07:30`, `7h30`, `7g`, `14.05`; None when it is not a time of day."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def local_parts(value: str | None) -> tuple[str, str]:
    """(dd/mm/yyyy, HH:MM) in Vietnam time of an ISO datetime; ("", "") without one."""
    if not value:
        return "", ""
    try:
        moment = as_utc(datetime.fromisoformat(value)).astimezone(VIETNAM_TZ)
    except ValueError:
        return "", ""
    return vn_date(moment.date()), f"{moment:%H:%M}"


def local_moment(day: date, at: time) -> str:
    return datetime.combine(day, at, tzinfo=VIETNAM_TZ).isoformat()


def field_of(reply: BackendReply, fields: dict[str, str]) -> str:
    """The form field a refusal names (its first error's field, or `field`), else the whole form."""
    body = reply.body if isinstance(reply.body, dict) else {}
    detail = body.get("detail")
    first = detail[0] if isinstance(detail, list) and detail and isinstance(detail[0], dict) else body
    name = str(first.get("field") or "")
    parts = [p for p in re.split(r"[.\[\]/]", name) if p and not p.isdigit() and p not in ("body",)]
    return fields.get(parts[0] if parts else "", "_form")


def _reply_reason(reply: BackendReply) -> str:
    """The service's reason, worded for this page where it asks the clerk to act."""
    body = reply.body if isinstance(reply.body, dict) else {}
    if reply.status == 409 and body.get("error") == "stale_revision":
        return STALE_VI
    if reply.status == 404 and not body.get("message_vi"):
        return "Chưa có hồ sơ hội nghị cho đợt này, hoặc mục này không còn trong hồ sơ."
    return reply.reason_vi()


# ---- what the forms carry ---------------------------------------------------------------------


@dataclass
class Refusal:
    """A form to show again: the scope (which form), its errors and the values typed."""

    scope: str
    errors: dict[str, str]
    values: dict[str, Any] = field(default_factory=dict)
    status: int = 422
    query: dict[str, str] | None = None  # the list's page and filters the form came from


def _issue_label(issue: dict) -> str:
    """``DT-AB12CD34 · #3 [Nêu 3 lần] Cống thoát nước…``: the issue's notice number and, for a
    repeated one, the documents' mark."""
    codes = issue.get("tracking_codes") or []
    head = f"{codes[0]} · " if codes else ""
    mark = f"[{issue['repeat_mark']}] " if issue.get("repeat_mark") else ""
    summary = str(issue.get("summary") or "")
    summary = summary if len(summary) <= 90 else summary[:88].rstrip() + "…"
    return f"{head}#{issue.get('number', '')} {mark}{summary}".strip()


_MARK = re.compile(r"^\s*\[[^\]]*\]")


def _named(issue: dict, words: list[str]) -> bool:
    return all(w in fold(f"{issue.get('summary', '')} {issue.get('topic_name', '')}") for w in words)


def resolve_links(texts: list[str], issues: list[dict]) -> tuple[list[str], list[str], dict[str, str]]:
    """(issue keys, tracking codes not among the issues, errors by field) of the typed links:
    a tracking code (DT-…), an issue number (#3), or words of its summary matching one issue."""
    keys: list[str] = []
    codes: list[str] = []
    errors: dict[str, str] = {}
    by_code = {str(c): str(i["key"]) for i in issues for c in i.get("tracking_codes") or []}
    for n, raw in enumerate(texts):
        text = raw.strip()
        if not text:
            continue
        found = _CODE.findall(text.upper().replace(" ", ""))
        number = _NUMBER.match(text)
        if found:
            for code in found:
                if code in by_code:
                    keys.append(by_code[code])
                else:
                    codes.append(code)
        elif (
            number
            and (numbered := [i for i in issues if str(i.get("number")) == number.group(1)])
            and all(_named(i, _label_words(text[number.end() :])) for i in numbered)
        ):
            keys.extend(str(i["key"]) for i in numbered)
        else:
            # a suggestion's words after its number ("#3 [Nêu 2 lần] Cống…") still find the issue
            # when a conclusion recorded since has moved the numbers (they are the notice's)
            words = _label_words(text[number.end() :]) if number else fold(text).split()
            matches = [i for i in issues if words and _named(i, words)]
            if len(matches) == 1:
                keys.append(str(matches[0]["key"]))
            elif not matches:
                errors[f"link_{n}"] = (
                    f"Không tìm thấy ý kiến nào khớp với “{text[:60]}”. Gõ mã theo dõi (ví dụ DT-AB12CD34) "
                    "hoặc vài chữ trong nội dung rồi chọn trong danh sách gợi ý."
                )
            else:
                errors[f"link_{n}"] = (
                    f"Có {len(matches)} ý kiến khớp với “{text[:60]}”. Gõ thêm chữ hoặc chọn đúng một "
                    "ý kiến trong danh sách gợi ý."
                )
    return list(dict.fromkeys(keys)), list(dict.fromkeys(codes)), errors


def _label_words(text: str) -> list[str]:
    """The words of a suggestion after its number, its repeat mark left out (at most 8: a long
    summary is cut with "…" in the suggestion)."""
    words = [w for w in fold(_MARK.sub("", text)).split() if w != "…"]
    return [w.rstrip("…") for w in words[:8] if w.rstrip("…")]


def intervention_body(
    form: Any, issues: list[dict], speakers: list[dict], hamlets: list[str], *, new: bool, autosave: bool
) -> tuple[dict, dict[str, str], dict[str, Any]]:
    """(the API body, errors by field, the values to show again) of an intervention's form."""
    get = lambda name, limit=2000: clean_text(str(form.get(name) or ""))[:limit]  # noqa: E731
    values: dict[str, Any] = {
        "speaker": get("speaker", 120),
        "hamlet": get("hamlet", 100),
        "organisation": get("organisation", 200),
        "question": get("question", 5000),
        "moi": bool(form.get("moi")),
        "links": [get(f"link_{n}", 200) for n in range(LINK_ROWS)],
        "issue_keys": [str(k)[:200] for k in form.getlist("issue_key")][:50],
        "answers": [
            {"by": get(f"answer_by_{n}", 200), "text": get(f"answer_text_{n}", 5000)}
            for n in range(ANSWER_ROWS)
        ],
    }
    errors: dict[str, str] = {}
    if len(values["speaker"]) < 2:
        errors["speaker"] = "Vui lòng ghi họ tên người phát biểu (hoặc chọn trong thứ tự phát biểu)."
    if len(values["question"]) < 3:
        errors["question"] = "Vui lòng ghi nội dung ý kiến, câu hỏi của người phát biểu."
    if values["hamlet"] and values["hamlet"] not in hamlets:
        errors["hamlet"] = "Vui lòng chọn ấp trong danh sách."
    if new and values["moi"] and len(values["question"]) < 5 and "question" not in errors:
        errors["question"] = "Việc mới nêu tại hội nghị cần ghi rõ nội dung (ít nhất 5 ký tự)."
    keys, codes, link_errors = resolve_links(values["links"], issues)
    errors.update(link_errors)
    answers = []
    for n, answer in enumerate(values["answers"]):
        if answer["text"] and not answer["by"]:
            errors[f"answer_by_{n}"] = "Vui lòng ghi ai trả lời (chức vụ hoặc cơ quan)."
        elif answer["by"] and not answer["text"] and not autosave:
            errors[f"answer_text_{n}"] = "Vui lòng ghi nội dung trả lời, hoặc xóa tên người trả lời."
        elif answer["by"] and answer["text"]:
            answers.append(answer)
    registered = {fold(str(s["name"])): s for s in speakers if s.get("name")}
    speaker = registered.get(fold(values["speaker"]))
    hamlet = values["hamlet"] or (str(speaker["hamlet"]) if speaker else "")
    body: dict[str, Any] = {
        "speaker": values["speaker"],
        "registered": speaker is not None,
        "hamlet": hamlet or None,
        "organisation": values["organisation"] or None,
        "question": values["question"],
        "issue_keys": list(dict.fromkeys([*values["issue_keys"], *keys])),
        "answers": answers,
    }
    if codes:
        body["tracking_codes"] = codes
    if new and values["moi"]:
        body["new_issues"] = [{"text": values["question"], "hamlet": hamlet or None}]
    return body, errors, values


def conclusion_body(form: Any, commune: Commune) -> tuple[dict, dict[str, str], dict[str, Any]]:
    """(the API body, errors by field, the values to show again) of one issue's conclusion form."""
    get = lambda name, limit=2000: clean_text(str(form.get(name) or ""))[:limit]  # noqa: E731
    values: dict[str, Any] = {
        "kind": get("kind", 20),
        "text": get("text", 5000),
        "office_id": get("office_id", 64),
        "coordinating": [str(o)[:64] for o in form.getlist("coordinating")][:20],
        "deadline_days": get("deadline_days", 10),
        "deadline_date": get("deadline_date", 20),
        "higher_body": get("higher_body", 200),
        "reason": get("reason", 5000),
    }
    errors: dict[str, str] = {}
    kind = values["kind"]
    if kind not in CONCLUSION_KINDS_VI:
        errors["kind"] = "Vui lòng chọn một trong bốn cách kết luận."
    if len(values["text"]) < 3:
        errors["text"] = "Vui lòng ghi nội dung kết luận của Bí thư (ít nhất 3 ký tự)."
    body: dict[str, Any] = {"kind": kind, "text": values["text"]}
    if kind == ConclusionKind.ASSIGNED:
        if commune.office(values["office_id"]) is None:
            errors["office_id"] = "Vui lòng chọn cơ quan chủ trì giải quyết."
        body["office_id"] = values["office_id"]
        body["coordinating_office_ids"] = [
            o for o in values["coordinating"] if o != values["office_id"] and commune.office(o)
        ]
        days, day = values["deadline_days"], values["deadline_date"]
        if days and day:
            errors["deadline_days"] = "Chỉ ghi một trong hai: số ngày làm việc, hoặc hạn đến ngày."
        elif days:
            if not days.isdigit() or not 1 <= int(days) <= 365:
                errors["deadline_days"] = "Số ngày làm việc phải là số nguyên từ 1 đến 365."
            else:
                body["deadline_working_days"] = int(days)
        elif day:
            parsed = parse_vn_date(day)
            if parsed is None:
                errors["deadline_date"] = "Ngày phải ghi dạng ngày/tháng/năm, ví dụ 30/06/2017."
            else:
                body["deadline_date"] = parsed.isoformat()
        else:
            errors["deadline_days"] = "Vui lòng ghi thời hạn: số ngày làm việc, hoặc hạn đến ngày."
    elif kind == ConclusionKind.RECOMMENDED:
        if len(values["higher_body"]) < 3:
            errors["higher_body"] = "Vui lòng ghi cơ quan cấp trên nhận kiến nghị."
        body["higher_body"] = values["higher_body"]
    elif kind == ConclusionKind.NO_ACTION:
        if len(values["reason"]) < 3:
            errors["reason"] = "Vui lòng ghi lý do không cần giải quyết."
        body["reason"] = values["reason"]
    return body, errors, values


def facts_body(form: Any, dialogue: Dialogue, revision: int) -> tuple[dict, dict[str, str], dict[str, Any]]:
    """(the API body, errors by field, the values to show again) of the meeting facts' form."""
    get = lambda name, limit=200: clean_text(str(form.get(name) or ""))[:limit]  # noqa: E731
    values: dict[str, Any] = {
        "day": get("day", 20),
        "started_time": get("started_time", 10),
        "ended_time": get("ended_time", 10),
        "chair": get("chair"),
        "minute_taker": get("minute_taker"),
        "delegates": [str(d)[:200] for d in form.getlist("delegate")][:50],
        "delegates_other": str(form.get("delegates_other") or "")[:5000],
    }
    errors: dict[str, str] = {}
    day = parse_vn_date(values["day"]) if values["day"] else dialogue.meeting_date
    if day is None:
        errors["day"] = "Ngày họp phải ghi dạng ngày/tháng/năm, ví dụ 25/03/2017."
    moments: dict[str, str | None] = {}
    for name, key in (("started_time", "started_at"), ("ended_time", "ended_at")):
        at = parse_time(values[name]) if values[name] else None
        if values[name] and at is None:
            errors[name] = "Giờ phải ghi dạng giờ:phút, ví dụ 07:30 hoặc 14:05."
        moments[key] = local_moment(day, at) if day and at else None
    if moments["started_at"] and moments["ended_at"] and moments["ended_at"] <= moments["started_at"]:
        errors["ended_time"] = "Giờ kết thúc phải sau giờ khai mạc."
    others = [clean_text(line)[:200] for line in values["delegates_other"].splitlines() if clean_text(line)]
    body = {
        "revision": revision,
        **moments,
        "chair": values["chair"] or None,
        "minute_taker": values["minute_taker"] or None,
        "delegates_present": list(dict.fromkeys([*values["delegates"], *others])),
    }
    return body, errors, values


def programme_change_body(form: Any, dialogue: Dialogue) -> tuple[dict, dict[str, str], dict[str, Any]]:
    """(the API body, errors by field, the values to show again) of a recorded programme item's
    form: a move (`position`, 1 first, the value of its Lên/Xuống button) or a correction (`title`
    and `at`; a blank time prints none), at the record's `revision` the page was shown at."""
    get = lambda name, limit=500: clean_text(str(form.get(name) or ""))[:limit]  # noqa: E731
    revision = get("revision", 12)
    body: dict[str, Any] = {"revision": int(revision) if revision.isdigit() else 0}
    values: dict[str, Any] = {"title": get("title"), "at": get("at", 10)}
    errors: dict[str, str] = {}
    if "position" in form:
        position = get("position", 6)
        if position.isdigit() and int(position) >= 1:
            body["position"] = int(position)
        else:
            errors["_form"] = "Vị trí mới của mục chương trình không hợp lệ; vui lòng tải lại trang."
    if "title" in form:
        if len(values["title"]) < 3:
            errors["title"] = "Vui lòng ghi tên mục chương trình (ít nhất 3 ký tự)."
        at = parse_time(values["at"]) if values["at"] else None
        if values["at"] and at is None:
            errors["at"] = "Giờ phải ghi dạng giờ:phút, ví dụ 08:15."
        body["title"] = values["title"]
        body["at"] = local_moment(dialogue.meeting_date, at) if at else None
    if "position" not in form and "title" not in form:
        errors["_form"] = "Không có thay đổi nào để lưu."
    return body, errors, values


def _programme_reason(reply: BackendReply) -> str:
    body = reply.body if isinstance(reply.body, dict) else {}
    if reply.status == 409 and body.get("error") == "stale_revision":
        return PROGRAMME_STALE_VI
    return _reply_reason(reply)


# ---- which issues and interventions a page shows ---------------------------------------------


@dataclass(frozen=True)
class IssueView:
    """The conclusions list's choice: one topic (None: every topic) and `show`, a key of
    ISSUE_FILTERS_VI. An unknown topic or filter shows every issue."""

    topic: int | None = None
    show: str = ""

    @classmethod
    def of(cls, query: Any, topics: list[int]) -> IssueView:
        raw = str(query.get("chu-de") or "").strip()
        topic = int(raw) if raw.isdigit() and int(raw) in topics else None
        show = str(query.get("loc") or "")
        return cls(topic, show if show in ISSUE_FILTERS_VI else "")

    def params(self) -> dict[str, str]:
        return {"chu-de": str(self.topic) if self.topic is not None else "", "loc": self.show}

    def chosen(self, issues: list[dict], concluded: set[str], raised: set[str]) -> list[dict]:
        return [
            i
            for i in issues
            if (self.topic is None or i.get("topic") == self.topic)
            and (self.show != "chua-ket-luan" or str(i["key"]) not in concluded)
            and (self.show != "tai-hoi-nghi" or str(i["key"]) in raised)
            and (self.show != "keo-dai" or bool(i.get("carried_over")))
            and (self.show != "nhieu-lan" or bool(i.get("repeat_mark")))
        ]


def page_showing(rows: list[dict], key: str, focus: str | None, size: int, wanted: int) -> Page:
    """The page with the row whose `key` is `focus` (a form just saved or refused), else the
    page asked for."""
    index = next((n for n, r in enumerate(rows) if focus and str(r.get(key)) == focus), None)
    if index is not None:
        return Page.containing(index, len(rows), size)
    return Page.of(len(rows), size, wanted)


def suggested_issues(issues: list[dict], raised: set[str], topic: int | None) -> list[dict]:
    """The issues the links' suggestions offer: all of them when at most SUGGESTED_ISSUES, else
    those already raised at the meeting, then those of the speaker's topic, up to the bound
    (a typed tracking code, number or words still reach any issue: `resolve_links`)."""
    if len(issues) <= SUGGESTED_ISSUES:
        return issues
    first = [i for i in issues if str(i["key"]) in raised]
    then = [
        i for i in issues if topic is not None and i.get("topic") == topic and str(i["key"]) not in raised
    ]
    return (first + then)[:SUGGESTED_ISSUES]


# ---- the page ---------------------------------------------------------------------------------


@dataclass
class Shown:
    """What a re-rendered page shows besides the record: a form's errors and typed values, and
    the lists' pages and filters the form came from (`query`; None: the request's own)."""

    errors: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    notice: str | None = None
    status: int = 200
    query: dict[str, str] | None = None


def _speakers_with_state(speakers: list[dict], interventions: list[dict], chosen: str | None) -> list[dict]:
    spoken = {fold(str(i.get("speaker") or "")) for i in interventions if i.get("registered")}
    rows = [{**s, "spoken": fold(str(s.get("name") or "")) in spoken, "state": ""} for s in speakers]
    if chosen == "0":
        current = None
    elif chosen and chosen.isdigit():
        current = next((r for r in rows if r["order"] == int(chosen)), None)
    else:
        current = next((r for r in rows if not r["spoken"]), None)
    if current is not None:
        current["state"] = "now"
    after = rows[rows.index(current) + 1 :] if current is not None else rows
    following = next((r for r in after if not r["spoken"]), None)
    if following is not None:
        following["state"] = "next"
    return rows


def _conclusion_values(conclusion: dict | None) -> dict[str, Any]:
    c = conclusion or {}
    return {
        "kind": c.get("kind") or "",
        "text": c.get("text") or "",
        "office_id": c.get("office_id") or "",
        "coordinating": list(c.get("coordinating_office_ids") or []),
        "deadline_days": str(c.get("deadline_working_days") or ""),
        "deadline_date": vn_date(c.get("deadline_date")),
        "higher_body": c.get("higher_body") or "",
        "reason": c.get("reason") or "",
    }


def office_holder_names(commune: Commune) -> dict[str, Any]:
    """The commune's office holders as the meeting's facts name them ("Họ tên, chức vụ"): the
    Secretary (who signs the notice and the letter) chairs by default, a deputy may; the head of
    the Party office takes the minutes by default."""
    holders = commune.office_holders
    secretary = commune.secretary_name
    chairs = ([f"{secretary}, Bí thư Đảng ủy"] if secretary else []) + [
        f"{d.strip()}, Phó Bí thư Đảng ủy" for d in holders.deputy_secretaries if d.strip()
    ]
    chief = holders.chief_of_office.strip()
    return {"chairs": chairs, "minute_taker": f"{chief}, Chánh Văn phòng Đảng ủy" if chief else ""}


def _facts_values(record: dict, dialogue: Dialogue, commune: Commune | None = None) -> dict[str, Any]:
    """The facts form's values: as recorded; a chair or minute-taker not recorded yet is filled in
    from the office holders (`office_holder_names`), marked `prefilled`, saved only when staff save
    the form, so the minutes are not signed by a name typed differently from the notice's."""
    started_day, started = local_parts(record.get("started_at"))
    _, ended = local_parts(record.get("ended_at"))
    names = {d.name for d in dialogue.delegates}
    present = [str(d) for d in record.get("delegates_present") or []]
    holders = office_holder_names(commune) if commune else {"chairs": [], "minute_taker": ""}
    chair = record.get("chair") or next(iter(holders["chairs"]), "")
    minute_taker = record.get("minute_taker") or holders["minute_taker"]
    prefilled = [
        field
        for field, value in (("chair", chair), ("minute_taker", minute_taker))
        if value and not record.get(field)
    ]
    return {
        "day": started_day or vn_date(dialogue.meeting_date),
        "started_time": started,
        "ended_time": ended,
        "chair": chair,
        "minute_taker": minute_taker,
        "prefilled": prefilled,
        "chair_options": holders["chairs"],
        "delegates": [d for d in present if d in names],
        "delegates_other": "\n".join(d for d in present if d not in names),
    }


def _intervention_values(intervention: dict) -> dict[str, Any]:
    answers = [
        {"by": str(a.get("by") or ""), "text": str(a.get("text") or "")}
        for a in intervention.get("answers") or []
    ]
    return {
        "speaker": intervention.get("speaker") or "",
        "hamlet": intervention.get("hamlet") or "",
        "organisation": intervention.get("organisation") or "",
        "question": intervention.get("question") or "",
        "links": [""] * LINK_ROWS,
        "issue_keys": list(intervention.get("issue_keys") or []),
        "answers": (answers + [{"by": "", "text": ""}])[:ANSWER_ROWS],
    }


def _programme_rows(programme: list[dict], values: dict[str, dict[str, Any]]) -> list[dict]:
    """The programme in the record's order (the minutes' order), each item with its `position`
    and its correction form's values: as typed when refused, else as recorded."""
    rows = []
    for position, item in enumerate(programme, 1):
        at = local_parts(item.get("at"))[1]
        typed = values.get(f"ct-{item.get('id')}")
        form = typed or {"title": str(item.get("title") or ""), "at": at}
        rows.append({**item, "position": position, "at_local": at, "form": form})
    return rows


def add_meeting_routes(staff: APIRouter, kit: StaffKit) -> None:
    registrations = RegistrationRepository(kit.rt.db)

    async def speakers_of(commune: Commune, dialogue: Dialogue) -> list[dict]:
        return speaking_order(dialogue, await registrations.for_dialogue(commune.id, dialogue.id))

    async def record_of(request: Request, commune: Commune, dialogue: Dialogue) -> tuple[dict, str | None]:
        reply = await kit.reporting(request).meeting(commune.id, dialogue.id)
        if reply.ok and isinstance(reply.body, dict):
            return reply.body, None
        return {}, _reply_reason(reply)

    async def page(
        request: Request, user: StaffUser, commune: Commune, dialogue: Dialogue, shown: Shown | None = None
    ) -> HTMLResponse:
        shown = shown or Shown()
        query = shown.query if shown.query is not None else dict(request.query_params)
        try:
            wanted_issues = requested(query.get("trang"))
            wanted_turns = requested(query.get(INTERVENTIONS_PARAM))
        except BadPage:
            return kit.message(request, 400, "Số trang không hợp lệ", BAD_PAGE_VI)
        record, record_error = await record_of(request, commune, dialogue)
        attendance = await attendance_view(kit.attendance, commune, dialogue)
        lookup = clean_text(request.query_params.get("tim") or "")[:60]
        found = await find_registrations(kit.attendance, commune, dialogue, lookup) if lookup else []
        interventions = sorted(record.get("interventions") or [], key=lambda i: i.get("order") or 0)
        speakers = _speakers_with_state(
            await speakers_of(commune, dialogue), interventions, request.query_params.get("nguoi")
        )
        current = next((s for s in speakers if s["state"] == "now"), None)
        following = next((s for s in speakers if s["state"] == "next"), None)
        issues = list(record.get("issues") or [])
        by_key = {str(i["key"]): i for i in issues}
        conclusions = {str(c.get("issue_key")): c for c in record.get("conclusions") or []}
        raised = {str(k) for i in interventions for k in i.get("issue_keys") or []}
        entry = shown.values.get("entry") or {
            "speaker": (current or {}).get("name") or "",
            "hamlet": (current or {}).get("hamlet") or "",
            "organisation": "",
            "question": "",
            "moi": False,
            "links": [""] * LINK_ROWS,
            "answers": [{"by": "", "text": ""}],
        }
        # the newest first, a page at a time; a form just refused or saved shows on its page
        newest = list(reversed(interventions))
        focus_turn = next((scope[2:] for scope in shown.errors if scope.startswith("i-")), query.get("y"))
        turns_page = page_showing(newest, "id", focus_turn, INTERVENTIONS_PER_PAGE, wanted_turns)
        recorded = [
            {
                **i,
                "at_local": local_parts(i.get("at"))[1],
                "linked": [by_key[k] for k in i.get("issue_keys") or [] if k in by_key],
                "form": shown.values.get(f"i-{i.get('id')}") or _intervention_values(i),
            }
            for i in turns_page.rows(newest)
        ]
        for row in recorded:
            extra = [k for k in row["form"]["issue_keys"] if k not in {str(x["key"]) for x in row["linked"]}]
            row["unknown_keys"] = extra
        view = IssueView.of(query, [t.number for t in dialogue.topics])
        chosen = view.chosen(issues, set(conclusions), raised)
        focus_issue = next((scope[3:] for scope in shown.errors if scope.startswith("kl-")), query.get("kl"))
        issues_page = page_showing(chosen, "key", focus_issue, ISSUES_PER_PAGE, wanted_issues)
        issue_rows = [
            {
                **issue,
                "label": _issue_label(issue),
                "conclusion": conclusions.get(str(issue["key"])),
                "form": shown.values.get(f"kl-{issue['key']}")
                or _conclusion_values(conclusions.get(str(issue["key"]))),
                "raised_by": [
                    i.get("speaker")
                    for i in interventions
                    if str(issue["key"]) in (i.get("issue_keys") or [])
                ],
            }
            for issue in issues_page.rows(chosen)
        ]
        base = {"dot": dialogue.id, **view.params()}
        issues_pager = pager(
            issues_page,
            PAGE,
            {**base, INTERVENTIONS_PARAM: str(turns_page.number) if turns_page.number > 1 else ""},
            anchor="#ket-luan",
        )
        turns_pager = pager(
            turns_page,
            PAGE,
            {**base, "trang": str(issues_page.number) if issues_page.number > 1 else ""},
            param=INTERVENTIONS_PARAM,
            anchor="#da-ghi",
        )
        speaking = (current or {}).get("topic")
        titles = commune.office_titles_on(dialogue.meeting_date)
        response = kit.render(
            request,
            "meeting.html",
            status=shown.status,
            title="Ghi diễn biến hội nghị đối thoại",
            commune_=commune,
            dialogue=dialogue,
            dot=quote(dialogue.id),
            record=record,
            record_error=record_error,
            locked=bool(record.get("locked")),
            attendance=attendance,
            query=lookup,
            found=found,
            speakers=speakers,
            current=current,
            following=following,
            entry=entry,
            recorded=recorded,
            recorded_total=len(interventions),
            turns_pager=turns_pager,
            issues=issue_rows,
            issues_total=len(issues),
            issues_chosen=len(chosen),
            issues_pager=issues_pager,
            issue_view=view,
            issue_filters=ISSUE_FILTERS_VI,
            topics=dialogue.topics,
            # where a saved conclusion comes back to: this page of this list
            view_state={**view.params(), "trang": str(issues_page.number)},
            issue_options=[_issue_label(i) for i in suggested_issues(issues, raised, speaking)],
            issue_options_all=len(issues) <= SUGGESTED_ISSUES,
            facts=shown.values.get("facts") or _facts_values(record, dialogue, commune),
            checkin=shown.values.get("checkin") or {"hamlet": "", "count": "1"},
            walk_in_key=new_id(),  # one per form shown: the count it sends is counted once
            programme=_programme_rows(list(record.get("programme") or []), shown.values),
            agenda=dialogue.agenda,
            programme_form=shown.values.get("programme") or {"title": "", "at": ""},
            hamlets=[h.name for h in commune.hamlets],
            offices=commune.offices,
            # offices named for the dialogue's era, as its minutes and notice print them
            office_titles=titles,
            answerers=[d.name for d in dialogue.delegates] + [titles[o.id] for o in commune.offices],
            delegates=[d.name for d in dialogue.delegates],
            higher_bodies=HIGHER_BODIES_VI,
            kinds=CONCLUSION_KINDS_VI,
            errors=shown.errors,
            notice=shown.notice or DONE_VI.get(request.query_params.get("xong") or ""),
            meeting_date=vn_date(dialogue.meeting_date),
            answer_rows=ANSWER_ROWS,
            link_rows=LINK_ROWS,
            vn_date=vn_date,
        )
        response.headers["Content-Security-Policy"] = PAGE_CSP
        return response

    def back(dialogue: Dialogue, done: str, anchor: str, **params: str) -> Response:
        extra = "".join(f"&{k}={quote(v)}" for k, v in params.items() if v)
        return kit.redirect(f"{PAGE}?dot={quote(dialogue.id)}&xong={done}{extra}#{anchor}")

    def autosaving(request: Request, form: Any) -> bool:
        return request.headers.get("x-autosave") == "1" or form.get("autosave") == "1"

    async def refused(
        request: Request,
        user: StaffUser,
        commune: Commune,
        dialogue: Dialogue,
        refusal: Refusal,
        autosave: bool,
    ) -> Response:
        if autosave:
            return JSONResponse(
                {"ok": False, "message_vi": " ".join(refusal.errors.values()), "errors": refusal.errors},
                status_code=refusal.status,
                headers={"Cache-Control": "no-store"},
            )
        return await page(
            request,
            user,
            commune,
            dialogue,
            Shown(
                errors={refusal.scope: refusal.errors},
                values={refusal.scope: refusal.values},
                status=refusal.status,
                query=refusal.query,
            ),
        )

    async def target(request: Request) -> tuple[StaffUser, Commune, Dialogue]:
        """The dialogue named by `?dot=`, else the open one, else the latest held or concluded one:
        its record is edited after the meeting (conclusions) until the notice is issued, then read.

        The commune is read once and the dialogue it names is fetched by id: saving the meeting's
        end moves the plan to held a moment after the save is answered (the status first, then
        the commune's open dialogue cleared), so one read always finds the open dialogue or a
        held one."""
        return await kit.dialogue_for(
            request, MANAGERS, missing_vi=MISSING_VI, fallbacks=(PlanChoice.OPEN, PlanChoice.AFTER_MEETING)
        )

    @staff.get(PAGE, response_class=HTMLResponse)
    async def meeting_page(request: Request):
        user, commune, dialogue = await target(request)
        return await page(request, user, commune, dialogue)

    # ---- attendance -------------------------------------------------------------------------

    @staff.post(f"{PAGE}/diem-danh", response_class=HTMLResponse)
    async def check_in(request: Request):
        user, commune, dialogue = await target(request)
        form = await kit.read_form(request)
        query = clean_text(form.get("tim") or "")[:60]
        registration_id = clean_text(form.get("registration_id") or "")[:64]
        hamlet = clean_text(form.get("hamlet") or "")[:100]
        count = clean_text(form.get("count") or "1")[:6]
        key = clean_text(form.get("walk_in_key") or "")[:64] or None
        if registration_id:
            done = "diem-danh"
        else:
            errors = {}
            if hamlet not in [h.name for h in commune.hamlets]:
                errors["hamlet"] = "Vui lòng chọn ấp của người đến dự."
            if not count.isdigit() or not 1 <= int(count) <= 500:
                errors["count"] = "Số người phải là số nguyên từ 1 đến 500."
            if errors:
                return await refused(
                    request,
                    user,
                    commune,
                    dialogue,
                    Refusal("checkin", errors, {"hamlet": hamlet, "count": count}),
                    False,
                )
            done = "khach"
        request.state.audit_action = "meeting_check_in"
        request.state.audit_target = {
            "dialogue_id": dialogue.id,
            **({"registration_id": registration_id} if registration_id else {"hamlet": hamlet}),
        }
        author = user.principal().name
        try:
            if registration_id:
                await check_resident_in(kit.attendance, commune, dialogue, registration_id, author)
            else:
                await add_walk_ins(kit.attendance, commune, dialogue, hamlet, int(count), author, key)
        except (UnknownRegistration, SubmissionRejected, AttendanceConflict) as refusal:
            return await refused(
                request,
                user,
                commune,
                dialogue,
                Refusal(
                    "checkin",
                    {"_form": _check_in_reason(refusal)},
                    {"hamlet": hamlet, "count": count},
                    404 if isinstance(refusal, UnknownRegistration) else 422,
                ),
                False,
            )
        return back(dialogue, done, "diem-danh", tim=query)

    # ---- interventions ----------------------------------------------------------------------

    @staff.post(f"{PAGE}/phat-bieu", response_class=HTMLResponse)
    async def add_intervention(request: Request):
        user, commune, dialogue = await target(request)
        form = await read_bounded_form(request)
        record, _ = await record_of(request, commune, dialogue)
        speakers = await speakers_of(commune, dialogue)
        body, errors, values = intervention_body(
            form,
            list(record.get("issues") or []),
            speakers,
            [h.name for h in commune.hamlets],
            new=True,
            autosave=False,
        )
        if errors:
            return await refused(request, user, commune, dialogue, Refusal("entry", errors, values), False)
        request.state.audit_action = "meeting_intervention"
        request.state.audit_target = {"dialogue_id": dialogue.id}
        reply = await kit.reporting(request).add_intervention(
            commune.id, dialogue.id, body, request.state.correlation_id
        )
        if not reply.ok:
            refusal = Refusal(
                "entry",
                {field_of(reply, _INTERVENTION_FIELDS): _reply_reason(reply)},
                values,
                422 if reply.status < 500 else 502,
            )
            return await refused(request, user, commune, dialogue, refusal, False)
        created = str((reply.body or {}).get("id") or "") if isinstance(reply.body, dict) else ""
        request.state.audit_target["intervention_id"] = created
        return back(dialogue, "phat-bieu", f"i-{created}" if created else "ghi-y-kien")

    @staff.post(f"{PAGE}/phat-bieu/sua", response_class=HTMLResponse)
    async def edit_intervention(request: Request):
        user, commune, dialogue = await target(request)
        form = await read_bounded_form(request)
        autosave = autosaving(request, form)
        intervention_id = clean_text(str(form.get("id") or ""))[:64]
        record, record_error = await record_of(request, commune, dialogue)
        known = {str(i.get("id")) for i in record.get("interventions") or []}
        if intervention_id not in known:
            refusal = Refusal(
                "_page",
                {"_form": record_error or "Không tìm thấy lượt phát biểu này trong hồ sơ."},
                status=404,
            )
            return await refused(request, user, commune, dialogue, refusal, autosave)
        scope = f"i-{intervention_id}"
        body, errors, values = intervention_body(
            form,
            list(record.get("issues") or []),
            await speakers_of(commune, dialogue),
            [h.name for h in commune.hamlets],
            new=False,
            autosave=autosave,
        )
        if errors:
            return await refused(request, user, commune, dialogue, Refusal(scope, errors, values), autosave)
        request.state.audit_action = "meeting_intervention_edit"
        request.state.audit_target = {"dialogue_id": dialogue.id, "intervention_id": intervention_id}
        reporting = kit.reporting(request)
        reply = await reporting.edit_intervention(
            commune.id, dialogue.id, intervention_id, body, request.state.correlation_id
        )
        if not reply.ok:
            refusal = Refusal(
                scope,
                {field_of(reply, _INTERVENTION_FIELDS): _reply_reason(reply)},
                values,
                reply.status if reply.status in (404, 409, 422) else 502,
            )
            return await refused(request, user, commune, dialogue, refusal, autosave)
        if autosave:
            return await saved(request, commune, dialogue)
        return back(dialogue, "sua", scope, y=intervention_id)

    async def saved(request: Request, commune: Commune, dialogue: Dialogue) -> JSONResponse:
        """The autosave's answer: when, and the record's revision now (the facts form's
        compare-and-set carries it)."""
        record, _ = await record_of(request, commune, dialogue)
        now = datetime.now(VIETNAM_TZ)
        return JSONResponse(
            {"ok": True, "saved_at": f"{now:%H:%M:%S}", "revision": record.get("revision")},
            headers={"Cache-Control": "no-store"},
        )

    # ---- the programme as held -------------------------------------------------------------

    @staff.post(f"{PAGE}/chuong-trinh", response_class=HTMLResponse)
    async def programme(request: Request):
        user, commune, dialogue = await target(request)
        form = await kit.read_form(request)
        title = clean_text(form.get("title") or "")[:500]
        at_text = clean_text(form.get("at") or "")[:10]
        errors = {}
        if len(title) < 3:
            errors["title"] = "Vui lòng ghi tên mục chương trình (hoặc bấm một mục của kế hoạch)."
        at = parse_time(at_text) if at_text else None
        if at_text and at is None:
            errors["at"] = "Giờ phải ghi dạng giờ:phút, ví dụ 08:15."
        if errors:
            values = {"title": title, "at": at_text}
            return await refused(
                request, user, commune, dialogue, Refusal("programme", errors, values), False
            )
        now = datetime.now(VIETNAM_TZ)
        if at is None and now.date() == dialogue.meeting_date:  # pressed as the item starts
            at = time(now.hour, now.minute)
        item = {"title": title, "at": local_moment(dialogue.meeting_date, at) if at else None}
        request.state.audit_action = "meeting_programme"
        request.state.audit_target = {"dialogue_id": dialogue.id}
        reply = await kit.reporting(request).add_programme_item(
            commune.id, dialogue.id, item, request.state.correlation_id
        )
        if not reply.ok:
            refusal = Refusal(
                "programme",
                {"_form": _reply_reason(reply)},
                {"title": title, "at": at_text},
                reply.status if reply.status in (404, 409, 422) else 502,
            )
            return await refused(request, user, commune, dialogue, refusal, False)
        return back(dialogue, "chuong-trinh", "chuong-trinh")

    @staff.post(f"{PAGE}/chuong-trinh/sua", response_class=HTMLResponse)
    async def change_programme(request: Request):
        """A recorded item moved (its Lên/Xuống button) or corrected (its title and time)."""
        user, commune, dialogue = await target(request)
        form = await kit.read_form(request)
        item_id = clean_text(form.get("id") or "")[:64]
        correcting = "title" in form
        scope = f"ct-{item_id}" if correcting else "programme"
        body, errors, values = programme_change_body(form, dialogue)
        if not item_id:
            refusal = Refusal("programme", {"_form": UNKNOWN_PROGRAMME_VI}, status=404)
            return await refused(request, user, commune, dialogue, refusal, False)
        if errors:
            refusal = Refusal(scope, errors, values if correcting else {})
            return await refused(request, user, commune, dialogue, refusal, False)
        request.state.audit_action = "meeting_programme_edit" if correcting else "meeting_programme_move"
        request.state.audit_target = {"dialogue_id": dialogue.id, "programme_item_id": item_id}
        reply = await kit.reporting(request).change_programme_item(
            commune.id, dialogue.id, item_id, body, request.state.correlation_id
        )
        if not reply.ok:
            status = reply.status if reply.status in (404, 409, 422) else 502
            if correcting and reply.status != 404:  # the item is still shown: its form keeps the typing
                refusal = Refusal(
                    scope, {field_of(reply, _PROGRAMME_FIELDS): _programme_reason(reply)}, values, status
                )
            else:
                refusal = Refusal("programme", {"_form": _programme_reason(reply)}, status=status)
            return await refused(request, user, commune, dialogue, refusal, False)
        return back(dialogue, "chuong-trinh-sua", f"ct-{item_id}")

    @staff.post(f"{PAGE}/chuong-trinh/xoa", response_class=HTMLResponse)
    async def remove_programme(request: Request):
        """A recorded item removed (pressed by mistake, or too early: the plan's item shows again)."""
        user, commune, dialogue = await target(request)
        form = await kit.read_form(request)
        item_id = clean_text(form.get("id") or "")[:64]
        revision = clean_text(form.get("revision") or "")[:12]
        if not item_id:
            refusal = Refusal("programme", {"_form": UNKNOWN_PROGRAMME_VI}, status=404)
            return await refused(request, user, commune, dialogue, refusal, False)
        request.state.audit_action = "meeting_programme_delete"
        request.state.audit_target = {"dialogue_id": dialogue.id, "programme_item_id": item_id}
        reply = await kit.reporting(request).remove_programme_item(
            commune.id,
            dialogue.id,
            item_id,
            int(revision) if revision.isdigit() else 0,
            request.state.correlation_id,
        )
        if not reply.ok:
            refusal = Refusal(
                "programme",
                {"_form": _programme_reason(reply)},
                status=reply.status if reply.status in (404, 409, 422) else 502,
            )
            return await refused(request, user, commune, dialogue, refusal, False)
        return back(dialogue, "chuong-trinh-xoa", "chuong-trinh")

    # ---- conclusions ------------------------------------------------------------------------

    @staff.post(f"{PAGE}/ket-luan", response_class=HTMLResponse)
    async def conclude(request: Request):
        user, commune, dialogue = await target(request)
        form = await read_bounded_form(request)
        issue_key = clean_text(str(form.get("issue_key") or ""))[:200]
        record, record_error = await record_of(request, commune, dialogue)
        if issue_key not in {str(i.get("key")) for i in record.get("issues") or []}:
            refusal = Refusal(
                "_page", {"_form": record_error or "Không tìm thấy vấn đề này trong hồ sơ."}, status=404
            )
            return await refused(request, user, commune, dialogue, refusal, False)
        scope = f"kl-{issue_key}"
        state = view_state(form)
        body, errors, values = conclusion_body(form, commune)
        if errors:
            refusal = Refusal(scope, errors, values, query=state)
            return await refused(request, user, commune, dialogue, refusal, False)
        request.state.audit_action = "meeting_conclusion"
        request.state.audit_target = {
            "dialogue_id": dialogue.id,
            "issue_key": issue_key,
            "kind": body["kind"],
        }
        reply = await kit.reporting(request).conclude(
            commune.id, dialogue.id, issue_key, body, request.state.correlation_id
        )
        if not reply.ok:
            refusal = Refusal(
                scope,
                {field_of(reply, _CONCLUSION_FIELDS): _reply_reason(reply)},
                values,
                reply.status if reply.status in (404, 409, 422) else 502,
                query=state,
            )
            return await refused(request, user, commune, dialogue, refusal, False)
        return back(dialogue, "ket-luan", scope, kl=issue_key, **state)

    # ---- the meeting's facts ----------------------------------------------------------------

    @staff.post(f"{PAGE}/thong-tin", response_class=HTMLResponse)
    async def facts(request: Request):
        user, commune, dialogue = await target(request)
        form = await read_bounded_form(request)
        autosave = autosaving(request, form)
        revision = str(form.get("revision") or "0")
        body, errors, values = facts_body(form, dialogue, int(revision) if revision.isdigit() else 0)
        if errors:
            return await refused(request, user, commune, dialogue, Refusal("facts", errors, values), autosave)
        request.state.audit_action = "meeting_facts"
        request.state.audit_target = {"dialogue_id": dialogue.id}
        reply = await kit.reporting(request).meeting_facts(
            commune.id, dialogue.id, body, request.state.correlation_id
        )
        if not reply.ok:
            refusal = Refusal(
                "facts",
                {field_of(reply, _FACT_FIELDS): _reply_reason(reply)},
                values,
                reply.status if reply.status in (404, 409, 422) else 502,
            )
            if autosave and reply.status == 409:  # the page's revision is stale: give it the current one
                record, _ = await record_of(request, commune, dialogue)
                return JSONResponse(
                    {"ok": False, "message_vi": _reply_reason(reply), "revision": record.get("revision")},
                    status_code=409,
                    headers={"Cache-Control": "no-store"},
                )
            return await refused(request, user, commune, dialogue, refusal, autosave)
        if autosave:
            return await saved(request, commune, dialogue)
        return back(dialogue, "thong-tin", "thong-tin")


def view_state(form: Any) -> dict[str, str]:
    """The conclusions list's page and filters a conclusion's form carries back (hidden fields),
    each as sent but bounded; the page that reads them validates them."""
    return {name: clean_text(str(form.get(name) or ""))[:20] for name in ("chu-de", "loc", "trang")}


def _check_in_reason(refusal: Exception) -> str:
    """What the clerk reads when a check-in is refused (the use case's own Vietnamese reason)."""
    if isinstance(refusal, UnknownRegistration):
        return "Không tìm thấy đăng ký tham dự này trong buổi đối thoại."
    if isinstance(refusal, AttendanceConflict):
        return refusal.vi
    if isinstance(refusal, SubmissionRejected):
        return refusal.vi
    return "Không điểm danh được."
