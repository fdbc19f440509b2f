"""Reporting's public open data as intake's residents' pages read it: the reviewed, masked rows
of a dialogue's conclusions (reporting's `GET …/open-data.json`), through reporting's HTTP API
with intake's own service token (shared/service_api.py); and how a repeat's earlier rounds ended
as the staff item page reads it, with the signed-in user's token (`earlier_followup`). Intake
never reads reporting's collections."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from services.intake.settings import IntakeSettings
from shared.runtime import Runtime
from shared.service_api import ServiceApi

# Submissions asked of reporting's published view in one call (its limit: `published.MAX_ASKED`).
ASKED_AT_ONCE = 200
# Earlier submissions asked of reporting's earlier-followup in one call (its `MAX_ASKED`).
EARLIER_AT_ONCE = 50


@dataclass(frozen=True)
class PublicConclusions:
    """What reporting publishes about one dialogue: `concluded` once the conclusion notice is
    issued; `rows` hold only reviewed, masked summaries."""

    concluded: bool
    rows: list[dict[str, Any]]
    columns: list[dict[str, str]]
    csv_path: str
    xlsx_path: str
    total: int | None = None  # rows of the whole dialogue (`rows` may be one page of them)


@dataclass(frozen=True)
class PublishedSummaries:
    """By submission id: `summaries` the reviewed, masked text a public view may show; `withheld`
    the submissions of issues kept out of public views; once the conclusion notice is issued,
    `agencies` who acts on it as the Secretary concluded (the office assigned, the higher-level
    body recommended to) and, for an issue answered or explained at the meeting, `outcomes` its
    `kind` and `note` (the published conclusion, masked), offices named as the dialogue's documents
    print them; `offices` that naming for the rest (an office name as routing or follow-up stored it
    -> the title of the dialogue's era, "Phòng Kinh tế" -> "Công chức Địa chính - …" for 2017;
    empty when they are the same)."""

    summaries: dict[str, str]
    withheld: frozenset[str]
    agencies: dict[str, str] = field(default_factory=dict)
    outcomes: dict[str, dict[str, str]] = field(default_factory=dict)
    offices: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class EarlierRound:
    """How one earlier round of a repeat ended: the follow-up of that round's conclusion, as the
    documents print it (`line_vi`: "Đợt năm 2016: kết luận “…”; kết quả: …")."""

    year: int
    conclusion: str
    status: str
    outcome_vi: str
    line_vi: str


class Reply(Protocol):
    @property
    def ok(self) -> bool: ...
    @property
    def body(self) -> Any: ...


class PageReader(Protocol):
    """A backend client of reporting for the signed-in user (staff pages' `ReportingBackend`)."""

    async def read(self, path: str) -> Reply: ...


async def earlier_followup(
    reporting: PageReader, commune_id: str, dialogue_id: str, submission_ids: Sequence[str]
) -> dict[str, EarlierRound] | None:
    """By earlier submission id (of `submission_ids`, raised in dialogues before `dialogue_id`):
    the follow-up of its round, as reporting reads it for the user (masked unless the user reads
    residents' texts as typed); a submission no follow-up is on record for is absent. None when
    reporting did not answer or refused the user."""
    asked = list(dict.fromkeys(submission_ids))
    path = (
        f"/api/v1/communes/{quote(commune_id, safe='')}/dialogues/{quote(dialogue_id, safe='')}"
        "/earlier-followup"
    )
    found: dict[str, EarlierRound] = {}
    for i in range(0, len(asked), EARLIER_AT_ONCE):
        chunk = ",".join(asked[i : i + EARLIER_AT_ONCE])
        reply = await reporting.read(f"{path}?{urlencode({'submission_id': chunk})}")
        if not reply.ok or not isinstance(reply.body, dict):
            return None
        for sid, r in (reply.body.get("rounds") or {}).items():
            found[str(sid)] = EarlierRound(
                year=int(r.get("year") or 0),
                conclusion=str(r.get("conclusion") or ""),
                status=str(r.get("status") or ""),
                outcome_vi=str(r.get("outcome_vi") or ""),
                line_vi=str(r.get("line_vi") or ""),
            )
    return found


class ReportingOpenData:
    def __init__(self, api: ServiceApi) -> None:
        self._api = api

    @classmethod
    def for_intake(cls, rt: Runtime[IntakeSettings]) -> ReportingOpenData:
        """Reporting's API at `DOITHOAI_REPORTING_URL` (`inprocess`: this same process)."""
        settings = rt.settings
        api = ServiceApi(
            "intake",
            "reporting",
            settings.reporting_url,
            tokens=rt.tokens,
            timeout_s=settings.backend_timeout_s,
            local=rt.local_app,
        )
        return cls(api)

    async def conclusions(
        self,
        commune_id: str,
        dialogue_id: str,
        offset: int = 0,
        limit: int | None = None,
        hamlet: str | None = None,
    ) -> PublicConclusions | None:
        """None: reporting knows no such dialogue. `limit` rows from `offset` (None: every row),
        of the issues `hamlet` raised (among others) when one is named (`total` counts those).
        Raises TransientError when reporting does not answer."""
        path = (
            f"/api/v1/communes/{quote(commune_id, safe='')}/dialogues/{quote(dialogue_id, safe='')}/open-data"
        )
        params = {"offset": str(offset), "limit": str(limit)} if limit is not None else {}
        if hamlet:
            params["hamlet"] = hamlet
        response = await self._api.get(f"{path}.json", commune_id=commune_id, params=params or None)
        if response is None:
            return None
        data = response.json()
        return PublicConclusions(
            concluded=bool(data.get("concluded")),
            rows=list(data.get("rows") or []),
            columns=list(data.get("columns") or []),
            csv_path=f"{path}.csv",
            xlsx_path=f"{path}.xlsx",
            total=int(data["total"]) if isinstance(data.get("total"), int) else None,
        )

    async def published(
        self, commune_id: str, dialogue_id: str, submission_ids: Sequence[str] | None = None
    ) -> PublishedSummaries:
        """Per submission of the dialogue (or of `submission_ids` only, asked `ASKED_AT_ONCE` at a
        time, so a page of Open311 never makes reporting read the whole dialogue): its issue's
        public reviewed summary (masked), or that the Party office keeps it out of public views.
        Raises TransientError when reporting does not answer; reporting not knowing the dialogue
        publishes nothing and withholds nothing."""
        path = (
            f"/api/v1/communes/{quote(commune_id, safe='')}/dialogues/{quote(dialogue_id, safe='')}"
            "/meeting/published"
        )
        asked = list(dict.fromkeys(submission_ids)) if submission_ids is not None else None
        chunks = (
            [None]
            if asked is None
            else [asked[i : i + ASKED_AT_ONCE] for i in range(0, len(asked), ASKED_AT_ONCE)]
        )
        found = PublishedSummaries(summaries={}, withheld=frozenset(), agencies={}, outcomes={})
        for chunk in chunks:
            params = {"submission_id": ",".join(chunk)} if chunk is not None else None
            response = await self._api.get(path, commune_id=commune_id, params=params)
            data = response.json() if response is not None else {}
            found = PublishedSummaries(
                summaries=found.summaries
                | {str(k): str(v) for k, v in (data.get("summaries") or {}).items()},
                withheld=found.withheld | frozenset(str(i) for i in data.get("withheld") or ()),
                agencies=found.agencies
                | {str(k): str(v) for k, v in (data.get("agencies") or {}).items() if v},
                outcomes=found.outcomes
                | {
                    str(k): {"kind": str(v.get("kind") or ""), "note": str(v.get("note") or "")}
                    for k, v in (data.get("outcomes") or {}).items()
                    if isinstance(v, dict)
                },
                offices=found.offices
                | {str(k): str(v) for k, v in (data.get("offices") or {}).items() if k and v},
            )
        return found

    async def aclose(self) -> None:
        await self._api.aclose()
