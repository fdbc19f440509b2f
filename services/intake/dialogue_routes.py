"""What intake's dialogue routes share: finding the commune and its plan named in the path, and
the one answer when either is unknown."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from services.intake.logic import SubmissionRejected, hamlet_refusal
from shared.directory import Commune, Dialogue, DirectoryReader
from shared.http import BodyCheck, problem


async def commune_and_dialogue(
    directory: DirectoryReader, commune_id: str, dialogue_id: str
) -> tuple[Commune | None, Dialogue | None]:
    """The commune and its plan; the plan is looked for only in a commune that exists."""
    commune = await directory.commune(commune_id)
    dialogue = await directory.dialogue(commune_id, dialogue_id) if commune else None
    return commune, dialogue


def unknown_dialogue() -> JSONResponse:
    return problem(
        404,
        "not_found",
        "Không tìm thấy xã/phường hoặc kế hoạch đối thoại.",
        "Unknown commune or dialogue plan.",
    )


def hamlet_check(directory: DirectoryReader, *, required: SubmissionRejected | None = None) -> BodyCheck:
    """The body check (`shared.http.checks_body_with`) of a route whose body names a hamlet of the
    path's commune: an unknown hamlet, or none where `required` (its refusal) says one is needed,
    is answered with the body's other wrong fields."""

    async def check(request: Request, body: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
        written = body.get("hamlet")
        if not isinstance(written, str):
            return []
        commune = await directory.commune(str(request.path_params.get("commune_id", "")))
        refused = hamlet_refusal(commune, written, required=required) if commune is not None else None
        return [refused.as_error()] if refused is not None else []

    return check
