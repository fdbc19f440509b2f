"""The staff pages act through the other services' own HTTP APIs, never their collections:
routing (review queue, reclassify/reassign/confirm/merge, answers), reporting (documents,
follow-up board, the meeting record) and intake's own attendance API. Every call carries a
short-lived token for the signed-in user (shared/auth): the service checks it itself, so the
staff area's own checks are not what keeps it safe.

Each call returns `BackendReply(status, body)`; a service that does not answer becomes status
503 with a Vietnamese message, so a page can say "try again" instead of failing. Reads that
build a page give up after `read_timeout_s` (a stalled service costs a clerk seconds, not half a
minute); changes, issuing and rendered files wait `timeout_s`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import httpx

log = logging.getLogger(__name__)

UNAVAILABLE_VI = "Dịch vụ {name} tạm thời không trả lời; vui lòng thử lại sau ít phút."


@dataclass(frozen=True)
class BackendReply:
    status: int
    body: Any = None
    content: bytes = b""
    media_type: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def reason_vi(self) -> str:
        """The Vietnamese reason the service gave (every error body carries `message_vi`)."""
        body = self.body if isinstance(self.body, dict) else {}
        detail = body.get("detail")
        if (
            isinstance(detail, list)
            and detail
            and isinstance(detail[0], dict)
            and detail[0].get("message_vi")
        ):
            return "; ".join(str(d.get("message_vi")) for d in detail)
        return str(body.get("message_vi") or f"Không thực hiện được (mã {self.status}).")


def _seg(value: str) -> str:
    return quote(value, safe="")


class Backend:
    NAME_VI = "dịch vụ"  # the service as its error messages name it

    def __init__(
        self,
        base_url: str,
        timeout_s: float,
        token: str,
        transport: httpx.AsyncBaseTransport | None = None,
        read_timeout_s: float | None = None,
    ) -> None:
        self._name = self.NAME_VI
        self._base = base_url.rstrip("/")
        self._timeout = timeout_s
        self._read_timeout = min(read_timeout_s, timeout_s) if read_timeout_s else timeout_s
        self._token = token
        self._transport = transport

    async def read(self, path: str) -> BackendReply:
        """A GET whose answer builds a page: it gives up after the page-read timeout."""
        return await self.call("GET", path, timeout_s=self._read_timeout)

    async def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        correlation_id: str | None = None,
        timeout_s: float | None = None,
    ) -> BackendReply:
        headers = {"authorization": f"Bearer {self._token}"}
        if correlation_id:
            headers["x-correlation-id"] = correlation_id
        try:
            async with httpx.AsyncClient(
                base_url=self._base, timeout=timeout_s or self._timeout, transport=self._transport
            ) as client:
                response = await client.request(method, path, json=json, headers=headers)
        except httpx.HTTPError:
            log.warning("backend call failed", exc_info=True, extra={"backend": self._name, "path": path})
            return BackendReply(503, {"message_vi": UNAVAILABLE_VI.format(name=self._name)})
        media_type = response.headers.get("content-type", "")
        body = None
        if media_type.startswith("application/json"):
            try:
                body = response.json()
            except ValueError:
                body = None
        return BackendReply(response.status_code, body, response.content, media_type)


class RoutingBackend(Backend):
    NAME_VI = "phân loại"

    async def review_queue(self, commune_id: str) -> BackendReply:
        return await self.read(f"/api/v1/communes/{_seg(commune_id)}/review-queue")

    async def decision(self, commune_id: str, submission_id: str) -> BackendReply:
        return await self.read(
            f"/api/v1/communes/{_seg(commune_id)}/submissions/{_seg(submission_id)}/routing"
        )

    async def change(
        self, commune_id: str, submission_id: str, change: dict, correlation_id: str
    ) -> BackendReply:
        return await self.call(
            "POST",
            f"/api/v1/communes/{_seg(commune_id)}/submissions/{_seg(submission_id)}/routing/changes",
            json=change,
            correlation_id=correlation_id,
        )

    async def answer(
        self, commune_id: str, submission_id: str, text: str, by: str, correlation_id: str
    ) -> BackendReply:
        return await self.call(
            "PUT",
            f"/api/v1/communes/{_seg(commune_id)}/submissions/{_seg(submission_id)}/answer",
            json={"text": text, "by": by},
            correlation_id=correlation_id,
        )


class ReportingBackend(Backend):
    NAME_VI = "báo cáo, văn bản"

    def _dialogue(self, commune_id: str, dialogue_id: str) -> str:
        return f"/api/v1/communes/{_seg(commune_id)}/dialogues/{_seg(dialogue_id)}"

    async def documents(self, commune_id: str, dialogue_id: str) -> BackendReply:
        return await self.read(f"{self._dialogue(commune_id, dialogue_id)}/documents")

    async def issue(
        self, commune_id: str, dialogue_id: str, kind: str, by: str, correlation_id: str
    ) -> BackendReply:
        return await self.call(
            "POST",
            f"{self._dialogue(commune_id, dialogue_id)}/documents/{_seg(kind)}",
            json={"by": by},
            correlation_id=correlation_id,
        )

    async def readiness(self, commune_id: str, dialogue_id: str, kind: str) -> BackendReply:
        # The check that gates issuing reads every item of the dialogue: it waits as long as
        # issuing does, so a large dialogue is never kept from being issued by the page timeout.
        return await self.call(
            "GET", f"{self._dialogue(commune_id, dialogue_id)}/documents/{_seg(kind)}/readiness"
        )

    async def preview(self, commune_id: str, dialogue_id: str, kind: str, fmt: str) -> BackendReply:
        return await self.call(
            "GET", f"{self._dialogue(commune_id, dialogue_id)}/documents/{_seg(kind)}/preview.{fmt}"
        )

    async def issued_file(self, commune_id: str, document_id: str, fmt: str) -> BackendReply:
        return await self.call(
            "GET", f"/api/v1/communes/{_seg(commune_id)}/documents/{_seg(document_id)}.{fmt}"
        )

    async def follow_up(
        self,
        commune_id: str,
        dialogue_id: str,
        *,
        offset: int = 0,
        limit: int | None = None,
        around: str | None = None,
    ) -> BackendReply:
        """Every task; with `limit`, one page in the board's order (from `offset`, or the page
        holding `around`) with the `total` and the `offset` used."""
        path = f"{self._dialogue(commune_id, dialogue_id)}/follow-up"
        if limit is not None:
            path += "?" + urlencode(
                {"offset": offset, "limit": limit, **({"around": around} if around else {})}
            )
        return await self.read(path)

    async def change_task(
        self,
        commune_id: str,
        task_id: str,
        status: str | None,
        note: str | None,
        by: str,
        correlation_id: str,
    ) -> BackendReply:
        """A move to `status`, or with `status` None a progress note (the status kept)."""
        return await self.call(
            "POST",
            f"/api/v1/communes/{_seg(commune_id)}/follow-up/{_seg(task_id)}/status",
            json={"status": status, "note": note, "by": by},
            correlation_id=correlation_id,
        )

    async def reopen_task(
        self, commune_id: str, task_id: str, reason: str, correlation_id: str
    ) -> BackendReply:
        return await self.call(
            "POST",
            f"/api/v1/communes/{_seg(commune_id)}/follow-up/{_seg(task_id)}/reopen",
            json={"reason": reason},
            correlation_id=correlation_id,
        )

    # ---- the meeting record (the meeting-day page) ----------------------------------------------

    def _meeting(self, commune_id: str, dialogue_id: str) -> str:
        return f"{self._dialogue(commune_id, dialogue_id)}/meeting"

    async def meeting(self, commune_id: str, dialogue_id: str) -> BackendReply:
        return await self.read(self._meeting(commune_id, dialogue_id))

    async def meeting_facts(
        self, commune_id: str, dialogue_id: str, facts: dict, correlation_id: str
    ) -> BackendReply:
        return await self.call(
            "PUT", self._meeting(commune_id, dialogue_id), json=facts, correlation_id=correlation_id
        )

    async def add_programme_item(
        self, commune_id: str, dialogue_id: str, item: dict, correlation_id: str
    ) -> BackendReply:
        return await self.call(
            "POST",
            f"{self._meeting(commune_id, dialogue_id)}/programme",
            json=item,
            correlation_id=correlation_id,
        )

    async def change_programme_item(
        self, commune_id: str, dialogue_id: str, item_id: str, change: dict, correlation_id: str
    ) -> BackendReply:
        """A move (`position`) or a correction (`title`, `at`), at the record's `revision`."""
        return await self.call(
            "PUT",
            f"{self._meeting(commune_id, dialogue_id)}/programme/{_seg(item_id)}",
            json=change,
            correlation_id=correlation_id,
        )

    async def remove_programme_item(
        self, commune_id: str, dialogue_id: str, item_id: str, revision: int, correlation_id: str
    ) -> BackendReply:
        return await self.call(
            "DELETE",
            f"{self._meeting(commune_id, dialogue_id)}/programme/{_seg(item_id)}?"
            + urlencode({"revision": revision}),
            correlation_id=correlation_id,
        )

    async def add_intervention(
        self, commune_id: str, dialogue_id: str, intervention: dict, correlation_id: str
    ) -> BackendReply:
        return await self.call(
            "POST",
            f"{self._meeting(commune_id, dialogue_id)}/interventions",
            json=intervention,
            correlation_id=correlation_id,
        )

    async def edit_intervention(
        self, commune_id: str, dialogue_id: str, intervention_id: str, intervention: dict, correlation_id: str
    ) -> BackendReply:
        return await self.call(
            "PUT",
            f"{self._meeting(commune_id, dialogue_id)}/interventions/{_seg(intervention_id)}",
            json=intervention,
            correlation_id=correlation_id,
        )

    async def set_summary(
        self,
        commune_id: str,
        dialogue_id: str,
        issue_key: str,
        summary: str,
        correlation_id: str,
        public: bool = True,
    ) -> BackendReply:
        return await self.call(
            "PUT",
            f"{self._meeting(commune_id, dialogue_id)}/issues/{_seg(issue_key)}",
            json={"summary": summary, "public": public},
            correlation_id=correlation_id,
        )

    async def conclude(
        self, commune_id: str, dialogue_id: str, issue_key: str, conclusion: dict, correlation_id: str
    ) -> BackendReply:
        return await self.call(
            "PUT",
            f"{self._meeting(commune_id, dialogue_id)}/conclusions/{_seg(issue_key)}",
            json=conclusion,
            correlation_id=correlation_id,
        )
