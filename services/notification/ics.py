"""Delegate invitations (giấy mời đại biểu): the iCalendar entry and the e-mail carrying it (pure).

One event per dialogue: its UID is the same for every recipient and every version, so a new
invitation (higher SEQUENCE) replaces the entry in the delegate's calendar and a CANCEL removes
it. SEQUENCE 0 is the first issue; `invitation_sequence(dialogue)` maps a dialogue's version to
it (version 1 -> 0). A CANCEL must carry a SEQUENCE higher than the last REQUEST's.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress
from jinja2 import Environment

from services.notification.headers import new_message, recipient, set_address, set_encoded, stable_message_id
from shared.directory import Commune, Delegate, Dialogue
from shared.errors import PermanentError
from shared.templates import vn_weekday

PRODID = "-//doithoai//Giay moi doi thoai//VI"
ATTACHMENT_NAME = "giay-moi.ics"
Method = Literal["REQUEST", "CANCEL"]


# Monday = 0, as date.weekday() counts.
def event_uid(commune: Commune, dialogue: Dialogue) -> str:
    return f"{dialogue.id}@{commune.id}.doithoai"


def invitation_sequence(dialogue: Dialogue) -> int:
    """The SEQUENCE of the REQUEST that announces `dialogue.version` (version 1 -> 0)."""
    return max(dialogue.version - 1, 0)


def meeting_title(dialogue: Dialogue) -> str:
    return f"Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year}"


def meeting_location(commune: Commune, dialogue: Dialogue) -> str:
    return f"{dialogue.venue}, {commune.display_name}, {commune.province}"


def meeting_start(dialogue: Dialogue) -> datetime:
    return datetime.combine(dialogue.meeting_date, dialogue.meeting_time, tzinfo=ZoneInfo(dialogue.timezone))


def meeting_end(dialogue: Dialogue) -> datetime:
    return meeting_start(dialogue) + timedelta(minutes=dialogue.duration_minutes)


def meeting_when(dialogue: Dialogue) -> str:
    """`07 giờ 30, thứ Bảy, ngày 25/03/2017`, as a printed invitation writes it."""
    t, d = dialogue.meeting_time, dialogue.meeting_date
    return f"{t.hour:02d} giờ {t.minute:02d}, {vn_weekday(d)}, ngày {d.day:02d}/{d.month:02d}/{d.year}"


@lru_cache(maxsize=32)
def _vtimezone(tzid: str, year: int) -> bytes:
    # Building a VTIMEZONE walks the zone's transitions; cache it, and keep it short by starting
    # in the meeting's year (a VTIMEZONE only has to cover the times the calendar uses).
    first = date(year - 1, 1, 1)
    last = max(date(2038, 1, 1), date(year + 2, 1, 1))
    return Timezone.from_tzid(tzid, first_date=first, last_date=last).to_ical()


def _description(dialogue: Dialogue) -> str:
    lines = [f"Chủ đề: {dialogue.theme}"]
    if dialogue.agenda:
        lines += ["", "Chương trình:"]
        lines += [f"{n}. {line}" for n, line in enumerate(dialogue.agenda, start=1)]
    return "\n".join(lines)


def _organizer_name(commune: Commune) -> str:
    office = commune.office(commune.party_office_id)
    return f"{office.name if office else 'Văn phòng Đảng ủy'} {commune.display_name}"


def invitation_ics(
    commune: Commune,
    dialogue: Dialogue,
    *,
    attendee_name: str,
    attendee_email: str,
    organizer_email: str,
    sequence: int,
    method: Method,
    stamp: datetime | None = None,
) -> bytes:
    """An iTIP (RFC 5546) REQUEST or CANCEL for one attendee. `stamp` (DTSTAMP) defaults to now."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"method must be REQUEST or CANCEL, got {method!r}")
    if sequence < 0:
        raise ValueError(f"sequence must be >= 0, got {sequence}")
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)

    calendar = Calendar()  # not Calendar.new(): that adds a random calendar UID
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(Timezone.from_ical(_vtimezone(dialogue.timezone, dialogue.meeting_date.year)))

    event = Event()
    event.add("uid", event_uid(commune, dialogue))
    event.add("sequence", sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", meeting_start(dialogue))
    event.add("dtend", meeting_end(dialogue))
    event.add("summary", meeting_title(dialogue))
    event.add("location", meeting_location(commune, dialogue))
    event.add("description", _description(dialogue))
    event.add("status", "CONFIRMED" if method == "REQUEST" else "CANCELLED")
    event.add("transp", "OPAQUE")

    organizer = vCalAddress(f"mailto:{organizer_email}")
    organizer.params["CN"] = _organizer_name(commune)
    event.add("organizer", organizer)

    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["CN"] = attendee_name
    attendee.params["CUTYPE"] = "INDIVIDUAL"
    attendee.params["ROLE"] = "REQ-PARTICIPANT"
    attendee.params["PARTSTAT"] = "NEEDS-ACTION"
    attendee.params["RSVP"] = "TRUE"
    event.add("attendee", attendee)

    calendar.add_component(event)
    return calendar.to_ical()


def invitation_message_id(commune: Commune, dialogue: Dialogue, delegate: Delegate, method: Method) -> str:
    """Stable per (dialogue, version, delegate, method): a copy re-sent after a crash can be
    dropped by mail systems, while a new version or a cancellation is a new message."""
    return stable_message_id(
        "giay-moi", dialogue.id, f"v{dialogue.version}", method.lower(), delegate.id, domain=commune.id
    )


def invitation_subject(dialogue: Dialogue, *, sequence: int, method: Method) -> str:
    d = dialogue.meeting_date
    tag = "[Hủy]" if method == "CANCEL" else ("[Giấy mời - cập nhật]" if sequence > 0 else "[Giấy mời]")
    return f"{tag} {meeting_title(dialogue)} ngày {d.day:02d}/{d.month:02d}/{d.year}"


def invitation_email(
    env: Environment,
    commune: Commune,
    dialogue: Dialogue,
    delegate: Delegate,
    *,
    sender: str,
    sequence: int,
    method: Method,
    ics: bytes,
) -> EmailMessage:
    """The giấy mời e-mail: Vietnamese plain text, the .ics attached as text/calendar.

    `env` is the notification environment (`services.notification.messages.environment()`).
    Raises PermanentError when the delegate has no e-mail address."""
    if not delegate.email:
        raise PermanentError(f"delegate {delegate.id!r} has no e-mail address")
    context = {
        "commune": commune,
        "dialogue": dialogue,
        "delegate": delegate,
        "method": method,
        "is_update": method == "REQUEST" and sequence > 0,
        "title": meeting_title(dialogue),
        "when": meeting_when(dialogue),
        "location": meeting_location(commune, dialogue),
        "organizer": _organizer_name(commune),
    }
    message = new_message()
    set_address(message, "From", sender)
    set_encoded(message, "To", delegate.name, trailer=f"<{recipient(delegate.email)}>")
    set_encoded(message, "Subject", invitation_subject(dialogue, sequence=sequence, method=method))
    message["Message-ID"] = invitation_message_id(commune, dialogue, delegate, method)
    message["X-Doithoai-Dialogue"] = f"{commune.id}/{dialogue.id}/v{dialogue.version}"
    message.set_content(env.get_template("delegate_invitation.txt").render(context))
    message.add_attachment(
        ics,
        maintype="text",
        subtype="calendar",
        params={"method": method, "charset": "UTF-8"},
        filename=ATTACHMENT_NAME,
    )
    return message
