"""What intake's dialogue routes share: finding the commune and its plan named in the path, and
the one answer when either is unknown."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from shared.directory import Commune, Dialogue, DirectoryReader
from shared.http import problem


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
