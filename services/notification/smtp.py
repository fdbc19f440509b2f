"""Sending e-mail over SMTP; SMTP failures sorted into retryable and permanent."""

from __future__ import annotations

import asyncio
import socket
import time
from email.message import EmailMessage
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib
from aiosmtplib.email import extract_sender

from services.notification.headers import check_single_recipient
from shared.errors import PermanentError, TransientError

# The headers `extract_sender` reads (lower case), and how many distinct sets of them are kept.
_SENDER_HEADERS = frozenset({"resent-date", "resent-sender", "resent-from", "sender", "from"})
_SENDERS_KEPT = 64


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpSender:
    """`smtp://[user:pass@]host:port` (STARTTLS when offered) or `smtps://` (implicit TLS).

    Connections are kept between e-mails (at most `keep` idle ones, each for at most `idle_s`):
    opening one costs a TCP (and TLS) handshake, EHLO and perhaps a login, more than sending a
    message. A connection that failed is never used again. If the server dropped a kept
    connection, the e-mail goes once more on a new one: the same message with the same
    Message-ID, as any retry."""

    def __init__(self, url: str, timeout_s: float, *, keep: int = 4, idle_s: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"SMTP_URL must look like smtp://host:port, got {url!r}")
        self._host = parts.hostname
        self._port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self._tls = parts.scheme == "smtps"
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._timeout = timeout_s
        self._keep, self._idle_s = keep, idle_s
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []  # connected, not in use; when last used
        self._local_hostname: str | None = None  # the name this client gives in EHLO
        self._senders: dict[tuple[tuple[str, str], ...], str] = {}  # see `_sender_of`

    async def send(self, message: EmailMessage) -> None:
        check_single_recipient(message)
        try:
            await self._send(message, self._sender_of(message))
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"recipients refused: {exc}") from exc
        except aiosmtplib.SMTPResponseException as exc:
            if 400 <= exc.code < 500:
                raise TransientError(f"SMTP {exc.code}: {exc.message}") from exc
            raise PermanentError(f"SMTP {exc.code}: {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise TransientError(f"SMTP unavailable: {exc}") from exc

    async def close(self) -> None:
        """Say QUIT on every kept connection (at shutdown)."""
        idle, self._idle = self._idle, []
        for client, _ in idle:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()

    def _sender_of(self, message: EmailMessage) -> str | None:
        """The envelope sender aiosmtplib would take from the headers (`extract_sender`), parsed
        once per distinct set of the headers it reads: every e-mail has the same From, and
        parsing an encoded From is a large share of the CPU of sending one."""
        key = tuple((n.lower(), str(v)) for n, v in message.raw_items() if n.lower() in _SENDER_HEADERS)
        sender = self._senders.get(key)
        if sender is None:
            sender = extract_sender(message)
            if sender is None:
                return None  # send_message raises its own error for it
            if len(self._senders) >= _SENDERS_KEPT:
                self._senders.clear()
            self._senders[key] = sender
        return sender

    async def _send(self, message: EmailMessage, sender: str | None) -> None:
        if (kept := self._take_kept()) is not None:
            try:
                await kept.send_message(message, sender=sender)
            except (aiosmtplib.SMTPServerDisconnected, ConnectionError):
                kept.close()  # the server dropped it while it waited: send on a new one
            except BaseException:
                kept.close()
                raise
            else:
                self._give_back(kept)
                return
        client = await self._connect()
        try:
            await client.send_message(message, sender=sender)
        except BaseException:
            client.close()
            raise
        self._give_back(client)

    def _take_kept(self) -> aiosmtplib.SMTP | None:
        now = time.monotonic()
        while self._idle:
            client, last_used = self._idle.pop()  # the most recently used first
            if now - last_used < self._idle_s and client.is_connected:
                return client
            client.close()
        return None

    def _give_back(self, client: aiosmtplib.SMTP) -> None:
        if len(self._idle) < self._keep and client.is_connected:
            self._idle.append((client, time.monotonic()))
        else:
            client.close()

    async def _connect(self) -> aiosmtplib.SMTP:
        if self._local_hostname is None:
            # Looked up once: left to aiosmtplib, every connection runs socket.getfqdn() in a
            # worker thread (a thread hop per connection, and a DNS look-up where one is configured).
            self._local_hostname = await asyncio.to_thread(socket.getfqdn)
        client = aiosmtplib.SMTP(
            hostname=self._host,
            port=self._port,
            local_hostname=self._local_hostname,
            use_tls=self._tls,
            start_tls=None if not self._tls else False,
            username=self._username,
            password=self._password,
            timeout=self._timeout,
        )
        try:
            await client.connect()  # EHLO, STARTTLS when offered, and the login when configured
        except BaseException:
            client.close()
            raise
        return client
