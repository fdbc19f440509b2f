"""Mail headers that survive the trip: Vietnamese text and stable Message-IDs."""

from __future__ import annotations

import re
from collections.abc import Sequence
from email import policy
from email.contentmanager import _encode_text  # type: ignore[attr-defined]  # set_content's own
from email.header import Header
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import parseaddr
from functools import lru_cache
from typing import Any

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
    display, address = _split_address(value)
    if display:
        set_encoded(message, name, display, trailer=f"<{address}>")
    else:
        set_plain(message, name, address or value)


@lru_cache(maxsize=256)
def _split_address(value: str) -> tuple[str, str]:
    """`parseaddr` of a sender (a pure function: every e-mail has the same From, so a bounded memo)."""
    return parseaddr(value)


# Values the standard policy stores and writes back unchanged, by header: a plain address, a
# Message-ID of letters, digits, '.', '_' and '-', and a word of those (with ':' and '@') in an
# unstructured header. Anything else goes through the policy's parser (see `set_plain`).
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"{_ATEXT}(?:\.{_ATEXT})*@{_LABEL}(?:\.{_LABEL})*")
_AS_WRITTEN = {
    "to": _ADDRESS,
    "cc": _ADDRESS,
    "from": _ADDRESS,
    "message-id": re.compile(r"<[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*@[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*>"),
    "x-doithoai-notification": re.compile(r"[A-Za-z0-9._:@-]+"),
}
_LINE = 78  # the standard policy's max_line_length: a longer header line is refolded


def set_plain(message: EmailMessage, name: str, value: str) -> None:
    """`message[name] = value`, without the parse: a value of `_AS_WRITTEN`'s form, short enough
    for one line, is stored as its own text, which every policy writes out exactly as it would
    the parsed header (tested byte for byte). Parsing each header into an object and folding it
    back when sending is most of the CPU of building and sending an e-mail; reading the header
    back still parses it, as for any header stored raw. Other values are parsed as usual."""
    pattern = _AS_WRITTEN.get(name.lower())
    if pattern is None or len(name) + 2 + len(value) > _LINE or not pattern.fullmatch(value):
        message[name] = value
        return
    max_count = message.policy.header_max_count(name)  # as `message[name] = value` checks it
    if max_count and sum(n.lower() == name.lower() for n in message.keys()) >= max_count:
        raise ValueError(f"There may be at most {max_count} {name} headers in a message")
    message.set_raw(name, value)


# What `set_content(str)` stores in a new message: the Content-Type with its charset, the
# transfer encoding, and MIME-Version (EmailMessage adds it), in this order.
_TEXT_PLAIN_UTF8 = 'text/plain; charset="utf-8"'


def set_text(message: EmailMessage, text: str) -> None:
    """`message.set_content(text)` for a message that has no content yet: text/plain in UTF-8,
    with the transfer encoding the standard heuristics choose (`email.contentmanager`'s own
    `_encode_text`, 7bit, 8bit, quoted-printable or base64), and the same headers in the same
    order, stored as their text (`set_plain`'s reason). A message that already has content
    headers goes through `set_content`."""
    if "MIME-Version" in message or any(n.lower().startswith("content-") for n in message.keys()):
        message.set_content(text)
        return
    cte, payload = _encode_text(text, "utf-8", None, message.policy)
    message.set_raw("Content-Type", _TEXT_PLAIN_UTF8)
    message.set_payload(payload)
    message.set_raw("Content-Transfer-Encoding", cte)
    message.set_raw("MIME-Version", "1.0")


_NOT_IN_RECIPIENT = re.compile(r"[\r\n,;]")


def recipient(address: str) -> str:
    """The one address an e-mail is for. A value with CR/LF, ',' or ';' could name more people
    or inject headers: it is refused (permanently: sending it again changes nothing)."""
    if not address or _NOT_IN_RECIPIENT.search(address):
        raise PermanentError(f"refusing recipient {address[:80]!r}: one plain address expected")
    return address


def check_single_recipient(message: EmailMessage) -> str:
    """Every e-mail goes to exactly one address (To, Cc and Bcc together): that address."""
    addresses = [
        address
        for name, value in message.raw_items()
        if name.lower() in _RECIPIENT_HEADERS
        for address in _addresses(message.policy, name.lower(), value)
    ]
    if len(addresses) != 1 or _NOT_IN_RECIPIENT.search(addresses[0]):
        raise PermanentError(f"refusing an e-mail to {len(addresses)} addresses: exactly one expected")
    return addresses[0]


_RECIPIENT_HEADERS = frozenset({"to", "cc", "bcc"})


def _addresses(mail_policy: policy.Policy, name: str, value: object) -> Sequence[str]:
    """The addresses (`addr_spec`) of one address header as `message.get_all(name)` gives it: a
    parsed header as it is, a raw value parsed as the message's policy parses it on reading."""
    parsed = getattr(value, "addresses", None)
    if parsed is not None:
        return [a.addr_spec for a in parsed]
    return _parsed_addresses(mail_policy, name, str(value))


@lru_cache(maxsize=256)
def _parsed_addresses(mail_policy: policy.Policy, name: str, value: str) -> tuple[str, ...]:
    """A pure function of the policy and the text (offices get many e-mails each: a bounded memo)."""
    header: Any = mail_policy.header_fetch_parse(name, value)  # an AddressHeader
    return tuple(a.addr_spec for a in header.addresses)


def _part(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", value).strip("-") or "x"


def stable_message_id(*parts: str, domain: str) -> str:
    """The same parts give the same Message-ID, so a copy re-sent after a crash can be dropped
    by mail systems (email.utils.make_msgid adds the time and a random number)."""
    return f"<{'.'.join(_part(p) for p in parts)}@{_part(domain)}.doithoai>"
