"""Sending e-mail over SMTP; SMTP failures sorted into retryable and permanent."""

from __future__ import annotations

import asyncio
import socket
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from shared.errors import PermanentError, TransientError


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpSender:
    """`smtp://[user:pass@]host:port` (STARTTLS when offered) or `smtps://` (implicit TLS)."""

    def __init__(self, url: str, timeout_s: float) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"SMTP_URL must look like smtp://host:port, got {url!r}")
        self._host = parts.hostname
        self._port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self._tls = parts.scheme == "smtps"
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._timeout = timeout_s
        self._local_hostname: str | None = None  # the name this client gives in EHLO

    async def send(self, message: EmailMessage) -> None:
        if self._local_hostname is None:
            # Looked up once: left to aiosmtplib, every connection runs socket.getfqdn() in a
            # worker thread (a thread hop per e-mail, and a DNS look-up where one is configured).
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        try:
            await aiosmtplib.send(
                message,
                hostname=self._host,
                local_hostname=self._local_hostname,
                port=self._port,
                use_tls=self._tls,
                start_tls=None if not self._tls else False,
                username=self._username,
                password=self._password,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"recipients refused: {exc}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 500:
                raise TransientError(f"SMTP {exc.code}: {exc.message}") from exc
            raise PermanentError(f"SMTP {exc.code}: {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TransientError(f"SMTP unavailable: {exc}") from exc
