"""Residents register to attend (đăng ký tham dự): live counts per hamlet against the plan's
minimum, and the speaking order (the plan's topic order, then registration time).

A name is what anyone may type, and the public speaking order prints it unreviewed, so a name is
words of letters (`is_name_word`: a hyphen or apostrophe between letters, a final '.' for an
initial): a registration naming a phone, a web or e-mail address is refused (422 on `name`), and
the public order shows a stored name only when its shown words are such words, otherwise
"Người đăng ký số N" (N: the turn)."""

from __future__ import annotations

import re

from pydantic import Field, PrivateAttr, field_validator
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.intake.contacts import check_phone
from services.intake.plan_schemas import _In
from shared.clock import iso, utcnow
from shared.directory import Commune, Dialogue, SpeakerNames, dialogue_key
from shared.http import BilingualError
from shared.ids import new_id
from shared.outbox import ensure_outbox_index
from shared.phone import PHONE_MAX_CHARS, national
from shared.text import fold

REGISTRATIONS = "intake_registrations"
NAME_VI = (
    "Họ tên chỉ gồm chữ cái (không ghi số điện thoại, địa chỉ trang web hay e-mail; số điện thoại ghi ở ô "
    "riêng)."
)
NAME_EN = "A name is letters only (no phone number, web or e-mail address; the phone has its own field)."
UNNAMED_VI = "Người đăng ký số {order}"  # the public order's label for a name it does not print
# a word of a name: letters, a hyphen or an apostrophe between letters (H'Hen, Ka-Lô), a final '.'
_NAME_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*\.?")
ATTENDANCE = "intake_attendance"  # one document per dialogue: who was checked in at the door


class RegistrationIn(_In):
    name: str = Field(min_length=2, max_length=120)
    phone: str = Field(
        max_length=PHONE_MAX_CHARS,
        description=(
            "One phone number (shared/phone.py: 9-11 digits, spaces or dots allowed, may start with "
            "+84): to invite and to tell duplicates apart"
        ),
        examples=["0912 345 678"],
    )
    hamlet: str = Field(min_length=1, max_length=100)
    topic: int | None = Field(
        None, ge=0, le=20, description="The plan topic the resident wants to speak on, if any"
    )
    wants_to_speak: bool = False
    # Who entered it: 'self', or the authenticated principal (staff session or token) that sent it,
    # set by the route (`entered_by`); never read from the body (a 'registered_by' key is refused, 422).
    _registered_by: str = PrivateAttr("self")

    @property
    def registered_by(self) -> str:
        return self._registered_by

    def entered_by(self, author: str | None) -> RegistrationIn:
        """This registration as entered by `author` (a principal's name; None: the person themself)."""
        entered = self.model_copy()
        entered._registered_by = author or "self"
        return entered

    @field_validator("phone")
    @classmethod
    def one_phone(cls, value: str) -> str:
        return check_phone(value)

    @field_validator("name")
    @classmethod
    def a_name(cls, value: str) -> str:
        if not all(is_name_word(word) for word in value.split()):
            raise BilingualError(NAME_VI, NAME_EN)
        return value


def is_name_word(word: str) -> bool:
    """Letters only (and a joining hyphen or apostrophe, a final '.'): no digit, ':', '@', '/'."""
    return _NAME_WORD.fullmatch(word) is not None


def person_key(name: str, phone: str) -> str:
    """`<folded name>|<phone in national form>`: one person however the number is written."""
    digits = national(phone) or re.sub(r"\D", "", phone)
    return f"{fold(name)}|{digits}"


def public_name(name: str, shown: SpeakerNames, order: int) -> str | None:
    """A speaker's name as the commune chose to show it to the public (the whole name, the given
    name: its last word, or none), printed only when every word shown is a name's word, else
    "Người đăng ký số <order>": the public order never prints a phone or a link someone typed."""
    if shown is SpeakerNames.HIDDEN:
        return None
    words = name.split()
    if shown is SpeakerNames.GIVEN_NAME:
        words = words[-1:]
    if words and all(is_name_word(word) for word in words):
        return " ".join(words)
    return UNNAMED_VI.format(order=order)


def speaking_order(
    dialogue: Dialogue,
    registrations: list[dict],
    shown: SpeakerNames | None = None,
    *,
    whole_for_hamlet: str | None = None,
) -> list[dict]:
    """Speakers in the order of the plan's topics (others and no topic last), then by time;
    names as `shown` to the public (`public_name`), or as registered (None: staff); those of the
    hamlet `whole_for_hamlet` (a hamlet cell's own) as registered whatever `shown` says."""
    rank: dict[int | None, int] = {t.number: i for i, t in enumerate(dialogue.topics)}
    speakers = [r for r in registrations if r.get("wants_to_speak")]
    speakers.sort(key=lambda r: (rank.get(r.get("topic"), len(rank)), r["registered_at"], r["_id"]))
    return [
        {
            "order": i,
            "name": r["name"]
            if shown is None or (whole_for_hamlet is not None and r.get("hamlet_id") == whole_for_hamlet)
            else public_name(r["name"], shown, i),
            "hamlet": r["hamlet"],
            "topic": r.get("topic"),
            "topic_name": dialogue.topic_name(r["topic"]) if r.get("topic") is not None else None,
        }
        for i, r in enumerate(speakers, start=1)
    ]


def hamlet_counts(commune: Commune, dialogue: Dialogue, registrations: list[dict]) -> list[dict]:
    counts: dict[str, int] = {}
    for r in registrations:
        counts[r["hamlet_id"]] = counts.get(r["hamlet_id"], 0) + 1
    rows = []
    for hamlet in commune.hamlets:
        if hamlet.id in dialogue.hamlet_ids or hamlet.id in counts:
            minimum = dialogue.min_attendance.get(hamlet.id, 0)
            rows.append(
                {
                    "hamlet_id": hamlet.id,
                    "hamlet": hamlet.name,
                    "registered": counts.get(hamlet.id, 0),
                    "minimum": minimum,
                    "reached": counts.get(hamlet.id, 0) >= minimum,
                }
            )
    return rows


def registration_document(commune: Commune, dialogue_id: str, body: RegistrationIn, hamlet: str) -> dict:
    """The stored registration for a resolved hamlet name (API and web form alike)."""
    return {
        "_id": new_id(),
        "commune_id": commune.id,
        "dialogue_id": dialogue_id,
        "name": body.name,
        "phone": body.phone,
        "person_key": person_key(body.name, body.phone),
        "hamlet": hamlet,
        "hamlet_id": next(h.id for h in commune.hamlets if h.name == hamlet),
        "topic": body.topic,
        "wants_to_speak": body.wants_to_speak,
        "registered_by": body.registered_by,
        "registered_at": iso(utcnow()),
    }


class RegistrationRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.registrations = db[REGISTRATIONS]
        self.attendance = db[ATTENDANCE]

    async def ensure_indexes(self) -> None:
        await self.registrations.create_index(
            [("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("person_key", ASCENDING)], unique=True
        )
        await ensure_outbox_index(self.attendance)

    async def add(self, doc: dict) -> bool:
        try:
            await self.registrations.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict]:
        return (
            await self.registrations.find({"commune_id": commune_id, "dialogue_id": dialogue_id})
            .sort("registered_at", ASCENDING)
            .to_list()
        )

    # ---- attendance at the meeting (handlers.attendance) ------------------------------------

    async def registration(self, commune_id: str, dialogue_id: str, registration_id: str) -> dict | None:
        return await self.registrations.find_one(
            {"_id": registration_id, "commune_id": commune_id, "dialogue_id": dialogue_id}
        )

    async def registered_by_hamlet(self, commune_id: str, dialogue_id: str) -> dict[str, int]:
        """Hamlet id -> residents registered to attend."""
        cursor = await self.registrations.aggregate(
            [
                {"$match": {"commune_id": commune_id, "dialogue_id": dialogue_id}},
                {"$group": {"_id": "$hamlet_id", "n": {"$sum": 1}}},
            ]
        )
        return {doc["_id"]: doc["n"] async for doc in cursor}

    async def search(
        self,
        commune_id: str,
        dialogue_id: str,
        *,
        name: str | None,
        digits: str | None,
        limit: int,
        hamlet_id: str | None = None,
    ) -> list[dict]:
        """Registrations whose folded name contains `name`, or whose phone contains `digits`
        (`person_key` is `<folded name>|<phone digits>`), by name; of the hamlet `hamlet_id`
        alone when one is given."""
        if name:
            pattern = "^[^|]*" + re.escape(name)
        elif digits:
            pattern = r"\|[0-9]*" + re.escape(digits)
        else:
            return []
        query: dict = {
            "commune_id": commune_id,
            "dialogue_id": dialogue_id,
            "person_key": {"$regex": pattern},
        }
        if hamlet_id is not None:
            query["hamlet_id"] = hamlet_id
        cursor = self.registrations.find(query, {"name": 1, "hamlet": 1, "hamlet_id": 1})
        found = await cursor.sort("person_key", ASCENDING).limit(limit).to_list()
        return list(found)

    async def attendance_of(self, commune_id: str, dialogue_id: str) -> dict | None:
        return await self.attendance.find_one(
            {"_id": dialogue_key(commune_id, dialogue_id), "commune_id": commune_id}, {"outbox": 0}
        )

    async def save_attendance(self, doc: dict, expected_revision: int) -> bool:
        """Store `doc` only if the stored revision is still `expected_revision` (0: none stored
        yet); False when another check-in came first."""
        if expected_revision == 0:
            try:
                await self.attendance.insert_one(doc)
            except DuplicateKeyError:
                return False
            return True
        fields = {k: v for k, v in doc.items() if k != "_id"}
        result = await self.attendance.update_one(
            {"_id": doc["_id"], "commune_id": doc["commune_id"], "revision": expected_revision},
            {"$set": fields},
        )
        return result.modified_count == 1
