"""What notification reads from the services that own it, through their HTTP APIs (never their
collections): residents' contacts and registrants' phones from intake, issued PDFs from
reporting. Each call carries notification's own token for the commune (shared/service_api.py);
an owner that cannot answer now raises `TransientError`, so the event is retried, not lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from services.notification.handlers.ports import Submitter
from services.notification.schedule import Registrant
from services.notification.settings import NotificationSettings
from shared.auth.tokens import Tokens
from shared.errors import TransientError
from shared.service_api import LocalApp, ServiceApi

INTERNAL = "/internal/v1/communes"
CHUNK = 50  # submission ids per call (intake takes at most 100)


def _seg(value: str) -> str:
    return quote(value, safe="")


class IntakeApi:
    def __init__(self, api: ServiceApi) -> None:
        self._api = api

    async def submitters(self, commune_id: str, submission_ids: Sequence[str]) -> list[Submitter]:
        found: list[Submitter] = []
        ids = list(dict.fromkeys(submission_ids))
        for start in range(0, len(ids), CHUNK):
            response = await self._api.get(
                f"{INTERNAL}/{_seg(commune_id)}/submitters",
                commune_id=commune_id,
                params={"submission_id": ids[start : start + CHUNK]},
            )
            if response is None:
                raise TransientError("intake does not serve the submitters' contacts here")
            found += [
                Submitter(s["submission_id"], s["tracking_code"], s.get("contact"))
                for s in response.json()["submitters"]
            ]
        return found

    async def registrants(self, commune_id: str, dialogue_id: str) -> list[Registrant]:
        response = await self._api.get(
            f"{INTERNAL}/{_seg(commune_id)}/dialogues/{_seg(dialogue_id)}/registrants", commune_id=commune_id
        )
        if response is None:
            raise TransientError("intake does not serve the registrants' phones here")
        return [
            Registrant(r["id"], r["phone"], r["hamlet"], r["hamlet_id"])
            for r in response.json()["registrants"]
        ]

    async def aclose(self) -> None:
        await self._api.aclose()


class ReportingApi:
    def __init__(self, api: ServiceApi) -> None:
        self._api = api

    async def issued_pdf(self, commune_id: str, document_id: str) -> bytes | None:
        response = await self._api.get(
            f"/api/v1/communes/{_seg(commune_id)}/documents/{_seg(document_id)}.pdf", commune_id=commune_id
        )
        return response.content if response is not None else None

    async def aclose(self) -> None:
        await self._api.aclose()


def owner_apis(
    caller: str, settings: NotificationSettings, tokens: Tokens, local: LocalApp
) -> tuple[IntakeApi, ReportingApi]:
    """Intake's and reporting's APIs, called as `caller` at the URLs the settings give."""

    def api(owner: str, url: str) -> ServiceApi:
        return ServiceApi(
            caller, owner, url, tokens=tokens, timeout_s=settings.backend_timeout_s, local=local
        )

    return IntakeApi(api("intake", settings.intake_url)), ReportingApi(
        api("reporting", settings.reporting_url)
    )
