"""Residents register to attend (đăng ký tham dự): live counts per hamlet against the plan's
minimum, and the speaking order (the plan's topic order, then registration time)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from pydantic import Field, field_validator
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.intake.contacts import check_phone
from services.intake.logic import SubmissionRejected, resolve_hamlet
from services.intake.plan_schemas import _In
from services.intake.public_limits import REGISTRATION, check_public_limit
from shared.auth.guard import GuardedRoute, principal_of
from shared.clock import iso, utcnow
from shared.contracts.envelope import COMMUNE_ID_PATTERN
from shared.directory import Commune, Dialogue, DirectoryReader, SpeakerNames
from shared.http import error_body, problem
from shared.ids import new_id
from shared.text import fold


REGISTRATIONS = "intake_registrations"


class RegistrationIn(_In):
    name: str = Field(min_length=2, max_length=120)
    phone: str = Field(
        max_length=30,
        description="One phone number (9-11 digits, may start with +84): to invite and to tell duplicates apart",
    )
    hamlet: str = Field(min_length=1, max_length=100)
    topic: int | None = Field(
        None, ge=0, le=20, description="The plan topic the resident wants to speak on, if any"
    )
    wants_to_speak: bool = False
    registered_by: str = Field("self", max_length=120, description="'self', or the staff member entering it")

    @field_validator("phone")
    @classmethod
    def one_phone(cls, value: str) -> str:
        return check_phone(value)


def person_key(name: str, phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    digits = "0" + digits[2:] if digits.startswith("84") else digits
    return f"{fold(name)}|{digits}"


def public_name(name: str, shown: SpeakerNames) -> str | None:
    """A speaker's name as the commune chose to show it to the public."""
    if shown is SpeakerNames.FULL:
        return name
    if shown is SpeakerNames.GIVEN_NAME and name.split():
        return name.split()[-1]
    return None


def speaking_order(
    dialogue: Dialogue, registrations: list[dict], shown: SpeakerNames = SpeakerNames.FULL
) -> list[dict]:
    """Speakers in the order of the plan's topics (others and no topic last), then by time;
    names as `shown` (staff: FULL)."""
    rank = {t.number: i for i, t in enumerate(dialogue.topics)}
    speakers = [r for r in registrations if r.get("wants_to_speak")]
    speakers.sort(key=lambda r: (rank.get(r.get("topic"), len(rank)), r["registered_at"], r["_id"]))
    return [
        {
            "order": i,
            "name": public_name(r["name"], shown),
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

    async def ensure_indexes(self) -> None:
        await self.registrations.create_index(
            [("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("person_key", ASCENDING)], unique=True
        )

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


def build_registrations_router(repo: RegistrationRepository, directory: DirectoryReader) -> APIRouter:
    router = APIRouter(
        prefix="/api/v1/communes/{commune_id}/dialogues/{dialogue_id}",
        tags=["registrations"],
        route_class=GuardedRoute,
    )
    commune_path, dialogue_path = Path(pattern=COMMUNE_ID_PATTERN), Path(max_length=64)

    async def load(commune_id: str, dialogue_id: str):
        commune = await directory.commune(commune_id)
        dialogue = await directory.dialogue(commune_id, dialogue_id) if commune else None
        return commune, dialogue

    @router.post(
        "/registrations", status_code=201, summary="Đăng ký tham dự (register to attend, optionally to speak)"
    )
    async def register(
        request: Request,
        body: RegistrationIn,
        commune_id: str = commune_path,
        dialogue_id: str = dialogue_path,
    ):
        if limited := await check_public_limit(request, commune_id, REGISTRATION):
            return limited
        commune, dialogue = await load(commune_id, dialogue_id)
        if dialogue is None:
            return _unknown()
        try:
            hamlet = resolve_hamlet(commune, body.hamlet)
        except SubmissionRejected as rejected:
            return JSONResponse(status_code=422, content=error_body([rejected.as_error()]))
        if hamlet is None:
            return JSONResponse(
                status_code=422,
                content=error_body(
                    [
                        SubmissionRejected(
                            "hamlet_required",
                            "Cần chọn ấp nơi cư trú.",
                            "Choose the hamlet you live in.",
                            field="hamlet",
                        ).as_error()
                    ]
                ),
            )
        doc = registration_document(commune, dialogue_id, body, hamlet)
        if not await repo.add(doc):
            return problem(
                409,
                "already_registered",
                f"{body.name} ({body.phone}) đã đăng ký tham dự buổi đối thoại này.",
                "This person (same name and phone) is already registered.",
            )
        return {"id": doc["_id"], "hamlet": hamlet, "registered_at": doc["registered_at"]}

    @router.get(
        "/registrations/summary", summary="Registered attendees per hamlet against the plan's minimum"
    )
    async def summary(commune_id: str = commune_path, dialogue_id: str = dialogue_path):
        commune, dialogue = await load(commune_id, dialogue_id)
        if dialogue is None:
            return _unknown()
        rows = await repo.for_dialogue(commune_id, dialogue_id)
        return {
            "dialogue_id": dialogue_id,
            "total": len(rows),
            "hamlets": hamlet_counts(commune, dialogue, rows),
        }

    @router.get("/speaking-order", summary="Thứ tự phát biểu: the plan's topic order, then registration time")
    async def order(request: Request, commune_id: str = commune_path, dialogue_id: str = dialogue_path):
        commune, dialogue = await load(commune_id, dialogue_id)
        if dialogue is None:
            return _unknown()
        principal = principal_of(request)
        shown = (
            SpeakerNames.FULL
            if principal and principal.reads_commune(commune_id)
            else commune.public_speaker_names
        )
        return {
            "dialogue_id": dialogue_id,
            "speakers": speaking_order(dialogue, await repo.for_dialogue(commune_id, dialogue_id), shown),
        }

    return router


def _unknown() -> JSONResponse:
    return problem(
        404,
        "not_found",
        "Không tìm thấy xã/phường hoặc kế hoạch đối thoại.",
        "Unknown commune or dialogue plan.",
    )
