"""The closed sets every service speaks of, each value with the Vietnamese label people read.

A member is its wire value (a `str`), so stored documents, events and JSON keep the plain
strings they always had; `member.label_vi` is what a page, an e-mail or a document prints.
Labels that depend on the place they are printed in (a document's wording, a page's hint) stay
with that place; the name of the thing itself is defined here once.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Self

from shared.text import fold


class LabelledEnum(StrEnum):
    """A `StrEnum` whose members are declared as `NAME = "value", "nhãn tiếng Việt"`."""

    label_vi: str

    def __new__(cls, value: str, label_vi: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label_vi = label_vi or value
        return member

    @classmethod
    def labels_vi(cls) -> dict[str, str]:
        """value -> label, in declaration order (for templates and select boxes)."""
        return {member.value: member.label_vi for member in cls}

    @classmethod
    def label_of(cls, value: str | None, default: str = "") -> str:
        """The label of a stored value; `default` (or the value itself) for one no longer known."""
        if value is None:
            return default
        try:
            return cls(value).label_vi
        except ValueError:
            return default or str(value or "")


class Source(LabelledEnum):
    """Who sent a submission (the plan's senders)."""

    CITIZEN = "citizen", "Người dân"
    HAMLET_PARTY_CELL = "hamlet_party_cell", "Chi ủy chi bộ ấp"
    FATHERLAND_FRONT = "fatherland_front", "Ủy ban MTTQ xã"
    MASS_ORGANISATION = "mass_organisation", "Đoàn thể xã"
    PEOPLES_COMMITTEE = "peoples_committee", "UBND xã"
    AT_MEETING = "at_meeting", "Ý kiến tại hội nghị đối thoại"


class Organisation(LabelledEnum):
    """The plan's mass organisations (đoàn thể), when the source is one of them."""

    WOMENS_UNION = "womens_union", "Hội Liên hiệp Phụ nữ xã"
    FARMERS_UNION = "farmers_union", "Hội Nông dân xã"
    VETERANS_ASSOCIATION = "veterans_association", "Hội Cựu chiến binh xã"
    YOUTH_UNION = "youth_union", "Đoàn Thanh niên xã"


class Kind(LabelledEnum):
    OPINION = "opinion", "Ý kiến"
    PETITION = "petition", "Kiến nghị"
    COMPLAINT = "complaint", "Phản ánh"


class AuthorityLevel(LabelledEnum):
    """Whose authority an issue falls under (after the 2025 two-level reform)."""

    COMMUNE = "commune", "Cấp xã"
    DISTRICT = "district", "Cấp huyện"  # before 1 July 2025 only: routing never emits it
    PROVINCE = "province", "Cấp tỉnh"
    CENTRAL = "central", "Trung ương"


class SubmissionStatus(LabelledEnum):
    """Where a submission stands on its way to the office that prepares the answer."""

    RECEIVED = "received", "Đã tiếp nhận"
    ROUTED = "routed", "Đã phân loại và giao cơ quan chuẩn bị trả lời"
    OFFICE_NOTIFIED = "office_notified", "Đã thông báo cho cơ quan chuẩn bị trả lời"
    NOTIFICATION_FAILED = "notification_failed", "Chưa gửi được thông báo cho cơ quan (đang xử lý)"

    @property
    def rank(self) -> int | None:
        """Statuses only move forward by rank; a failed notification is history only."""
        return _SUBMISSION_RANKS.get(self)


_SUBMISSION_RANKS = {
    SubmissionStatus.RECEIVED: 1,
    SubmissionStatus.ROUTED: 2,
    SubmissionStatus.OFFICE_NOTIFIED: 3,
}


class RoutingChange(LabelledEnum):
    """A change staff made to an automatic routing decision (a new revision of it)."""

    RECLASSIFIED = "reclassified", "Phân loại lại"
    REASSIGNED = "reassigned", "Giao lại cơ quan"
    CONFIRMED = "confirmed", "Xác nhận phân loại"
    MERGED = "merged", "Gộp với ý kiến trùng"
    SPLIT = "split", "Tách khỏi nhóm ý kiến trùng"
    ANSWERED = "answered", "Chuẩn bị nội dung trả lời"


class PlanStatus(LabelledEnum):
    """A dialogue plan's life (kế hoạch đối thoại)."""

    DRAFT = "draft", "Dự thảo"
    COLLECTING = "collecting", "Đang tiếp nhận ý kiến"
    CLASSIFIED = "classified", "Đã tổng hợp, phân loại"
    INVITED = "invited", "Đã mời đại biểu"
    HELD = "held", "Đã tổ chức đối thoại"
    CONCLUDED = "concluded", "Đã ban hành kết luận"
    CLOSED = "closed", "Đã kết thúc"
    CANCELLED = "cancelled", "Đã hủy"


class FollowUpStatus(LabelledEnum):
    """Where the follow-up of one conclusion stands."""

    ASSIGNED = "assigned", "Đã giao"
    IN_PROGRESS = "in_progress", "Đang giải quyết"
    RESOLVED = "resolved", "Đã giải quyết"
    ESCALATED = "escalated", "Đã báo cáo Ban Thường vụ (quá hạn)"
    AWAITING_HIGHER_LEVEL = "awaiting_higher_level", "Chờ cấp trên giải quyết"
    REJECTED = "rejected", "Không giải quyết (có lý do)"

    @property
    def closed(self) -> bool:
        return self in (FollowUpStatus.RESOLVED, FollowUpStatus.REJECTED)

    @property
    def needs_reason(self) -> bool:
        """Moving a task here takes a written reason, kept in the task's history."""
        return self is FollowUpStatus.REJECTED

    def overdue(self, due: date, today: date) -> bool:
        """Still open after its due date on `today` (the commune's day): the staff board marks the
        task "Quá hạn", and residents read it too (`overdue_vi`)."""
        return not self.closed and due < today


OVERDUE_VI = "quá hạn"


def overdue_vi(wording: str) -> str:
    """A follow-up status's wording as residents read it past the due date: "Đang giải quyết –
    quá hạn"; a wording that says so already (escalated: "… (quá hạn)") is kept as it is."""
    return wording if OVERDUE_VI in wording.lower() else f"{wording} – {OVERDUE_VI}"


class ConclusionKind(LabelledEnum):
    """What the Secretary concluded on one issue at the dialogue."""

    ANSWERED = "answered", "Đã trả lời, kết thúc tại hội nghị"
    ASSIGNED = "assigned", "Giao cơ quan giải quyết"
    RECOMMENDED = "recommended", "Kiến nghị cấp trên"
    NO_ACTION = "no_action", "Giải thích, không cần giải quyết"

    @property
    def needs_action(self) -> bool:
        """A follow-up task opens for it when the conclusion notice is issued."""
        return self in (ConclusionKind.ASSIGNED, ConclusionKind.RECOMMENDED)

    def told(self, said: str) -> str:
        """The outcome as a resident is told it: the kind's label, then what was said, or what was
        said alone when it opens with the label's own verb ("Đã trả lời: …" after "Đã trả lời,
        kết thúc tại hội nghị" would say it twice)."""
        said = said.strip()
        verb = fold(self.label_vi.split(",")[0])
        if said and (fold(said) + " ").startswith(verb + " "):
            return said
        return ": ".join(part for part in (self.label_vi, said) if part)


class DocumentKind(LabelledEnum):
    """The documents the plan requires, by their stable URL slug."""

    INVITATION = "giay-moi", "Giấy mời dự buổi đối thoại"
    SUMMARY_REPORT = "bao-cao-tong-hop", "Báo cáo tổng hợp ý kiến, kiến nghị"
    MINUTES = "bien-ban", "Biên bản buổi đối thoại"
    CONCLUSION_NOTICE = "thong-bao-ket-luan", "Thông báo kết luận"
    RECOMMENDATION = "kien-nghi-cap-tren", "Công văn kiến nghị cấp trên"
    RADIO_ANNOUNCEMENT = "thong-bao-truyen-thanh", "Thông báo trên hệ thống truyền thanh"
