"""Mail headers that survive the trip: Vietnamese text and stable Message-IDs."""

from __future__ import annotations

import re
from email import policy
from email.header import Header
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import parseaddr
from functools import lru_cache

from shared.errors import PermanentError


class _BuiltHeaderClasses(HeaderRegistry):
    """The standard registry, with each header's class made once up front: `HeaderRegistry`
    creates a new class with `type()` for every header set, a large share of the CPU of building
    an e-mail. The headers it builds serialise exactly as the standard policy's (tested).
    Nothing changes after construction."""

    def __init__(self) -> None:
        super().__init__()
        self._built = {name: HeaderRegistry.__getitem__(self, name) for name in self.registry}
        self._other = HeaderRegistry.__getitem__(self, "x-other")  # every name not in the registry

    def __getitem__(self, name: str):
        return self._built.get(name.lower(), self._other)


MAIL_POLICY = policy.default.clone(header_factory=_BuiltHeaderClasses())


def new_message() -> EmailMessage:
    """An empty e-mail with the standard policy, built with `MAIL_POLICY`'s header classes."""
    return EmailMessage(policy=MAIL_POLICY)


def set_encoded(message: EmailMessage, name: str, text: str, *, trailer: str | None = None) -> None:
    """Store a header already RFC 2047-encoded and folded.

    Python 3.11's `email` folder drops the space at a fold between two encoded words ("đối
    thoại giữa" arrives as "đối thoạigiữa"), and aiosmtplib always re-serialises with
    `policy.SMTP`. `email.header.Header` keeps spaces inside the encoded words, and a
    pre-folded raw value with short lines is emitted verbatim by every policy."""
    message.set_raw(name, _encoded(name, text, trailer))


@lru_cache(maxsize=256)
def _encoded(name: str, text: str, trailer: str | None) -> str:
    """The encoded, folded value (a pure function: the same sender is encoded for every e-mail,
    so a bounded memo)."""
    header = Header(text, "utf-8", header_name=name)
    if trailer:
        header.append(trailer, "us-ascii")
    return header.encode()


def set_address(message: EmailMessage, name: str, value: str) -> None:
    """`Văn phòng Đảng ủy <vp@example>` as an encoded display name and a plain address."""
    display, address = parseaddr(value)
    if display:
        set_encoded(message, name, display, trailer=f"<{address}>")
    else:
        message[name] = address or value


_NOT_IN_RECIPIENT = re.compile(r"[\r\n,;]")


def recipient(address: str) -> str:
    """The one address an e-mail is for. A value with CR/LF, ',' or ';' could name more people
    or inject headers: it is refused (permanently: sending it again changes nothing)."""
    if not address or _NOT_IN_RECIPIENT.search(address):
        raise PermanentError(f"refusing recipient {address[:80]!r}: one plain address expected")
    return address


def check_single_recipient(message: EmailMessage) -> None:
    """Every e-mail goes to exactly one address (To, Cc and Bcc together)."""
    addresses = [
        a for name in ("To", "Cc", "Bcc") for header in message.get_all(name, []) for a in header.addresses
    ]
    if len(addresses) != 1 or any(_NOT_IN_RECIPIENT.search(a.addr_spec) for a in addresses):
        raise PermanentError(f"refusing an e-mail to {len(addresses)} addresses: exactly one expected")


def _part(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", value).strip("-") or "x"


def stable_message_id(*parts: str, domain: str) -> str:
    """The same parts give the same Message-ID, so a copy re-sent after a crash can be dropped
    by mail systems (email.utils.make_msgid adds the time and a random number)."""
    return f"<{'.'.join(_part(p) for p in parts)}@{_part(domain)}.doithoai>"
