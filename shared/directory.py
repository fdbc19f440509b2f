"""The commune directory: communes (hamlets, offices, bodies), dialogue plans and the duties
marked done, shared reference data.

Intake owns these three collections and alone writes them (seeding, the plan API); every other
service reads them, through `DirectoryReader` only, and never writes them. They are the only
collections named outside their owner: a service's own collections (submissions,
registrations, decisions, documents, ...) are named and touched by that service alone, and the
others ask its API for what they need (`tests/contract/test_ownership.py`).
Every lookup is by commune id, and a dialogue is always fetched together with its commune id.
"""

from __future__ import annotations

import time as clock
from datetime import date, time
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared.batching import SharedReads
from shared.calendar import WorkingCalendar
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.contracts.vocabulary import PlanStatus
from shared.mongo import Database

COMMUNES = "communes"
# The two-level local government reform: communes stand directly under the province from this day.
REFORM_DAY = date(2025, 7, 1)
DIALOGUES = "dialogues"
DEADLINE_MARKS = "dialogue_deadline_marks"
# Reference data intake writes when a commune's API key is revoked (`_id`: the key id; commune_id,
# revoked_at): every service's access guard refuses that key's tokens (shared.auth.revocation).
API_KEY_REVOCATIONS = "api_key_revocations"
# Plans whose duties, invitations or cancellations may still be due (the scheduler scans them).
ACTIVE_STATUSES = (
    PlanStatus.COLLECTING,
    PlanStatus.CLASSIFIED,
    PlanStatus.INVITED,
    PlanStatus.HELD,
    PlanStatus.CANCELLED,
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Hamlet(_Frozen):
    id: str
    name: str  # "ấp Chợ"
    min_attendance: int = 0


class Office(_Frozen):
    id: str
    name: str  # after the 2025 reform, e.g. "Phòng Kinh tế"
    legacy_name: str | None = None  # pre-2025 title, for older plans
    email: str | None = None


class OfficeRule(_Frozen):
    """Sub-area routing: when a topic (or any topic, if None) mentions one of the terms, this
    office leads instead of the topic's default office; without an office the rule only adds
    coordinating offices."""

    topic: int | None = None
    terms: tuple[str, ...]
    office_id: str | None = None
    coordinating_office_ids: tuple[str, ...] = ()


class Signature(_Frozen):
    authority: str = "T/M BAN THƯỜNG VỤ"
    title: str = "BÍ THƯ"
    name: str = ""


class OfficeHolders(_Frozen):
    """Who signs for the commune's Party committee: the Secretary (Bí thư) signs for the
    Standing Committee, a deputy (Phó Bí thư) signs K/T BÍ THƯ, the head of the Party office
    (Chánh Văn phòng) signs the office's own reports. Full names as printed under the title."""

    secretary: str = ""
    deputy_secretaries: tuple[str, ...] = ()
    chief_of_office: str = ""


class CalendarOverrides(_Frozen):
    """The commune's own calendar: days the `holidays` package does not know or estimates
    wrongly, and whether 24/11 (Ngày Văn hóa Việt Nam) is a day off."""

    extra_days_off: tuple[date, ...] = ()
    extra_working_days: tuple[date, ...] = ()
    culture_day: bool = True


class SpeakerNames(StrEnum):
    """How the public speaking order names residents (staff always see the full name)."""

    HIDDEN = "hidden"  # order, hamlet and topic only
    GIVEN_NAME = "given_name"  # "Ông/Bà … An": the last word of the name
    FULL = "full"


class Commune(_Frozen):
    id: str = Field(pattern=COMMUNE_ID_PATTERN)
    name: str  # "Tân Phước"
    kind: str = "xã"  # xã | phường | đặc khu
    province: str  # "Đồng Tháp"
    # The district (huyện) the commune stood under before the 2025 two-level reform: documents of
    # a dialogue held before 1 July 2025 are headed by its Party committee and sent up to it.
    district: str | None = None
    hamlets: tuple[Hamlet, ...]
    offices: tuple[Office, ...]
    topic_offices: dict[str, str]  # topic number as string -> office id ("0" = other)
    office_rules: tuple[OfficeRule, ...] = ()
    party_office_id: str = "van-phong-dang-uy"
    current_dialogue_id: str | None = None
    signature: Signature = Signature()
    office_holders: OfficeHolders = OfficeHolders()
    recipients: tuple[str, ...] = ()  # "Nơi nhận" of the conclusion notice, before "Lưu Văn phòng Đảng ủy."
    # "Nơi nhận" of a dialogue held before the 2025 reform, when it differs (the district's Party
    # committee then, the province's now); empty: `recipients` for every year.
    recipients_before_reform: tuple[str, ...] = ()
    # Responsible body key (peoples_committee, fatherland_front, ...) -> e-mail for reminders.
    bodies: dict[str, str] = {}
    calendar: CalendarOverrides = CalendarOverrides()
    party_term: str = "2020-2025"  # documents are numbered from 01 per type within a Party committee term
    recipient_emails: dict[str, str] = {}  # "Nơi nhận" name -> e-mail, for distributing issued documents
    public_speaker_names: SpeakerNames = SpeakerNames.GIVEN_NAME  # the public speaking order's names

    def working_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(
            self.calendar.extra_days_off,
            self.calendar.extra_working_days,
            culture_day=self.calendar.culture_day,
        )

    @property
    def display_name(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def secretary_name(self) -> str:
        """The Secretary's full name; a commune that only set `signature.name` keeps it."""
        return (self.office_holders.secretary or self.signature.name).strip()

    @property
    def party_committee(self) -> str:
        """``Đảng ủy xã Tân Phước``: who a document of the committee is from."""
        return f"Đảng ủy {self.display_name}"

    def office(self, office_id: str) -> Office | None:
        return next((o for o in self.offices if o.id == office_id), None)

    def office_titles_on(self, meeting_date: date) -> dict[str, str]:
        """Each office's id and today's name -> its title for a dialogue meeting on `meeting_date`:
        the pre-reform title before the 2025 reform (today's name when it has none). What the
        documents print (`reporting.documents.common.office_titles`) and every page shows."""
        before = meeting_date < REFORM_DAY
        titles: dict[str, str] = {}
        for office in self.offices:
            title = (office.legacy_name or office.name) if before else office.name
            titles[office.id] = titles[office.name] = title
        return titles

    def office_renames_on(self, meeting_date: date) -> dict[str, str]:
        """Each office's name today -> its title for a dialogue meeting on `meeting_date`, for
        the offices whose title differs (what a text stored with today's names is renamed by)."""
        titles = self.office_titles_on(meeting_date)
        return {o.name: titles[o.id] for o in self.offices if titles[o.id] != o.name}

    def recipients_on(self, meeting_date: date) -> tuple[str, ...]:
        """ "Nơi nhận" of a dialogue meeting on `meeting_date`: `recipients_before_reform` before
        the 2025 reform when the commune set them, `recipients` otherwise."""
        if meeting_date < REFORM_DAY and self.recipients_before_reform:
            return self.recipients_before_reform
        return self.recipients


class Topic(_Frozen):
    number: int
    name: str


class Delegate(_Frozen):
    """Someone invited by name (đại biểu): invitations go by e-mail with a calendar entry."""

    id: str
    name: str
    role: str = ""
    email: str | None = None
    phone: str | None = None


class Dialogue(_Frozen):
    """A year's dialogue plan (kế hoạch đối thoại) of one commune."""

    id: str
    commune_id: str
    year: int
    title: str
    theme: str
    meeting_date: date
    venue: str
    topics: tuple[Topic, ...]
    legal_bases: tuple[str, ...] = ()
    hamlet_ids: tuple[str, ...] = ()
    status: str = "collecting"
    format: str = "Hội nghị đối thoại, tọa đàm trực tiếp"
    meeting_time: time = time(7, 30)  # local time in `timezone`
    duration_minutes: int = 240
    timezone: str = "Asia/Ho_Chi_Minh"
    agenda: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    delegates: tuple[Delegate, ...] = ()
    min_attendance: dict[str, int] = {}  # hamlet id -> minimum attendees (seed: 70)
    deadline_overrides: dict[str, date] = {}  # deadline key -> date set by the Party office
    version: int = 1  # bumped on every change of what an invitation says

    def topic_name(self, number: int) -> str:
        if number == 0:
            return "Khác (ngoài các nội dung trọng tâm)"
        return next((t.name for t in self.topics if t.number == number), f"Nội dung {number}")


_Found = TypeVar("_Found", Commune | None, Dialogue | None)


class DirectoryReader:
    """Reads communes, dialogues and deadline marks; it never writes (intake owns them)."""

    def __init__(self, db: Database, cache_ttl_s: float = 0) -> None:
        self._db = db
        self._ttl = cache_ttl_s
        self._cache: dict[tuple[str, ...], tuple[float, Commune | Dialogue]] = {}
        # Every request of a busy intake reads its commune: reads that arrive while one is on
        # its way share the next one, each sent after its callers asked (never a stale copy).
        self._communes: SharedReads[str, Commune | None] = SharedReads(
            self._read_commune, name="commune-read"
        )

    def cached(self, ttl_s: float) -> DirectoryReader:
        """A reader that keeps communes and dialogues it found for `ttl_s` seconds (0: never).

        For consumers that read the same commune and dialogue for every event (routing,
        notification): an edit reaches them within `ttl_s`. Anything not found is read again
        next time, so a commune or plan created a moment ago is seen at once. Pages and APIs,
        which show what was just edited, keep the uncached reader."""
        return DirectoryReader(self._db, cache_ttl_s=ttl_s)

    def _get(self, key: tuple[str, ...]) -> Commune | Dialogue | None:
        hit = self._cache.get(key)
        if hit is not None and hit[0] > clock.monotonic():
            return hit[1]
        return None

    def _put(self, key: tuple[str, ...], value: _Found) -> _Found:
        if self._ttl > 0 and value is not None:
            if len(self._cache) > 10_000:  # many communes: start again rather than grow
                self._cache.clear()
            self._cache[key] = (clock.monotonic() + self._ttl, value)
        return value

    async def commune(self, commune_id: str) -> Commune | None:
        if isinstance(hit := self._get(("commune", commune_id)), Commune):
            return hit
        return self._put(("commune", commune_id), await self._communes.get(commune_id))

    async def _read_commune(self, commune_id: str) -> Commune | None:
        doc = await self._db[COMMUNES].find_one({"_id": commune_id})
        return Commune.model_validate({**doc, "id": doc["_id"]}) if doc else None

    async def dialogue(self, commune_id: str, dialogue_id: str) -> Dialogue | None:
        if isinstance(hit := self._get(("dialogue", commune_id, dialogue_id)), Dialogue):
            return hit
        doc = await self._db[DIALOGUES].find_one(
            {"_id": dialogue_key(commune_id, dialogue_id), "commune_id": commune_id}, {"outbox": 0}
        )
        return self._put(("dialogue", commune_id, dialogue_id), Dialogue.model_validate(doc) if doc else None)

    async def dialogues(self, commune_id: str) -> list[Dialogue]:
        cursor = self._db[DIALOGUES].find({"commune_id": commune_id}, {"outbox": 0}).sort("year", -1)
        return [Dialogue.model_validate(doc) async for doc in cursor]

    async def active_dialogues(self, limit: int = 1000) -> list[Dialogue]:
        """Dialogues whose duties still run, across communes (for the scheduler)."""
        cursor = (
            self._db[DIALOGUES].find({"status": {"$in": list(ACTIVE_STATUSES)}}, {"outbox": 0}).limit(limit)
        )
        return [Dialogue.model_validate(doc) async for doc in cursor]

    async def key_revocation(self, key_id: str) -> dict[str, Any] | None:
        """The revocation of the API key `key_id` (commune_id, revoked_at); None while it stands."""
        return await self._db[API_KEY_REVOCATIONS].find_one({"_id": key_id})

    async def deadline_marks(self, commune_id: str, dialogue_id: str) -> dict[str, dict[str, Any]]:
        """Duties recorded as done (a report received), by deadline key."""
        cursor = self._db[DEADLINE_MARKS].find({"commune_id": commune_id, "dialogue_id": dialogue_id})
        return {doc["key"]: doc async for doc in cursor}


def commune_document(commune: Commune) -> dict[str, Any]:
    doc = commune.model_dump(mode="json")
    doc["_id"] = doc.pop("id")
    return doc


def dialogue_key(commune_id: str, dialogue_id: str) -> str:
    """Dialogue ids are chosen per commune; the stored key includes the commune, so two
    communes may both have a plan called `2031` without seeing each other."""
    return f"{commune_id}/{dialogue_id}"


def dialogue_document(dialogue: Dialogue) -> dict[str, Any]:
    return {**dialogue.model_dump(mode="json"), "_id": dialogue_key(dialogue.commune_id, dialogue.id)}
