"""What the resident's tracking page says (pure): its headline is the furthest stage the item
reached, so it never lags behind the follow-up shown under it; its history shows only what is
meant for the resident (a staff change's reason is staff-only). Whoever holds the code reads it
without logging in (a code seen over a shoulder or passed on), so every text on it is shown
with personal data masked (`shared.personal_data`). Offices are named as the dialogue's documents
print them (`era_named`, with the naming reporting publishes: a 2017 dialogue's item reads
"Công chức Địa chính - …" where routing stored today's "Phòng Kinh tế"). A follow-up past its due
date says so ("– quá hạn"), by the rule the staff board marks it with."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from services.intake.status import follow_up_wording
from shared.contracts import FollowUpStatus, RoutingChange, SubmissionStatus
from shared.contracts.vocabulary import overdue_vi
from shared.personal_data import mask_personal_data
from shared.templates import upper_first

_ROUTING_CHANGES = frozenset(c.value for c in RoutingChange)
_LEGACY_REASON = " Lý do: "  # how entries stored before the split carried the staff's reason
_FOLLOWUP_HEAD = "Thực hiện kết luận: "  # intake's history entry of a follow-up change (status.py)
_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# A conclusion's follow-up settled when it opens (revision 0): the Secretary closed it at the meeting.
AT_MEETING = {
    FollowUpStatus.RESOLVED: "Đã trả lời, kết thúc tại hội nghị đối thoại",
    FollowUpStatus.REJECTED: "Đã giải thích tại hội nghị đối thoại, không đặt ra việc giải quyết",
}


def past_due(doc: dict[str, Any], today: date | None) -> bool:
    """The item's follow-up is open after its due date on `today`, the commune's day (None: not
    known): the rule the staff board marks "Quá hạn" by (`FollowUpStatus.overdue`), so residents
    read the same ("Đang giải quyết – quá hạn"). A follow-up settled at the meeting has no due date
    to miss."""
    if today is None or not doc.get("followup_due") or settled_at_meeting(doc):
        return False
    try:
        status = FollowUpStatus(str(doc.get("followup_status") or ""))
        due = date.fromisoformat(str(doc["followup_due"]))
    except ValueError:
        return False
    return status.overdue(due, today)


def follow_up_closed(doc: dict[str, Any]) -> bool:
    """The item's conclusion is carried out or closed: resolved or rejected, at the meeting
    (`settled_at_meeting`) or after it."""
    try:
        return FollowUpStatus(str(doc.get("followup_status") or "")).closed
    except ValueError:
        return False


def settled_at_meeting(doc: dict[str, Any]) -> bool:
    """The item's follow-up opened settled (revision 0, as the event said): the Secretary answered
    or explained it at the meeting; it has no deadline to show."""
    try:
        status = FollowUpStatus(str(doc.get("followup_status") or ""))
    except ValueError:
        return False
    return status in AT_MEETING and doc.get("followup_revision") == 0


def vn_dates(text: str) -> str:
    """ISO days another service wrote into a note ("hạn 2027-01-14") as people read them
    ("hạn 14/01/2027")."""
    return _ISO_DAY.sub(lambda m: f"{m.group(3)}/{m.group(2)}/{m.group(1)}", text)


def headline(doc: dict[str, Any], today: date | None = None) -> tuple[str, str]:
    """(stage key, Vietnamese label): a concluded follow-up beats one under way, which beats a
    prepared answer, which beats the submission's own status. A follow-up settled from the start
    (revision 0) is an issue the Secretary answered or explained at the meeting (`AT_MEETING`);
    one under way past its due date on `today` says so (`past_due`)."""
    followup = doc.get("followup_status")
    if followup:
        try:
            known = FollowUpStatus(followup)
        except ValueError:
            known = None
        if known is not None and known.closed:
            if settled_at_meeting(doc):
                return f"followup_{known.value}", AT_MEETING[known]
            return f"followup_{known.value}", upper_first(follow_up_wording(known.value))
        return f"followup_{followup}", f"Đang thực hiện kết luận ({follow_up_wording_on(doc, today)})"
    if doc.get("answer"):
        return "answered", "Đã có nội dung trả lời"
    status = doc.get("status", "")
    return status, SubmissionStatus.label_of(status)


def follow_up_wording_on(doc: dict[str, Any], today: date | None) -> str:
    """The item's follow-up status for the middle of a sentence (`follow_up_wording`), with
    "– quá hạn" when it is past its due date on `today` (`past_due`)."""
    wording = follow_up_wording(str(doc.get("followup_status") or ""))
    return overdue_vi(wording) if past_due(doc, today) else wording


def topic_tentative(doc: dict[str, Any]) -> bool:
    """The topic is only routing's own first decision: no staff change (revision 0), no prepared
    answer, no conclusion's follow-up yet, so the resident reads it as not final."""
    if doc.get("topic") is None or doc.get("answer") or doc.get("followup_status"):
        return False
    return int(doc.get("routing_revision") or 0) <= 0


def era_named(text: str | None, offices: Mapping[str, str]) -> str:
    """`text` with each office name of `offices` (as routing or follow-up stored it) replaced by
    the title the dialogue's documents print (reporting's `offices`), whole names only, the
    longest first and in one pass (a title written in is not read again). The naming itself is
    reporting's (`handlers.open_data.EraNames`); this only applies it to what intake stored."""
    if not text or not offices:
        return text or ""
    names = sorted(offices, key=len, reverse=True)
    pattern = "|".join(re.escape(n) for n in names)
    return re.sub(rf"(?<!\w)(?:{pattern})(?!\w)", lambda m: offices[m.group()], text)


def resident_note(
    entry: dict[str, Any], offices: Mapping[str, str] | None = None, acting: Mapping[str, str] | None = None
) -> str:
    """A history entry as the resident reads it: never a staff reason, even in older entries,
    no personal data, and offices named as the dialogue's documents do (`era_named`). A follow-up
    entry names who acts as the issued notice does (`status.follow_up_note` with the event's
    `responsible_body`, kept as `office`); an older entry (no `office`) named the task's office,
    so `acting` maps that office -> who the notice says acts (the higher-level body a
    recommendation goes to, where the task is the Văn phòng Đảng ủy's) in its head
    ("Thực hiện kết luận: … (<office>)"), never in the note after it."""
    note = str(entry.get("note_vi", ""))
    legacy = entry.get("status") in _ROUTING_CHANGES and "staff_note_vi" not in entry
    if legacy and _LEGACY_REASON in note:
        note = note.split(_LEGACY_REASON, 1)[0]
    older = "office" not in entry and str(entry.get("status") or "").startswith("followup_")
    if acting and older and note.startswith(_FOLLOWUP_HEAD):
        for office, body in acting.items():
            head, found, rest = note.partition(f"({office})")
            if found and "(" not in head:  # the head's own parenthesis, the first one
                note = f"{head}({body}){rest}"
                break
    return tracked_text(era_named(vn_dates(note), offices or {}))


def tracked_text(text: str | None) -> str:
    """A text shown by tracking code (the resident's own, an answer, a result): as written, with
    phone numbers, e-mail addresses, ID numbers, house numbers and names masked ("" for none)."""
    return mask_personal_data(text)
