"""Intake's submissions API as reporting calls it: a new item raised on the floor of the meeting
goes through intake's one `submit` use case like any other (source `at_meeting`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from services.reporting.settings import ReportingSettings
from shared.auth.tokens import Tokens
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

    async def aclose(self) -> None:
        await self._api.aclose()
