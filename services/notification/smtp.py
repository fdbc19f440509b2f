"""Sending e-mail over SMTP; SMTP failures sorted into retryable and permanent."""

from __future__ import annotations

import asyncio
import re
import socket
import time
from email import policy
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
# Headers aiosmtplib leaves out of what it sends (`flatten_message`), lower case.
_NOT_SENT = frozenset({"bcc", "resent-bcc"})
_LINE_END = re.compile(r"\r\n|\r|\n")  # the generator's own (`email.generator.NLCRE`)
_TEXT_TYPE = re.compile(r"text/[A-Za-z0-9.+-]+\s*(;|$)", re.IGNORECASE)


def wire_bytes(message: EmailMessage) -> bytes | None:
    """What aiosmtplib sends for `message` to a server with 8BITMIME and plain-ASCII addresses
    (`flatten_message(message, utf8=False, cte_type="8bit")`: `email.policy.SMTP`'s
    `BytesGenerator` on a copy without Bcc), written directly for a single-part text message,
    the only kind notification sends without an attachment; None for any other message, which
    then goes through aiosmtplib's own path. The generator re-reads and re-parses the content
    headers for every message; this writes each header as the generator does
    (`policy.fold_binary`) and the body as its `_write_lines` does (tested byte for byte)."""
    if not isinstance(message, EmailMessage):
        return None  # aiosmtplib writes other messages with the compat32 policy
    payload = message._payload  # type: ignore[attr-defined]  # what the generator writes
    if message.is_multipart() or not isinstance(payload, str):
        return None
    content_types = [v for n, v in message.raw_items() if n.lower() == "content-type"]
    if len(content_types) != 1 or not _TEXT_TYPE.match(str(content_types[0])):
        return None  # only text/* goes through the generator's `_handle_text` unchanged
    try:
        head = b"".join(
            policy.SMTP.fold_binary(name, value)
            for name, value in message.raw_items()
            if name.lower() not in _NOT_SENT
        )
        return head + b"\r\n" + "\r\n".join(_LINE_END.split(payload)).encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return None  # aiosmtplib's path raises its own error for it


class EmailSender(Protocol):
    async def send(self, message: EmailMessage) -> None: ...


class SmtpSender:
    """`smtp://[user:pass@]host:port` (STARTTLS when offered) or `smtps://` (implicit TLS).

    At most `connections` e-mails are on their way at once, each on a connection of its own; a
    further e-mail waits (at most `timeout_s`) for one to be free, so a burst reuses the same
    few connections. Connections are kept between e-mails, each for at most `idle_s`: opening
    one costs a TCP (and TLS) handshake, EHLO and perhaps a login, more than sending a message.
    A connection that failed is never used again. If the server dropped a kept connection, the
    e-mail goes once more on a new one: the same message with the same Message-ID, as any retry.
    What is sent is what aiosmtplib's `send_message` would send (`_transmit`)."""

    def __init__(self, url: str, timeout_s: float, *, connections: int = 8, idle_s: float = 30.0) -> None:
        if connections < 1:
            raise ValueError("at least one SMTP connection is needed")
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError(f"SMTP_URL must look like smtp://host:port, got {url!r}")
        self._host = parts.hostname
        self._port = parts.port or (465 if parts.scheme == "smtps" else 25)
        self._tls = parts.scheme == "smtps"
        self._username = unquote(parts.username) if parts.username else None
        self._password = unquote(parts.password) if parts.password else None
        self._timeout = timeout_s
        self._idle_s = idle_s
        self._slots = asyncio.Semaphore(connections)
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []  # connected, not in use; when last used
        self._local_hostname: str | None = None  # the name this client gives in EHLO
        self._senders: dict[tuple[tuple[str, str], ...], str] = {}  # see `_sender_of`

    async def send(self, message: EmailMessage) -> None:
        address = check_single_recipient(message)
        try:
            await self._send(message, self._sender_of(message), address)
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

    async def _send(self, message: EmailMessage, sender: str | None, address: str) -> None:
        try:
            async with asyncio.timeout(self._timeout):
                await self._slots.acquire()
        except TimeoutError:
            raise TransientError(f"SMTP: every connection still busy after {self._timeout} s") from None
        try:
            if (kept := self._take_kept()) is not None:
                try:
                    await self._transmit(kept, message, sender, address)
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
                await self._transmit(client, message, sender, address)
            except BaseException:
                client.close()
                raise
            self._give_back(client)
        finally:
            self._slots.release()

    @staticmethod
    async def _transmit(
        client: aiosmtplib.SMTP, message: EmailMessage, sender: str | None, address: str
    ) -> None:
        """`client.send_message(message, sender=sender)`, with the recipient already read from
        the headers (`check_single_recipient`, which reads To, Cc and Bcc as aiosmtplib does
        unless the message is resent) and, where aiosmtplib would send `wire_bytes`, those
        bytes with its MAIL options for them."""
        if "Resent-Date" in message:
            await client.send_message(message, sender=sender)
            return
        if sender is not None and client.supports_extension("8bitmime") and (sender + address).isascii():
            if (data := wire_bytes(message)) is not None:
                await client.sendmail(sender, [address], data, mail_options=["BODY=8BITMIME"])
                return
        await client.send_message(message, sender=sender, recipients=[address])

    def _take_kept(self) -> aiosmtplib.SMTP | None:
        now = time.monotonic()
        while self._idle:
            client, last_used = self._idle.pop()  # the most recently used first
            if now - last_used < self._idle_s and client.is_connected:
                return client
            client.close()
        return None

    def _give_back(self, client: aiosmtplib.SMTP) -> None:
        if client.is_connected:
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
