"""Delegate invitations: the .ics entry parsed back with icalendar, and the e-mail carrying it."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtplib.email import flatten_message
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from services.demo.seed import demo_commune, demo_dialogue
from services.notification.ics import (
    event_uid,
    invitation_email,
    invitation_ics,
    invitation_sequence,
    meeting_when,
)
from services.notification.messages import environment
from shared.errors import PermanentError

ORGANIZER = "vanphongdanguy@tanphuoc.example"
STAMP = datetime(2017, 3, 17, 2, 0, tzinfo=UTC)


def build(sequence: int = 0, method: str = "REQUEST", delegate_index: int = 0, dialogue=None) -> bytes:
    dialogue = dialogue or demo_dialogue()
    delegate = dialogue.delegates[delegate_index]
    return invitation_ics(
        demo_commune(),
        dialogue,
        attendee_name=delegate.name,
        attendee_email=delegate.email,
        organizer_email=ORGANIZER,
        sequence=sequence,
        method=method,
        stamp=STAMP,
    )


def parse(ics: bytes):
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_request_calendar_properties() -> None:
    calendar, event = parse(build())
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["VERSION"]) == "2.0"
    assert "doithoai" in str(calendar["PRODID"])
    assert str(event["STATUS"]) == "CONFIRMED"
    assert int(event["SEQUENCE"]) == 0
    assert event["DTSTAMP"].dt == STAMP


def test_vtimezone_for_ho_chi_minh() -> None:
    calendar, _ = parse(build())
    (tz,) = calendar.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Asia/Ho_Chi_Minh"
    # Vietnam is UTC+7 all year: the 2017 meeting must fall in a +0700 observance.
    offsets = {sub["TZOFFSETTO"].td for sub in tz.subcomponents}
    assert timedelta(hours=7) in offsets


def test_start_and_end_in_local_time() -> None:
    ics = build()
    _, event = parse(ics)
    start, end = event["DTSTART"].dt, event["DTEND"].dt
    assert event["DTSTART"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert event["DTEND"].params["TZID"] == "Asia/Ho_Chi_Minh"
    assert str(start.tzinfo) == "Asia/Ho_Chi_Minh"
    assert (start.date(), start.time()) == (date(2017, 3, 25), time(7, 30))
    assert start.utcoffset() == timedelta(hours=7)
    assert end - start == timedelta(minutes=demo_dialogue().duration_minutes)
    assert end.time() == time(11, 30)
    assert b"DTSTART;TZID=Asia/Ho_Chi_Minh:20170325T073000" in ics


def test_uid_stable_across_recipients_and_sequences() -> None:
    uids = {
        str(parse(build(sequence=s, method=m, delegate_index=i))[1]["UID"])
        for s, m in ((0, "REQUEST"), (3, "REQUEST"), (4, "CANCEL"))
        for i in range(3)
    }
    assert uids == {"demo-2017@demo.doithoai"}
    assert uids == {event_uid(demo_commune(), demo_dialogue())}


def test_sequence_follows_argument_and_version() -> None:
    _, event = parse(build(sequence=2))
    assert int(event["SEQUENCE"]) == 2
    assert invitation_sequence(demo_dialogue()) == 0
    assert invitation_sequence(demo_dialogue().model_copy(update={"version": 3})) == 2


def test_cancel() -> None:
    calendar, event = parse(build(sequence=1, method="CANCEL"))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_vietnamese_text_survives() -> None:
    ics = build()
    ics.decode("utf-8")  # valid UTF-8 as a whole
    _, event = parse(ics)
    assert str(event["SUMMARY"]) == "Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm 2017"
    assert str(event["LOCATION"]) == "Nhà văn hóa xã, xã Tân Phước, Đồng Tháp"
    description = str(event["DESCRIPTION"])
    assert demo_dialogue().theme in description
    for line in demo_dialogue().agenda:
        assert line in description
    # RFC 5545 3.1: lines of at most 75 octets, folded without splitting a UTF-8 character.
    for line in ics.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")


def test_organizer_and_attendee() -> None:
    delegate = demo_dialogue().delegates[1]
    _, event = parse(build(delegate_index=1))
    organizer, attendee = event["ORGANIZER"], event["ATTENDEE"]
    assert str(organizer) == f"mailto:{ORGANIZER}"
    assert str(attendee) == f"mailto:{delegate.email}"
    assert attendee.params["CN"] == delegate.name
    assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
    assert attendee.params["RSVP"] == "TRUE"
    assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"


def test_rejects_bad_method_and_sequence() -> None:
    with pytest.raises(ValueError):
        build(method="PUBLISH")
    with pytest.raises(ValueError):
        build(sequence=-1)


@settings(max_examples=40, deadline=None)
@given(
    venue=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=200
    )
    .map(str.strip)
    .filter(bool)
)
def test_any_venue_round_trips(venue: str) -> None:
    ics = build(dialogue=demo_dialogue().model_copy(update={"venue": venue}))
    _, event = parse(ics)
    assert str(event["LOCATION"]) == f"{venue}, xã Tân Phước, Đồng Tháp"
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))


# --- the e-mail ---------------------------------------------------------------------------


def email_for(sequence: int = 0, method: str = "REQUEST", dialogue=None):
    dialogue = dialogue or demo_dialogue()
    delegate = dialogue.delegates[0]
    ics = build(sequence=sequence, method=method, dialogue=dialogue)
    message = invitation_email(
        environment(),
        demo_commune(),
        dialogue,
        delegate,
        sender=ORGANIZER,
        sequence=sequence,
        method=method,
        ics=ics,
    )
    # What the receiving side sees: serialised as aiosmtplib sends it (policy.SMTP), parsed back.
    wire = flatten_message(message)
    assert all(len(line) <= 78 for line in wire.split(b"\r\n\r\n", 1)[0].split(b"\r\n"))
    return message_from_bytes(wire, policy=policy.default), ics


def calendar_part(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def test_email_request() -> None:
    message, ics = email_for()
    assert (
        str(message["Subject"])
        == "[Giấy mời] Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm 2017 ngày 25/03/2017"
    )
    assert message["To"].addresses[0].addr_spec == demo_dialogue().delegates[0].email
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    assert part.get_filename() == "giay-moi.ics"
    assert part.get_payload(decode=True) == ics

    body = message.get_body(("plain",)).get_content()
    assert "Ban Thường vụ Đảng ủy xã Tân Phước trân trọng kính mời" in body
    assert "Chủ tịch UBND xã" in body
    assert "Thời gian: 07 giờ 30, thứ Bảy, ngày 25/03/2017" in body
    assert "Địa điểm: Nhà văn hóa xã" in body
    assert demo_dialogue().theme in body
    assert "{{" not in body and "{%" not in body


def test_email_update_and_cancel() -> None:
    update, _ = email_for(sequence=1)
    assert str(update["Subject"]).startswith("[Giấy mời - cập nhật] Hội nghị đối thoại")
    assert "CẬP NHẬT" in update.get_body(("plain",)).get_content()

    cancel, _ = email_for(sequence=2, method="CANCEL")
    assert str(cancel["Subject"]).startswith("[Hủy] Hội nghị đối thoại")
    assert calendar_part(cancel).get_param("method") == "CANCEL"
    assert "KHÔNG tổ chức" in cancel.get_body(("plain",)).get_content()


def test_message_id_stable_per_dialogue_version_delegate() -> None:
    first, _ = email_for()
    again, _ = email_for()
    assert first["Message-ID"] == again["Message-ID"]
    newer, _ = email_for(sequence=1, dialogue=demo_dialogue().model_copy(update={"version": 2}))
    assert newer["Message-ID"] != first["Message-ID"]
    cancel, _ = email_for(sequence=1, method="CANCEL")
    assert cancel["Message-ID"] != first["Message-ID"]
    other = invitation_email(
        environment(),
        demo_commune(),
        demo_dialogue(),
        demo_dialogue().delegates[1],
        sender=ORGANIZER,
        sequence=0,
        method="REQUEST",
        ics=build(),
    )
    assert other["Message-ID"] != first["Message-ID"]


def test_long_vietnamese_headers_keep_their_spaces() -> None:
    # Python 3.11's header folder loses the space at a fold between encoded words; the
    # subject must arrive word for word however it is folded.
    dialogue = demo_dialogue().model_copy(update={"year": 2026})
    for sequence, method in ((0, "REQUEST"), (1, "REQUEST"), (2, "CANCEL")):
        message, _ = email_for(sequence=sequence, method=method, dialogue=dialogue)
        assert "Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm 2026 ngày 25/03/2017" in str(
            message["Subject"]
        )


def test_delegate_without_email_is_permanent() -> None:
    dialogue = demo_dialogue()
    delegate = dialogue.delegates[0].model_copy(update={"email": None})
    with pytest.raises(PermanentError):
        invitation_email(
            environment(),
            demo_commune(),
            dialogue,
            delegate,
            sender=ORGANIZER,
            sequence=0,
            method="REQUEST",
            ics=build(),
        )


def test_weekday_names() -> None:
    sunday = demo_dialogue().model_copy(
        update={"meeting_date": date(2017, 3, 26), "meeting_time": time(14, 0)}
    )
    assert meeting_when(sunday) == "14 giờ 00, Chủ nhật, ngày 26/03/2017"
    assert "thứ Bảy" in meeting_when(demo_dialogue())
