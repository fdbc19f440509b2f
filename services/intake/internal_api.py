"""Intake's reads for the other services of the deployment (`/internal/v1/...`).

Residents' contacts never go on the bus: notification asks for them here when it must tell
someone, with its own service token for the commune (shared/service_api.py). Reporting lists here
the submissions routing has not decided yet, which its read model does not hold
(services/intake/unrouted.py). Only the services named in the access table
(services/intake/access.py) may call these routes; staff, API keys and anonymous callers get
401/403.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query

from services.intake.registrations import RegistrationRepository
from services.intake.repository import SubmissionRepository
from services.intake.unrouted import UnroutedSubmissions
from shared.auth.guard import GuardedRoute
from shared.contracts.envelope import COMMUNE_ID_PATTERN

PREFIX = "/internal/v1/communes/{commune_id}"
MAX_SUBMISSIONS = 100  # ids per call: the caller asks in chunks
# Unrouted submissions of one dialogue per answer: the routing backlog, normally a handful. More
# are answered as incomplete, and the caller says so rather than count part of them.
MAX_UNROUTED = 2000
CommuneId = Path(pattern=COMMUNE_ID_PATTERN, examples=["demo"])


async def submitter_contacts(
    repo: SubmissionRepository, commune_id: str, submission_ids: list[str]
) -> list[dict[str, Any]]:
    """The tracking code and the contact a resident left (None when none), per known submission."""
    cursor = repo.submissions.find(
        {"commune_id": commune_id, "_id": {"$in": submission_ids}}, {"tracking_code": 1, "submitter": 1}
    )
    return [
        {
            "submission_id": doc["_id"],
            "tracking_code": doc["tracking_code"],
            "contact": ((doc.get("submitter") or {}).get("contact") or "").strip() or None,
        }
        async for doc in cursor
    ]


async def registrant_phones(
    registrations: RegistrationRepository, commune_id: str, dialogue_id: str
) -> list[dict[str, Any]]:
    """The residents registered to attend a dialogue, with the phone to invite them by."""
    cursor = registrations.registrations.find(
        {"commune_id": commune_id, "dialogue_id": dialogue_id}, {"phone": 1, "hamlet": 1, "hamlet_id": 1}
    )
    return [
        {"id": doc["_id"], "phone": doc["phone"], "hamlet": doc["hamlet"], "hamlet_id": doc["hamlet_id"]}
        async for doc in cursor
    ]


def build_internal_router(
    repo: SubmissionRepository, registrations: RegistrationRepository, unrouted: UnroutedSubmissions
) -> APIRouter:
    router = APIRouter(prefix=PREFIX, tags=["internal"], route_class=GuardedRoute)

    @router.get("/submitters", summary="Tracking codes and contacts of given submissions (services only)")
    async def submitters(
        commune_id: str = CommuneId,
        submission_id: list[str] = Query(min_length=1, max_length=MAX_SUBMISSIONS),
    ) -> dict[str, Any]:
        return {"submitters": await submitter_contacts(repo, commune_id, submission_id)}

    @router.get(
        "/dialogues/{dialogue_id}/registrants",
        summary="Residents registered to attend, with their phones (services only)",
    )
    async def registrants(
        commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)
    ) -> dict[str, Any]:
        return {"registrants": await registrant_phones(registrations, commune_id, dialogue_id)}

    @router.get(
        "/dialogues/{dialogue_id}/unrouted",
        summary="Submissions routing has not decided yet, with their received facts (services only)",
    )
    async def unrouted_submissions(
        commune_id: str = CommuneId, dialogue_id: str = Path(max_length=64)
    ) -> dict[str, Any]:
        """`complete` is false when the dialogue holds more than `MAX_UNROUTED` of them: then
        `submissions` is only part of them, in no particular order."""
        found = await unrouted.of_dialogue(commune_id, dialogue_id, MAX_UNROUTED + 1)
        return {"submissions": found[:MAX_UNROUTED], "complete": len(found) <= MAX_UNROUTED}

    @router.get(
        "/dialogues/{dialogue_id}/received",
        summary="The received facts of given submissions of the dialogue, routed or not (services only)",
    )
    async def received(
        commune_id: str = CommuneId,
        dialogue_id: str = Path(max_length=64),
        submission_id: list[str] = Query(min_length=1, max_length=MAX_SUBMISSIONS),
    ) -> dict[str, Any]:
        return {"submissions": await unrouted.named(commune_id, dialogue_id, submission_id)}

    return router
