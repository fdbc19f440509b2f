"""Mail headers that survive the trip: Vietnamese text and stable Message-IDs."""

from __future__ import annotations

import re
from email.header import Header
from email.message import EmailMessage
from email.utils import parseaddr


def set_encoded(message: EmailMessage, name: str, text: str, *, trailer: str | None = None) -> None:
    """Store a header already RFC 2047-encoded and folded.

    Python 3.11's `email` folder drops the space at a fold between two encoded words ("đối
    thoại giữa" arrives as "đối thoạigiữa"), and aiosmtplib always re-serialises with
    `policy.SMTP`. `email.header.Header` keeps spaces inside the encoded words, and a
    pre-folded raw value with short lines is emitted verbatim by every policy."""
    header = Header(text, "utf-8", header_name=name)
    if trailer:
        header.append(trailer, "us-ascii")
    message.set_raw(name, header.encode())


def set_address(message: EmailMessage, name: str, value: str) -> None:
    """`Văn phòng Đảng ủy <vp@example>` as an encoded display name and a plain address."""
    display, address = parseaddr(value)
    if display:
        set_encoded(message, name, display, trailer=f"<{address}>")
    else:
        message[name] = address or value


def _part(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", value).strip("-") or "x"


def stable_message_id(*parts: str, domain: str) -> str:
    """The same parts give the same Message-ID, so a copy re-sent after a crash can be dropped
    by mail systems (email.utils.make_msgid adds the time and a random number)."""
    return f"<{'.'.join(_part(p) for p in parts)}@{_part(domain)}.doithoai>"
