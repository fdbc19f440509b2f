"""What a document kind declares: its slug, number code, type line, templates, the options it
reads, the default "Nơi nhận" lines, who signs it, and the builder of its body from the plan and
the items.

Who signs (seed IV.3, HD 36-HD/VPTW): the Standing Committee's documents (invitation,
conclusion notice, recommendation letter) T/M BAN THƯỜNG VỤ / BÍ THƯ and the Secretary's name;
the summary report is the Party office's report to the Thường trực, VĂN PHÒNG ĐẢNG ỦY /
CHÁNH VĂN PHÒNG; the minutes THƯ KÝ (left) and CHỦ TRÌ HỘI NGHỊ (right) with the names of the
meeting record; the radio script is spoken by the commune station and carries no Party
signature. A block whose name must come from the commune's office holders or the meeting record
names that source, so issuing can refuse a document still without it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from services.reporting.documents.common import party_signature
from services.reporting.documents.model import Chart, MinutesInput, SignatureBlock
from shared.contracts import DocumentKind
from shared.directory import Commune, Dialogue


@dataclass(frozen=True)
class BuildContext:
    """The inputs every builder may read (pure: no I/O, no clock)."""

    commune: Commune
    dialogue: Dialogue
    items: Sequence[Mapping[str, Any]]
    issued_on: date
    minutes: MinutesInput | None
    options: Mapping[str, Any]
    meeting: Mapping[str, Any] | None = None  # the meeting record, once staff recorded anything
    # the plan's duties the Party office recorded as done, by deadline key (intake's marks)
    duties_done: Mapping[str, Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class Body:
    """A kind's own part of the document; the layout (header, number, date, Nơi nhận) is common."""

    subject: str
    parts: Mapping[str, Any] = field(default_factory=dict)  # DocumentData's part: invitation=…
    intro: tuple[str, ...] = ()
    closing: tuple[str, ...] = ()
    addressees: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    signature: SignatureBlock | None = None  # replaces the commune's (the minutes' CHỦ TRÌ)
    left_signature: SignatureBlock | None = None  # the minutes' THƯ KÝ
    dated_on: date | None = None  # the day the date line prints, when not the day of issue


@dataclass(frozen=True)
class Signers:
    """The signature band: `right` (the committee's, or the chair's), `left` (the minutes' THƯ KÝ)."""

    right: SignatureBlock
    left: SignatureBlock | None = None


_HOLDER_OF_TITLE = {  # printed title -> the office holder whose name it signs
    "BÍ THƯ": "secretary",
    "PHÓ BÍ THƯ": "deputy_secretaries",
    "CHÁNH VĂN PHÒNG": "chief_of_office",
}


def office_holder(commune: Commune, title: str) -> tuple[str, str]:
    """(name, source) of the holder who signs under `title`; the Secretary for any other title."""
    holders = commune.office_holders
    role = _HOLDER_OF_TITLE.get(title, "secretary")
    if role == "deputy_secretaries":
        name = holders.deputy_secretaries[0] if holders.deputy_secretaries else ""
    elif role == "chief_of_office":
        name = holders.chief_of_office
    else:
        name = commune.secretary_name
    return name.strip(), f"office_holders.{role}"


def standing_committee(ctx: BuildContext) -> Signers:
    """T/M BAN THƯỜNG VỤ / BÍ THƯ (or the commune's K/T, T/L variant, or `options["signature"]`),
    the name from the office holders unless given."""
    block = party_signature(ctx.options.get("signature") or ctx.commune.signature)
    name, source = office_holder(ctx.commune, block.title)
    return Signers(replace(block, name=block.name or name, source=source))


def party_office(ctx: BuildContext) -> Signers:
    """The Party office's own report: VĂN PHÒNG ĐẢNG ỦY / CHÁNH VĂN PHÒNG and the chief's name."""
    if ctx.options.get("signature"):
        return standing_committee(ctx)
    name, source = office_holder(ctx.commune, "CHÁNH VĂN PHÒNG")
    return Signers(SignatureBlock("VĂN PHÒNG ĐẢNG ỦY", "CHÁNH VĂN PHÒNG", name, source))


def meeting(ctx: BuildContext) -> Signers:
    """CHỦ TRÌ HỘI NGHỊ (right) and THƯ KÝ (left), named by the meeting record; blank on the
    form printed before the meeting."""
    minutes = ctx.minutes
    return Signers(
        right=SignatureBlock("", "CHỦ TRÌ HỘI NGHỊ", minutes.chair_name if minutes else "", "meeting.chair"),
        left=SignatureBlock("", "THƯ KÝ", minutes.secretary_name if minutes else "", "meeting.minute_taker"),
    )


def radio_station(ctx: BuildContext) -> Signers:
    """The script is read by the commune radio: the station's line, no Party signature, no name."""
    return Signers(SignatureBlock("", f"ĐÀI TRUYỀN THANH {ctx.commune.display_name.upper()}"))


# Where a signer's name is entered, as the refusal to issue names it: (Vietnamese, English).
_IN_COMMUNE = " trong thông tin của xã (lãnh đạo Đảng ủy)"
_ON_MEETING_PAGE = " ở trang Hội nghị, mục “Thông tin hội nghị” (tên điền sẵn chỉ được tính khi đã bấm Lưu)"
# Where each signer's name comes from: what staff enter and where, in their words (the key is the
# API's field), and the same in English.
SIGNER_SOURCES: Mapping[str, tuple[str, str]] = {
    "office_holders.secretary": ("họ tên Bí thư Đảng ủy" + _IN_COMMUNE, "the Party Secretary's full name"),
    "office_holders.deputy_secretaries": (
        "họ tên Phó Bí thư Đảng ủy" + _IN_COMMUNE,
        "a Deputy Secretary's full name",
    ),
    "office_holders.chief_of_office": (
        "họ tên Chánh Văn phòng Đảng ủy" + _IN_COMMUNE,
        "the full name of the head of the Party office",
    ),
    "meeting.chair": ("họ tên người chủ trì hội nghị" + _ON_MEETING_PAGE, "the meeting chair's full name"),
    "meeting.minute_taker": ("họ tên thư ký hội nghị" + _ON_MEETING_PAGE, "the minute-taker's full name"),
}


def unsigned(
    spec: DocumentKindSpec,
    commune: Commune,
    dialogue: Dialogue,
    issued_on: date,
    minutes: MinutesInput | None,
) -> tuple[SignatureBlock, ...]:
    """The kind's signature blocks that would be printed without a full name (right first)."""
    signers = spec.signers(BuildContext(commune, dialogue, (), issued_on, minutes, {}))
    return tuple(b for b in (signers.right, signers.left) if b is not None and b.unsigned)


@dataclass(frozen=True)
class DocumentKindSpec:
    kind: DocumentKind
    code: str  # the register's type code: TB, BC, BB, GM, CV (HD 36-HD/VPTW)
    type_title: str | None  # "THÔNG BÁO"; None for a letter (CV), whose V/v line is its subject
    build: Callable[[BuildContext], Body]
    recipients: Callable[[Commune], Sequence[str]]  # default "Nơi nhận" lines before "Lưu …"
    options: frozenset[str] = frozenset()  # the build options this kind reads
    numbered_when_issued: bool = True  # False: issued without a number from the register
    opens_follow_up: bool = False  # issuing it opens one follow-up task per conclusion
    signers: Callable[[BuildContext], Signers] = standing_committee

    @property
    def html_template(self) -> str:
        return f"{self.kind.value}.html"

    @property
    def docx_template(self) -> str:
        return f"{self.kind.value}.docx"

    @property
    def templates(self) -> tuple[str, str]:
        return self.html_template, self.docx_template


def commune_recipients(commune: Commune) -> Sequence[str]:
    return list(commune.recipients)
