"""What every dialogue document needs, independent of its format (HTML, PDF, DOCX).

Party documents follow HD 36-HD/VPTW (2018); see ``DOMAIN.md`` §2. Element order, shared by
every kind and printed by the one base layout:

1. header, two columns: left ``ĐẢNG BỘ TỈNH …`` / ``ĐẢNG ỦY XÃ …`` (bold) / ``*`` / number;
   right ``ĐẢNG CỘNG SẢN VIỆT NAM`` (bold, ruled) / italic date line;
2. number without colon, ``Số 05-TB/ĐU``: numbered from 01 per type code per committee term,
   so the caller (the Party office's register) passes it; ``None`` = a draft, printed
   ``Số    -TB/ĐU`` with a "DỰ THẢO" mark;
3. type in bold capitals and the subject line (a letter, ``CV``, has no type line: its
   ``V/v …`` line sits under the number and ``Kính gửi:`` opens the body);
4. body; 5. signature block (right; the minutes also sign THƯ KÝ on the left);
6. ``Nơi nhận:`` (underlined) ending ``- Lưu Văn phòng Đảng ủy.``

Type codes (decisions; each kind declares its own in ``documents/kinds/<kind>.py``):
- ``giay-moi`` GM: practice, not in HD 36's core list, so ``options={"numbered": False}``
  prints no number line at all.
- ``bao-cao-tong-hop`` BC, ``bien-ban`` BB, ``thong-bao-ket-luan`` TB.
- ``kien-nghi-cap-tren`` CV: a letter (công văn) to the province with a ``V/v …`` line.
- ``thong-bao-truyen-thanh`` TB: the announcement handed to the commune radio is a formal
  THÔNG BÁO of the Standing Committee, numbered in the same TB series as the conclusion notice
  (one register per code); ``{"numbered": False}`` makes it unnumbered as well.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from functools import cached_property

from shared.contracts import DocumentKind, FollowUpStatus
from shared.templates import date_line, vn_date
from shared.text import fold

# The kinds' slugs, in the plan's order; each kind's declaration is in `documents/kinds/`.
KINDS: tuple[str, ...] = tuple(kind.value for kind in DocumentKind)
FORMATS = ("html", "pdf", "docx")
PARTY_OFFICE_FILE_LINE = "Lưu Văn phòng Đảng ủy."
DRAFT_NUMBER_GAP = "   "  # "Số    -TB/ĐU" (four spaces after Số): room for the number written in by hand


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith((".", "!", "?", "…")) else text + "."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# The verb phrase the documents' own wording puts before a settled conclusion of each kind, which
# clerks naturally type to open it too ("Đã trả lời…", "Kiến nghị Sở…", "Không đặt ra việc giải
# quyết…"), folded (`shared.text.fold`). For no_action it opens the reason. "Giao" before an
# assigned conclusion has its own rule (`assignee.assigned_task`): the office is printed in between.
LEADS: Mapping[str, tuple[str, ...]] = {
    "answered": ("da tra loi", "da duoc tra loi"),
    "recommended": ("kien nghi",),
    "no_action": ("khong dat ra viec giai quyet",),
}


def opens_with_lead(text: str, kind: str) -> bool:
    """Whether `text` opens with the verb phrase the documents print before a conclusion of `kind`,
    as whole words, whatever its case, diacritics or Unicode form ("da tra loi", "ĐÃ TRẢ LỜI")."""
    folded = fold(text) + " "
    return any(folded.startswith(lead + " ") for lead in LEADS.get(kind, ()))


class UnknownKind(ValueError):
    pass


class UnknownFormat(ValueError):
    pass


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise UnknownKind(f"unknown document kind {kind!r}; expected one of: {', '.join(KINDS)}")
    return kind


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise UnknownFormat(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    return fmt


# --- inputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answer given at the meeting to an intervention, by whom."""

    by: str
    text: str


@dataclass(frozen=True)
class Speech:
    """One speaker at the meeting, in speaking order, and the answer given there (`answers`: each
    answer of the meeting record, in order; `answer`/`answered_by`: a single one)."""

    name: str
    hamlet: str
    issue: str
    answer: str = ""
    answered_by: str = ""
    organisation: str = ""
    answers: tuple[Answer, ...] = ()
    repeat_mark: str = ""  # the linked issue's mark when it was raised before (`Issue.repeat_mark`)

    @property
    def where(self) -> str:
        """``ấp Chợ, Hội Nông dân``: the hamlet and organisation the speaker spoke for."""
        return ", ".join(x for x in (self.hamlet, self.organisation) if x)


@dataclass(frozen=True)
class MinutesInput:
    """What the minute-taker (thư ký) records; the rest of the minutes comes from the plan."""

    started_at: time
    ended_at: time
    chair: str  # "Nguyễn Văn A, Bí thư Đảng ủy xã"
    secretary: str  # "Trần Thị B, cán bộ Văn phòng Đảng ủy"
    attendance: int
    attendance_by_hamlet: Mapping[str, int] = field(default_factory=dict)
    delegates_present: tuple[str, ...] = ()
    speeches: tuple[Speech, ...] = ()
    conclusion: tuple[str, ...] = ()  # the Secretary's concluding remarks, paragraph by paragraph
    meeting_date: date | None = None  # default: the plan's date
    venue: str | None = None  # default: the plan's venue

    @property
    def chair_name(self) -> str:
        return self.chair.split(",")[0].strip()

    @property
    def secretary_name(self) -> str:
        return self.secretary.split(",")[0].strip()


# --- parts --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureBlock:
    """``T/M BAN THƯỜNG VỤ`` / ``BÍ THƯ`` / name; K/T (``K/T BÍ THƯ`` / ``PHÓ BÍ THƯ``) and T/L
    (``T/L BAN THƯỜNG VỤ`` / ``CHÁNH VĂN PHÒNG``) print the same way. ``authority`` is empty
    for the minutes' THƯ KÝ and CHỦ TRÌ HỘI NGHỊ."""

    authority: str
    title: str
    name: str = ""
    source: str = ""  # where the name comes from ("office_holders.secretary"); "" = no name is signed

    @property
    def unsigned(self) -> bool:
        """A block that must carry a full name and has none: the document cannot be issued."""
        return bool(self.source) and not self.name.strip()


# How an earlier round's follow-up stands, as the documents say it (`Earlier.outcome`).
_OUTCOMES = {
    FollowUpStatus.RESOLVED: "đã giải quyết xong",
    FollowUpStatus.REJECTED: "không giải quyết",
    FollowUpStatus.AWAITING_HIGHER_LEVEL: "đang chờ cấp trên giải quyết",
}
# Still the office's to settle: overdue once past its due date.
_OPEN = frozenset(
    s.value for s in FollowUpStatus if not s.closed and s is not FollowUpStatus.AWAITING_HIGHER_LEVEL
)


def _quoted(text: str) -> str:
    """``“text”`` without the full stop a sentence ends with (the sentence around it has its own)."""
    return f"“{text.strip().rstrip('.')}”"


@dataclass(frozen=True)
class Earlier:
    """The issue raised in an earlier round (dialogue of `year`): the text then, the answer
    recorded with it (the repeat finder's snapshot), and when that round's conclusion was followed
    up (`raised.with_earlier_followup`): the conclusion, the office, the follow-up's status and
    due date, read as of `as_of` (the document's issue date: overdue or not)."""

    year: int
    text: str
    answer: str | None
    conclusion: str = ""
    office: str = ""
    status: str = ""  # FollowUpStatus value; "" = no follow-up known for that round
    due: date | None = None
    as_of: date | None = None

    @property
    def answer_stop(self) -> str:
        """The full stop after the quoted answer, unless it already ends a sentence (no ``.”.``)."""
        return "" if (self.answer or "").rstrip().endswith((".", "!", "?", "…")) else "."

    @property
    def overdue(self) -> bool:
        return (
            self.status in _OPEN and self.due is not None and self.as_of is not None and self.due < self.as_of
        )

    @property
    def outcome(self) -> str:
        """``đã giải quyết xong``, ``quá hạn (hạn 22/05/2016), chưa giải quyết xong``, ``đang giải
        quyết, hạn 22/05/2017``, ``không giải quyết``, ``đang chờ cấp trên giải quyết``; "" without
        a follow-up. (Its details stay on the follow-up board.)"""
        if not self.status:
            return ""
        due = f"hạn {vn_date(self.due)}" if self.due else ""
        if self.overdue:
            return f"quá hạn ({due}), chưa giải quyết xong"
        if self.status in _OPEN:
            return f"đang giải quyết{', ' + due if due else ''}"
        return _OUTCOMES.get(FollowUpStatus(self.status), self.status)

    @property
    def line(self) -> str:
        """The round as a document prints it after the issue: its conclusion and how its follow-up
        ended (``Đợt năm 2016: kết luận “…”; kết quả: quá hạn (hạn 22/05/2016), chưa giải quyết
        xong.``); a round without a follow-up gives the answer then and says so; "" when nothing
        is on record."""
        if self.status:
            said = (
                f"kết luận {_quoted(self.conclusion)}"
                if self.conclusion.strip()
                else f"giao {self.office or 'cơ quan chuyên môn'} giải quyết"
            )
            return f"Đợt năm {self.year}: {said}; kết quả: {self.outcome}."
        if self.answer and self.answer.strip():
            return f"Đợt năm {self.year}: đã trả lời {_quoted(self.answer)}; chưa có kết quả theo dõi."
        return ""


@dataclass(frozen=True)
class Issue:
    """One issue: submissions of this dialogue raising the same thing are merged into one."""

    number: int
    topic: int
    topic_name: str
    text: str  # the first submission's text, as written
    hamlet: str  # "ấp Chợ" or "ấp Chợ, ấp Căn Cứ" or "Toàn xã"
    submitters: str  # "Chi ủy chi bộ ấp; Người dân"
    office: str
    coordinating: tuple[str, ...]
    authority_level: str  # commune | province | central
    authority: str  # printed: "Cấp xã", "Cấp tỉnh (Sở Xây dựng)"
    authority_body: str | None
    count: int  # submissions merged into this issue in this dialogue
    times_raised: int  # this dialogue's petitions plus earlier years' mentions (`raised.times_raised`)
    years_raised: tuple[int, ...]
    long_running: bool  # carried over from earlier years ("kéo dài")
    earlier: tuple[Earlier, ...]
    needs_review: bool
    key: str = ""  # the meeting record's issue key (cluster id, else submission id)
    conclusion: str = ""  # the Secretary's conclusion as recorded ("" = none: the default sentence)
    conclusion_kind: str = ""  # ConclusionKind
    reason: str = ""  # why no action is needed (no_action)
    deadline: date | None = None
    deadline_working_days: int | None = None
    other_texts: tuple[str, ...] = ()  # the merged submissions' other wordings
    prepared_answer: str = ""  # what the responsible office prepared to answer (staff-typed)
    earlier_years: tuple[int, ...] = ()  # years before this dialogue's in which it was raised
    # An assigned conclusion's task as printed after "Giao <office> chủ trì…:" (`assignee`), and
    # the body its text named instead of the assigned office ("" when none, or the same one).
    task: str = ""
    task_named: str = ""

    @property
    def conclusion_line(self) -> str:
        return _sentence(self.conclusion)

    @property
    def task_line(self) -> str:
        """The assigned conclusion's task as one sentence (the conclusion as typed when no task)."""
        return _sentence(self.task or self.conclusion)

    @property
    def reason_line(self) -> str:
        return _sentence(self.reason)

    @property
    def lead_said(self) -> bool:
        """The Secretary's text (the reason, for no_action) opens with the verb phrase the documents'
        own wording puts before it (`LEADS`), so the documents print it in place of that wording
        instead of saying it twice ("Đã được trả lời tại hội nghị: Đã trả lời…")."""
        said = self.reason if self.conclusion_kind == "no_action" else self.conclusion
        return opens_with_lead(said, self.conclusion_kind)

    @property
    def answered_line(self) -> str:
        """The notice's sentence on an issue answered at the meeting: ``Đã được trả lời tại hội
        nghị: <conclusion>.``, or the conclusion alone when it says so itself."""
        if self.lead_said:
            return _capital(self.conclusion_line)
        lead = "Đã được trả lời tại hội nghị"
        return f"{lead}: {self.conclusion_line}" if self.conclusion.strip() else f"{lead}."

    @property
    def no_action_line(self) -> str:
        """The notice's sentence on an issue explained at the meeting: ``Không đặt ra việc giải
        quyết: <reason>.``, or the reason alone when it says so itself."""
        if self.lead_said:
            return _capital(self.reason_line)
        lead = "Không đặt ra việc giải quyết"
        return f"{lead}: {self.reason_line}" if self.reason.strip() else f"{lead}."

    @property
    def explained_line(self) -> str:
        """The notice's sentence on an issue explained with nothing to act on: the Secretary's own
        words first, then why nothing is to be settled (`no_action_line`)."""
        if self.conclusion.strip():
            return f"{_capital(self.conclusion_line)} {self.no_action_line}"
        return self.no_action_line

    @property
    def deadline_phrase(self) -> str:
        """``30 ngày làm việc (chậm nhất ngày 19/05/2017)``, or ``đến ngày 30/06/2017``."""
        if self.deadline is None:
            return ""
        if self.deadline_working_days:
            return f"{self.deadline_working_days} ngày làm việc (chậm nhất ngày {vn_date(self.deadline)})"
        return f"đến ngày {vn_date(self.deadline)}"

    @property
    def repeated(self) -> bool:
        """Raised more than once: in earlier rounds, or several times in this one."""
        return self.long_running or self.times_raised > 1

    @property
    def repeat_mark(self) -> str:
        """What the documents print first, in bold, on a repeated issue: ``Nêu 3 lần, kéo dài từ
        năm 2015`` or ``Nêu 2 lần``; "" for an issue raised once."""
        if not self.repeated:
            return ""
        since = min(self.earlier_years or self.years_raised or (0,))
        head = f"Nêu {self.times_raised} lần" if self.times_raised > 1 else "Đã nêu"
        return f"{head}, kéo dài từ năm {since}" if self.long_running and since else head

    @property
    def earlier_lines(self) -> tuple[str, ...]:
        """Each earlier round's conclusion and outcome (`Earlier.line`), oldest first."""
        return tuple(line for e in self.earlier if (line := e.line))

    @property
    def merged_note(self) -> str:
        """``(5 lần)``: how many times the issue was raised (`raised.times_raised`, the count the
        follow-up board and open data show), once it was raised more than once. The built-in
        templates print `repeat_mark` instead; kept for a commune's own templates."""
        return f"({self.times_raised} lần)" if self.times_raised > 1 else ""

    @property
    def office_cell(self) -> str:
        """The office as a narrow table column prints it: each part between dashes of at most
        16 characters held on one line (no "Phòng Kinh / tế"); longer names still wrap."""
        parts = [p.strip() for p in self.office.split(" - ")]
        return " - ".join(p.replace(" ", "\u00a0") if len(p) <= 16 else p for p in parts)

    @property
    def residents(self) -> str:
        """``nhân dân ấp Chợ``, ``nhân dân toàn xã``: the hamlets as they read inside a sentence."""
        parts = [p.strip() for p in self.hamlet.split(",")]
        return "nhân dân " + ", ".join("t" + p[1:] if p.startswith("Toàn ") else p for p in parts)

    @property
    def stop(self) -> str:
        """The full stop after the quoted text, unless the text already ends a sentence."""
        return "" if self.text.rstrip().endswith((".", "!", "?", "…")) else "."

    @property
    def years_note(self) -> str:
        """``kéo dài, đã nêu các năm 2015, 2016`` for an issue carried over from earlier years."""
        if not self.long_running:
            return ""
        years = list(self.earlier_years)
        if not years:
            return "kéo dài"
        # one year: "đã nêu năm 2016"; several: "đã nêu các năm 2015, 2016"
        return f"kéo dài, đã nêu {'các năm' if len(years) > 1 else 'năm'} {', '.join(map(str, years))}"


def repeated_sentence(issues: Sequence[Issue]) -> str:
    """``Trong đó có 03 vấn đề nhân dân đã nêu nhiều lần (02 vấn đề kéo dài từ các năm trước):
    số 5, 7, 29; các vấn đề này được đánh dấu và xếp trước trong từng nội dung.`` ("" for none)."""
    if not issues:
        return ""
    carried = sum(1 for i in issues if i.long_running)
    numbers = ", ".join(str(i.number) for i in sorted(issues, key=lambda i: i.number))
    since = f" ({carried:02d} vấn đề kéo dài từ các năm trước)" if carried else ""
    return (
        f"Trong đó có {len(issues):02d} vấn đề nhân dân đã nêu nhiều lần{since}: số {numbers}; "
        "các vấn đề này được đánh dấu và xếp trước trong từng nội dung."
    )


@dataclass(frozen=True)
class TopicGroup:
    number: int  # 0 = khác
    heading: str  # "1. Xây dựng và thực hiện quy hoạch…" / "Khác"
    issues: tuple[Issue, ...]


@dataclass(frozen=True)
class CountRow:
    label: str
    count: int


@dataclass(frozen=True)
class DeadlineRow:
    body: str
    due: str  # as the plan prints it
    received: int
    on_time: int
    late: int
    # the Party office recorded the body's report as received (the plan's duty marked done), its
    # note ("" without one); None: not recorded. A report on paper counts though no item came in.
    recorded: str | None = None

    @property
    def status(self) -> str:
        if not self.received:
            if self.recorded is not None:
                return f"Đã gửi ({self.recorded})" if self.recorded else "Đã gửi"
            return "Chưa gửi"
        return "Đúng hạn" if not self.late else f"Trễ hạn ({self.late})"


@dataclass(frozen=True)
class Chart:
    """A chart drawn on first use in each format, once: the HTML and the PDF need only the SVG,
    the DOCX only the PNG. `draw` is pure (the same chart always draws the same bytes)."""

    name: str
    title: str
    draw: Callable[[str], bytes] = field(repr=False, compare=False)  # "png" | "svg" -> bytes

    @cached_property
    def png(self) -> bytes:  # for the DOCX
        return self.draw("png")

    @cached_property
    def svg(self) -> bytes:  # vector, for the HTML and PDF
        return self.draw("svg")

    @property
    def data_uri(self) -> str:
        if self.svg:
            return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class InvitationPart:
    invitees: tuple[str, ...]
    when: str  # "07 giờ 30, thứ Bảy, ngày 25/03/2017"
    venue: str
    content: tuple[str, ...]
    closing: str


@dataclass(frozen=True)
class ReportPart:
    total_items: int
    total_issues: int
    pending: int
    by_source: tuple[CountRow, ...]
    by_kind: tuple[CountRow, ...]
    by_hamlet: tuple[CountRow, ...]
    by_topic: tuple[CountRow, ...]
    groups: tuple[TopicGroup, ...]
    above: tuple[Issue, ...]
    long_running: tuple[Issue, ...]
    deadlines: tuple[DeadlineRow, ...]
    proposals: tuple[str, ...]
    repeated: tuple[Issue, ...] = ()  # raised in earlier rounds or several times in this one
    # of `total_issues`, those only carried over from earlier dialogues (no item of this one)
    carried_issues: int = 0

    @property
    def new_issues(self) -> int:
        """The issues this dialogue's items are about (`total_items` merged)."""
        return self.total_issues - self.carried_issues

    @property
    def repeated_note(self) -> str:
        """The sentence that sends a reader to the repeated issues first (`repeated_sentence`)."""
        return repeated_sentence(self.repeated)


@dataclass(frozen=True)
class MinutesPart:
    opening: str  # "Vào lúc 07 giờ 30, thứ Bảy, ngày 25/03/2017, tại …"
    chair: str
    secretary: str
    attendance: str
    delegates: tuple[str, ...]
    agenda: tuple[str, ...]
    speeches: tuple[Speech, ...]
    conclusion: tuple[str, ...]
    closing: str  # "Hội nghị kết thúc vào lúc 11 giờ 15 cùng ngày…"
    attendance_lines: tuple[str, ...] = ()  # per hamlet against its minimum (meeting record)
    # what each list under `attendance` counts (meeting record): residents by hamlet, delegates
    residents_heading: str = ""
    delegates_heading: str = ""


@dataclass(frozen=True)
class NoticePart:
    groups: tuple[TopicGroup, ...]
    escalations: tuple[Issue, ...]
    conclusion_due: date
    follow_up: tuple[str, ...]
    closed: tuple[Issue, ...] = ()  # answered and closed, or explained, at the meeting (record)

    @property
    def implementation_number(self) -> str:
        """The section "Tổ chức thực hiện" follows the answered issues' section when there is one."""
        return "IV" if self.closed else "III"

    @property
    def conclusions(self) -> tuple[Issue, ...]:
        return tuple(i for g in self.groups for i in g.issues)


@dataclass(frozen=True)
class BodyGroup:
    body: str
    issues: tuple[Issue, ...]


@dataclass(frozen=True)
class EscalationPart:
    groups: tuple[BodyGroup, ...]
    closing: tuple[str, ...]


@dataclass(frozen=True)
class RadioPart:
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class DocumentData:
    kind: str
    code: str  # TB, BC, BB, GM, CV
    province_line: str  # "ĐẢNG BỘ TỈNH ĐỒNG THÁP"
    committee_line: str  # "ĐẢNG ỦY XÃ TÂN PHƯỚC"
    number: int | None  # None = draft
    numbered: bool  # False: no number line at all (optional GM, unnumbered announcement)
    issued_on: date
    place: str
    type_title: str | None  # "THÔNG BÁO"; None for a letter (CV)
    subject: str  # the subject line; for a letter the text after "V/v "
    addressees: tuple[str, ...]  # "Kính gửi:" lines (letter, report)
    intro: tuple[str, ...]
    closing: tuple[str, ...]
    signature: SignatureBlock  # right
    left_signature: SignatureBlock | None  # the minutes' THƯ KÝ
    recipients: tuple[str, ...]  # each printed "- …"; the last is "Lưu Văn phòng Đảng ủy."
    charts: tuple[Chart, ...] = ()
    issuer: str = ""  # "Đảng ủy xã Tân Phước": the file's author (DOCX and PDF properties)
    invitation: InvitationPart | None = None
    report: ReportPart | None = None
    minutes: MinutesPart | None = None
    notice: NoticePart | None = None
    escalation: EscalationPart | None = None
    radio: RadioPart | None = None
    # The day the date line prints when it is not the day of issue: the minutes are written and
    # adopted at the meeting, so they are dated the meeting's day whenever the file is issued.
    dated_on: date | None = None

    @property
    def draft(self) -> bool:
        return self.number is None

    @property
    def number_line(self) -> str | None:
        """``Số 05-TB/ĐU`` (no colon, two digits at least), ``Số    -TB/ĐU`` for a draft."""
        if not self.numbered:
            return None
        digits = f"{self.number:02d}" if self.number is not None else DRAFT_NUMBER_GAP
        return f"Số {digits}-{self.code}/ĐU"

    @property
    def full_title(self) -> str:
        """``THÔNG BÁO Kết luận …``, or a letter's ``V/v …`` line: the file's title property."""
        return f"{self.type_title} {self.subject}" if self.type_title else f"V/v {self.subject}"

    @property
    def vv_line(self) -> str | None:
        return f"V/v {self.subject}" if self.type_title is None else None

    @property
    def date_line(self) -> str:
        return date_line(self.place, self.dated_on or self.issued_on)

    @property
    def title(self) -> str:
        """The document's title as a reader finds it: type line, or the V/v line of a letter."""
        return self.type_title or f"V/v {self.subject}"

    @property
    def unsigned(self) -> tuple[SignatureBlock, ...]:
        """The signature blocks still without the signer's full name (right first)."""
        return tuple(b for b in (self.signature, self.left_signature) if b is not None and b.unsigned)

    @property
    def recipient_lines(self) -> tuple[str, ...]:
        return tuple(f"- {r}" for r in self.recipients)
