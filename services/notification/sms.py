"""Text messages (SMS / Zalo) to residents through an HTTP gateway; failures sorted into
retryable and permanent, as for SMTP.

The gateway contract: POST JSON `{"to", "text", "idempotency_key"}` (the key also in the
`Idempotency-Key` header, so a gateway may drop a message re-sent after a crash); any 2xx means
accepted. 429, 5xx, connection errors and timeouts are worth retrying; any other status is not.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlsplit

import httpx

from services.notification.ics import meeting_start
from shared.directory import Commune, Dialogue
from shared.errors import PermanentError, TransientError
from shared.templates import vn_weekday

MAX_TEXT_CHARS = 320  # five UCS-2 SMS segments at most; Zalo has room to spare


class SmsSender(Protocol):
    async def send(self, phone: str, text: str, *, idempotency_key: str) -> None: ...


class WebhookSmsSender:
    """One `httpx.AsyncClient` per sender; call `aclose()` when done."""

    def __init__(self, url: str, timeout_s: float, token: str | None = None) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"SMS webhook URL must look like https://host/path, got {url!r}")
        self._url = url
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = httpx.AsyncClient(timeout=timeout_s, headers=headers, follow_redirects=False)

    async def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        try:
            response = await self._client.post(
                self._url,
                json={"to": phone, "text": text, "idempotency_key": idempotency_key},
                headers={"Idempotency-Key": idempotency_key},
            )
        except httpx.TransportError as exc:  # connect/read/write errors, timeouts, protocol errors
            raise TransientError(f"SMS gateway unavailable: {type(exc).__name__}: {exc}") from exc
        status = response.status_code
        if 200 <= status < 300:
            return
        detail = f"SMS gateway HTTP {status}: {response.text[:200]}"
        if status == 429 or status >= 500:
            raise TransientError(detail)
        raise PermanentError(detail)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> WebhookSmsSender:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


def _clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    if limit <= 1:
        return "…"[:limit]
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:.") + "…"


def resident_invitation_text(commune: Commune, dialogue: Dialogue, hamlet_name: str) -> str:
    """A short invitation (≤ 320 characters) from a hamlet party cell to its residents: time,
    place, theme in brief, and where to register. The theme is shortened to fit."""
    start = meeting_start(dialogue)
    d = dialogue.meeting_date
    head = (
        f"Chi bộ {hamlet_name} kính mời bà con dự Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân "
        f"{commune.display_name}: {start.hour:02d}g{start.minute:02d} {vn_weekday(d)} "
        f"{d.day:02d}/{d.month:02d}/{d.year}"
        f" tại {dialogue.venue}."
    )
    tail = " Đăng ký dự, gửi ý kiến tại Chi ủy hoặc Ban công tác Mặt trận ấp."
    theme_prefix = " Chủ đề: "
    room = MAX_TEXT_CHARS - len(head) - len(tail) - len(theme_prefix) - 1  # 1 for the final "."
    text = head
    if room >= 20:
        theme = _clip(dialogue.theme.rstrip("."), room)
        text += theme_prefix + theme + ("" if theme.endswith("…") else ".")
    text += tail
    return _clip(text, MAX_TEXT_CHARS)


def resident_cancellation_text(commune: Commune, dialogue: Dialogue) -> str:
    """The SMS that tells invited residents the meeting will not take place as announced."""
    d = dialogue.meeting_date
    return _clip(
        f"{commune.display_name}: HỦY buổi đối thoại giữa Bí thư Đảng ủy với nhân dân ngày "
        f"{d.day:02d}/{d.month:02d}/{d.year}. Thời gian mới sẽ thông báo sau. Trân trọng.",
        MAX_TEXT_CHARS,
    )
