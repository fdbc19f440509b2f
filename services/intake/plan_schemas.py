"""Request shapes of the dialogue plan API (kế hoạch đối thoại)."""

from __future__ import annotations

from datetime import date, time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from services.intake.contacts import check_email, check_phone
from services.intake.schemas import clean_text
from shared.http import BilingualError

SLUG = r"^[a-z0-9][a-z0-9-]{0,62}$"
STATUSES = ("draft", "collecting", "classified", "invited", "held", "concluded", "closed", "cancelled")
# Forward one step at a time along the plan's life; a plan can be cancelled until it is held.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("collecting", "cancelled"),
    "collecting": ("classified", "cancelled"),
    "classified": ("invited", "cancelled"),
    "invited": ("held", "cancelled"),
    "held": ("concluded",),
    "concluded": ("closed",),
    "closed": (),
    "cancelled": (),
}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def nfc(cls, value: Any) -> Any:
        return clean_text(value)


class TopicIn(_In):
    number: int = Field(ge=1, le=20)
    name: str = Field(min_length=3, max_length=300)


class HamletQuotaIn(_In):
    hamlet: str = Field(min_length=1, max_length=100, description="Hamlet name or id, e.g. 'ấp Chợ'")
    min_attendance: int = Field(70, ge=0, le=100_000)


class DelegateIn(_In):
    id: str | None = Field(None, pattern=SLUG)
    name: str = Field(min_length=2, max_length=120)
    role: str = Field("", max_length=200)
    email: str | None = Field(None, max_length=200, description="One e-mail address")
    phone: str | None = Field(None, max_length=30, description="One phone number, e.g. 0912 345 678")

    @field_validator("email")
    @classmethod
    def one_email(cls, value: str | None) -> str | None:
        return check_email(value) if value else None

    @field_validator("phone")
    @classmethod
    def one_phone(cls, value: str | None) -> str | None:
        return check_phone(value) if value else None


def _sane_date(value: date | None) -> date | None:
    if value is not None and not 2000 <= value.year <= 2100:
        raise BilingualError(
            "Ngày phải trong khoảng năm 2000–2100.", "The date must fall in the years 2000-2100."
        )
    return value


class PlanIn(_In):
    id: str | None = Field(None, pattern=SLUG, description="Defaults to <commune>-<year>")
    year: int = Field(ge=2000, le=2100)
    title: str = Field(min_length=5, max_length=300)
    theme: str = Field(min_length=5, max_length=1000)
    meeting_date: date
    meeting_time: time = time(7, 30)
    duration_minutes: int = Field(240, ge=30, le=720)
    venue: str = Field(min_length=2, max_length=300)
    format: str = Field("Hội nghị đối thoại, tọa đàm trực tiếp", max_length=300)
    topics: list[TopicIn] | None = Field(None, description="Defaults to the seed plan's six topics")
    legal_bases: list[str] = []
    hamlets: list[HamletQuotaIn] = Field(min_length=1)
    agenda: list[str] = []
    participants: list[str] = []
    delegates: list[DelegateIn] = []
    deadline_overrides: dict[str, date] = {}

    _dates = field_validator("meeting_date")(_sane_date)

    @model_validator(mode="after")
    def consistent(self) -> PlanIn:
        if self.meeting_date.year != self.year:
            raise BilingualError(
                f"Ngày đối thoại phải thuộc năm {self.year}.", f"meeting_date must fall in {self.year}."
            )
        if self.topics and len({t.number for t in self.topics}) != len(self.topics):
            raise BilingualError(
                "Số thứ tự các nội dung trọng tâm bị trùng.", "Topic numbers must be unique."
            )
        for override in self.deadline_overrides.values():
            _sane_date(override)
        return self


class PlanPatch(_In):
    title: str | None = Field(None, min_length=5, max_length=300)
    theme: str | None = Field(None, min_length=5, max_length=1000)
    meeting_date: date | None = None
    meeting_time: time | None = None
    duration_minutes: int | None = Field(None, ge=30, le=720)
    venue: str | None = Field(None, min_length=2, max_length=300)
    agenda: list[str] | None = None
    delegates: list[DelegateIn] | None = None
    deadline_overrides: dict[str, date] | None = None
    changed_by: str | None = Field(
        None, max_length=120, description="Ignored: the author is always the authenticated principal"
    )

    _dates = field_validator("meeting_date")(_sane_date)


class TransitionIn(_In):
    to: Literal["collecting", "classified", "invited", "held", "concluded", "closed", "cancelled"]
    changed_by: str | None = Field(
        None, max_length=120, description="Ignored: the author is always the authenticated principal"
    )


class DeadlineDoneIn(_In):
    by: str | None = Field(
        None, max_length=120, description="Ignored: the author is always the authenticated principal"
    )
    note: str | None = Field(None, max_length=1000)
