"""Request and response shapes of the intake API."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from services.intake.contacts import check_contact
from shared.contracts import Kind, Organisation, Source
from shared.http import BilingualError

TEXT_MAX = 5000  # characters after `clean_text`; the residents' form states it and counts to it
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Characters Unicode counts as letters (or symbols) that print nothing: the Hangul fillers and
# the blank braille pattern; a text of them looks empty.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def clean_text(value: Any) -> Any:
    """NFC at the boundary (macOS/iOS send NFD), line breaks as "\\n" (browsers send "\\r\\n",
    so a text counts the same in the form's counter and here), no control characters and no
    invisible formatting ones (zero-width spaces, byte-order marks, direction overrides: Unicode
    category Cf, which print nothing or reorder what prints; the letters that print blank), trimmed."""
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value).replace("\r\n", "\n"))
    return "".join(c for c in text if unicodedata.category(c) != "Cf" and c not in _BLANK_LETTERS).strip()


# A text must carry this many letters or digits: what is left once marks and punctuation are not
# counted is what a person reads (a text of accents or dots alone says nothing).
MIN_READABLE = 5


def readable(text: str) -> str:
    """`text` when it has `MIN_READABLE` letters or digits, else `BilingualError`."""
    if sum(1 for c in text if c.isalnum()) < MIN_READABLE:
        raise BilingualError(
            f"Nội dung cần có ít nhất {MIN_READABLE} chữ cái hoặc chữ số.",
            f"The text needs at least {MIN_READABLE} letters or digits.",
        )
    return text


class SubmissionIn(BaseModel):
    """Ý kiến, kiến nghị, phản ánh gửi tới buổi đối thoại."""

    model_config = ConfigDict(extra="forbid")

    source: Source = Field(
        description="Who sends it. A mass organisation may also be given directly as its own "
        "name (womens_union, farmers_union, veterans_association, youth_union). at_meeting (raised "
        "at the meeting) is sent only by the service keeping the meeting's record.",
        examples=["citizen"],
    )
    organisation: Organisation | None = Field(
        None, description="Which mass organisation, when source is mass_organisation"
    )
    kind: Kind = Field(
        description="opinion (ý kiến), petition (kiến nghị) or complaint (phản ánh)", examples=["petition"]
    )
    text: str = Field(
        min_length=5,
        max_length=TEXT_MAX,
        examples=["Đường vào ấp Chợ ngập nước mỗi khi mưa, đề nghị xã nạo vét cống."],
    )
    hamlet: str | None = Field(
        None,
        max_length=100,
        description="Hamlet (ấp); empty or 'Toàn xã' for the whole commune",
        examples=["ấp Chợ"],
    )
    submitter_name: str | None = Field(
        None, max_length=120, description="Optional; seen only by the Party office"
    )
    contact: str | None = Field(
        None,
        max_length=120,
        description="Optional: one phone number or one e-mail address, to hear back",
        examples=["0912 345 678"],
    )
    dialogue_id: str | None = Field(
        None,
        max_length=64,
        description="Only with source at_meeting: the dialogue whose meeting raised it (open, or held "
        "and its notice not issued yet). Every other submission goes to the commune's open dialogue.",
    )

    @model_validator(mode="before")
    @classmethod
    def organisation_as_source(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("source") in {o.value for o in Organisation}:
            data = {
                **data,
                "organisation": data.get("organisation") or data["source"],
                "source": Source.MASS_ORGANISATION.value,
            }
        return data

    @field_validator("text", "hamlet", "submitter_name", "contact", mode="before")
    @classmethod
    def normalise(cls, value: Any) -> Any:
        return clean_text(value)

    @field_validator("hamlet", "submitter_name", "contact")
    @classmethod
    def empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("text")
    @classmethod
    def text_readable(cls, value: str) -> str:
        return readable(value)

    @field_validator("contact")
    @classmethod
    def one_contact(cls, value: str | None) -> str | None:
        return check_contact(value) if value else None

    @field_validator("dialogue_id")
    @classmethod
    def dialogue_only_at_meeting(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value and info.data.get("source") is not Source.AT_MEETING:
            raise BilingualError(
                "Chỉ ý kiến nêu tại hội nghị mới ghi đợt đối thoại; ý kiến khác vào đợt đang mở.",
                "Only an item raised at the meeting names its dialogue; others go to the open one.",
            )
        return value or None


class SubmissionAccepted(BaseModel):
    id: str
    tracking_code: str
    status: str = "received"
    message_vi: str = "Đã tiếp nhận ý kiến. Vui lòng giữ mã theo dõi để tra cứu kết quả."
    links: dict[str, str]


class OfficeRef(BaseModel):
    id: str
    name: str


class HistoryEntry(BaseModel):
    at: datetime
    status: str
    note_vi: str  # what the resident may read
    by: str | None = "system"  # None in public views: they name no member of staff
    staff_note_vi: str | None = None  # a staff change's reason: never in public views


class SubmissionView(BaseModel):
    id: str
    tracking_code: str
    commune_id: str
    dialogue_id: str
    status: str
    kind: Kind
    source: Source
    organisation: Organisation | None = None
    hamlet: str | None
    text: str
    topic: int | None = None
    topic_name: str | None = None
    secondary_topic: int | None = None
    office: OfficeRef | None = None
    authority_level: str | None = None
    needs_review: bool = False
    duplicate_of: str | None = Field(
        None,
        description="The earliest submission raising the same issue (staff only: None when tracked by code)",
    )
    times_raised: int = Field(1, description="How many times this issue has been raised, this one included")
    followup_status: str | None = Field(
        None,
        description=(
            "After the conclusion notice: assigned, in_progress, resolved, escalated, "
            "awaiting_higher_level, rejected"
        ),
    )
    received_at: datetime
    updated_at: datetime
    history: list[HistoryEntry]
