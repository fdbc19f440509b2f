"""Intake's submissions API as reporting calls it: a new item raised on the floor of the meeting
goes through intake's one `submit` use case like any other (source `at_meeting`); the items
routing has not decided yet, which the read model does not hold, are listed from intake's
internal API (`services/reporting/unrouted.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from services.reporting.settings import ReportingSettings
from services.reporting.unrouted import Unrouted
from shared.auth.tokens import Tokens
from shared.errors import PermanentError
from shared.service_api import LocalApp, ServiceApi


class IntakeSubmissions:
    def __init__(self, api: ServiceApi) -> None:
        self._api = api

    @classmethod
    def for_caller(
        cls, caller: str, settings: ReportingSettings, tokens: Tokens, local: LocalApp
    ) -> IntakeSubmissions:
        """Intake's API at `DOITHOAI_INTAKE_URL`, called as `caller` (reporting)."""
        api = ServiceApi(
            caller,
            "intake",
            settings.intake_url,
            tokens=tokens,
            timeout_s=settings.backend_timeout_s,
            local=local,
        )
        return cls(api)

    async def submit(self, commune_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Intake's answer: the new submission's `id` and `tracking_code`."""
        path = f"/api/v1/communes/{quote(commune_id, safe='')}/submissions"
        response = await self._api.post(path, commune_id=commune_id, json=body)
        answer: dict[str, Any] = response.json()
        return answer

    async def unrouted(self, commune_id: str, dialogue_id: str) -> Unrouted:
        """The dialogue's submissions routing has not decided yet (TransientError or
        PermanentError when intake does not answer)."""
        response = await self._api.get(
            self._internal(commune_id, dialogue_id, "unrouted"), commune_id=commune_id
        )
        if response is None:  # intake serves no such route: an intake older than this reporting
            raise PermanentError("intake does not list unrouted submissions")
        body = response.json()
        return Unrouted(tuple(body["submissions"]), bool(body["complete"]))

    async def received(
        self, commune_id: str, dialogue_id: str, submission_ids: Sequence[str]
    ) -> list[dict[str, Any]]:
        """The received facts of the named submissions of the dialogue (at most 100 ids)."""
        response = await self._api.get(
            self._internal(commune_id, dialogue_id, "received"),
            commune_id=commune_id,
            params={"submission_id": list(submission_ids)},
        )
        if response is None:
            raise PermanentError("intake does not answer received facts")
        submissions: list[dict[str, Any]] = response.json()["submissions"]
        return submissions

    @staticmethod
    def _internal(commune_id: str, dialogue_id: str, what: str) -> str:
        commune, dialogue = quote(commune_id, safe=""), quote(dialogue_id, safe="")
        return f"/internal/v1/communes/{commune}/dialogues/{dialogue}/{what}"

    async def aclose(self) -> None:
        await self._api.aclose()
