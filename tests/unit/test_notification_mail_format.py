"""How notification writes its e-mails without parsing and re-folding every header: the bytes
sent are exactly those of the standard `email` package's way (`message[name] = value`,
`set_content`, and aiosmtplib's `flatten_message` with `email.policy.SMTP`), for the values
notification uses and for generated ones. Pure functions: no server needed."""

from __future__ import annotations

import email.policy
from email.message import EmailMessage, Message

import pytest
from aiosmtplib.email import extract_recipients, flatten_message
from hypothesis import given, settings
from hypothesis import strategies as st

from services.demo.seed import demo_commune, demo_dialogue
from services.notification.headers import (
    check_single_recipient,
    new_message,
    set_address,
    set_encoded,
    set_plain,
    set_text,
    stable_message_id,
)
from services.notification.messages import environment, office_assignment_email, plain_email
from services.notification.smtp import wire_bytes
from shared.contracts import Kind, SubmissionRoutedV1
from shared.errors import PermanentError

SENDER = "Văn phòng Đảng ủy <vp@tanphuoc.example>"

ATEXT = st.text("abcxyzABC019!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=12)
LABEL = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,8}[A-Za-z0-9])?", fullmatch=True)
ADDRESSES = st.builds(
    lambda local, domain: ".".join(local) + "@" + ".".join(domain),
    st.lists(ATEXT, min_size=1, max_size=3),
    st.lists(LABEL, min_size=1, max_size=4),
)
# Bodies as notification writes them: Vietnamese, short and long lines, every line ending.
BODY_TEXT = st.lists(
    st.sampled_from(list("aăâbđeêoôơuưy ÁÀẢÃẠắằẳẵặ.,:;-\n\r\t") + ["\r\n", "From ", "=", "x" * 90]),
    max_size=150,
).map("".join)


def standard(build) -> EmailMessage:
    """The same message built the standard way (every header parsed into its object)."""
    message = new_message()
    build(message)
    return message


def same_bytes(ours: EmailMessage, theirs: EmailMessage) -> None:
    assert flatten_message(ours) == flatten_message(theirs)
    assert ours.as_bytes() == theirs.as_bytes()
    assert ours.as_string() == theirs.as_string()


@settings(max_examples=100, deadline=None)
@given(address=ADDRESSES, name=st.sampled_from(["To", "Cc", "From"]))
def test_a_plain_address_is_written_as_the_parsed_header_would_be(address, name):
    ours = new_message()
    set_plain(ours, name, address)
    theirs = standard(lambda m: m.__setitem__(name, address))
    same_bytes(ours, theirs)
    assert str(ours[name]) == str(theirs[name])


@settings(max_examples=100, deadline=None)
@given(
    parts=st.lists(st.text(min_size=1, max_size=30), min_size=1, max_size=4),
    domain=st.text(min_size=1, max_size=20),
)
def test_a_stable_message_id_is_written_as_the_parsed_header_would_be(parts, domain):
    """Short ones are stored as they are; long ones are folded by the policy either way."""
    message_id = stable_message_id(*parts, domain=domain)
    ours = new_message()
    set_plain(ours, "Message-ID", message_id)
    same_bytes(ours, standard(lambda m: m.__setitem__("Message-ID", message_id)))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("To", "Nguyễn Văn A <a@x.vn>"),  # a display name: parsed
        ("To", '"a b"@x.vn'),  # a quoted local part: parsed
        ("To", "a@x.vn (văn phòng)"),  # a comment: parsed
        ("X-Doithoai-Notification", "=?utf-8?q?abc?="),  # an encoded word: parsed (decoded)
        ("X-Doithoai-Notification", "a" * 80),  # too long for one line: parsed and folded
        ("Subject", "plain"),  # a header with no pattern: parsed
        ("To", "a@" + "b" * 80 + ".vn"),
    ],
)
def test_any_other_value_is_parsed_as_usual(name, value):
    ours = new_message()
    set_plain(ours, name, value)
    same_bytes(ours, standard(lambda m: m.__setitem__(name, value)))


def test_a_value_that_could_inject_a_header_is_refused_as_by_the_policy():
    for value in ("a@x.vn\r\nBcc: b@y.vn", "a@x.vn\nBcc: b@y.vn"):
        with pytest.raises(ValueError):
            set_plain(new_message(), "To", value)


def test_a_header_allowed_once_is_refused_a_second_time_as_by_the_policy():
    for name, value in (("To", "a@x.vn"), ("Message-ID", "<a.b@c.doithoai>")):
        message = new_message()
        set_plain(message, name, value)
        with pytest.raises(ValueError, match="at most 1"):
            set_plain(message, name, value)


@settings(max_examples=150, deadline=None)
@given(text=BODY_TEXT)
def test_the_body_is_what_set_content_makes_of_it(text):
    ours = new_message()
    set_plain(ours, "To", "a@x.vn")
    set_text(ours, text)
    theirs = standard(lambda m: (m.__setitem__("To", "a@x.vn"), m.set_content(text)))
    same_bytes(ours, theirs)
    assert [(n, str(v)) for n, v in ours.items()] == [(n, str(v)) for n, v in theirs.items()]
    assert ours.get_content() == theirs.get_content()


def test_a_message_with_content_already_goes_through_set_content():
    ours, theirs = new_message(), new_message()
    for message in (ours, theirs):
        message["Content-Type"] = "text/html"
    set_text(ours, "Nội dung")
    theirs.set_content("Nội dung")
    same_bytes(ours, theirs)


def routed(text: str, **changes) -> SubmissionRoutedV1:
    dialogue = demo_dialogue()
    values = {
        "submission_id": "s1",
        "dialogue_id": dialogue.id,
        "tracking_code": "DT-ABCDEFGH",
        "kind": Kind.PETITION,
        "text": text,
        "hamlet": "ấp Chợ",
        "topic": 3,
        "topic_name": dialogue.topic_name(3),
        "office_id": "phong-kinh-te",
        "office_name": "Phòng Kinh tế",
        "coordinating_office_ids": ("cong-an-xa",),
        "confidence": 0.9,
    }
    return SubmissionRoutedV1(**{**values, **changes})


def office_email(
    text: str,
    *,
    notification_id: str = "0f1e2d3c4b5a69788796a5b4c3d2e1f0.email",
    sender: str = SENDER,
    item_url: str = "http://127.0.0.1:8000/staff/items/s1",
    **changes,
) -> EmailMessage:
    """The demo commune's e-mail to Phòng Kinh tế about `text` (routed with `changes`)."""
    commune = demo_commune()
    office = commune.office("phong-kinh-te")
    assert office is not None
    return office_assignment_email(
        environment(),
        notification_id=notification_id,
        routed=routed(text, **changes),
        commune=commune,
        dialogue=demo_dialogue(),
        office=office,
        sender=sender,
        item_url=item_url,
    )


def rebuilt(message: EmailMessage) -> EmailMessage:
    """`message` built again the standard way from what it says: each header as the policy
    stores an assigned value (From and Subject were stored encoded before too), the body by
    `set_content`."""
    again = new_message()
    for name, value in message.raw_items():
        if name in ("From", "Subject"):
            again.set_raw(name, value)
        elif not name.lower().startswith("content-") and name != "MIME-Version":
            again[name] = str(value)
    again.set_content(message.get_content())
    return again


@pytest.mark.parametrize(
    "text",
    [
        "Cống thoát nước trước chợ bị nghẹt",  # short lines: 8bit
        "Cống thoát nước trước chợ bị nghẹt, nước tràn vào nhà dân mỗi khi mưa lớn. " * 12,  # base64
        "Den duong hu o dau hem 5",  # ASCII: 7bit
    ],
)
def test_the_office_email_is_the_standard_one(text):
    message = office_email(text)
    same_bytes(message, rebuilt(message))
    assert wire_bytes(message) == flatten_message(message)


def test_a_plain_email_is_the_standard_one_with_or_without_a_pdf():
    for pdf in (None, b"%PDF-1.7 ..."):
        message = plain_email(
            SENDER,
            "vp@tanphuoc.example",
            "Văn bản số 12/TB-ĐU",
            "Kính gửi...\n",
            "<van-ban.d1@demo.doithoai>",
            pdf=pdf,
        )
        if pdf is None:
            same_bytes(message, rebuilt(message))
            assert wire_bytes(message) == flatten_message(message)
        else:
            assert wire_bytes(message) is None  # multipart: aiosmtplib writes it
            assert message.get_body(("plain",)).get_content() == "Kính gửi...\n"
            assert next(message.iter_attachments()).get_content() == pdf


@settings(max_examples=100, deadline=None)
@given(
    text=BODY_TEXT,
    subject=st.text(max_size=120),
    extra=st.lists(
        st.tuples(st.sampled_from(["Cc", "Bcc", "Resent-Bcc", "Reply-To", "X-Tag"]), ADDRESSES),
        max_size=3,
        unique_by=lambda pair: pair[0],
    ),
)
def test_wire_bytes_are_what_aiosmtplib_sends(text, subject, extra):
    """Headers stored parsed or raw, Bcc left out, any body set_content makes."""
    message = new_message()
    set_address(message, "From", SENDER)
    message["To"] = "a@x.vn"
    set_encoded(message, "Subject", subject or "-")
    for name, value in extra:
        message[name] = value
    message.set_content(text)
    assert wire_bytes(message) == flatten_message(message)


def test_wire_bytes_leave_other_messages_to_aiosmtplib():
    two_types = new_message()
    two_types.set_content("a")
    two_types.set_raw("Content-Type", "text/html")
    html = new_message()
    html.set_content("<p>a</p>", subtype="html")
    data = new_message()
    data.set_content(b"\x00\x01", maintype="application", subtype="octet-stream")
    old = Message()
    old["To"] = "a@x.vn"
    old.set_payload("a")
    mixed = new_message()
    mixed.set_content("a")
    mixed.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="a.pdf")
    assert [wire_bytes(m) for m in (two_types, data, old, mixed)] == [None] * 4
    assert wire_bytes(html) == flatten_message(html)  # any text/* is written the same way


def test_the_single_recipient_is_the_one_aiosmtplib_would_send_to():
    for build in (
        lambda m: set_plain(m, "To", "vp@tanphuoc.example"),
        lambda m: m.__setitem__("To", "Văn phòng <vp@tanphuoc.example>"),
        lambda m: set_encoded(m, "To", "Nguyễn, Văn Bảy", trailer="<vp@tanphuoc.example>"),
        lambda m: m.__setitem__("Bcc", "vp@tanphuoc.example"),
    ):
        message = new_message()
        build(message)
        assert check_single_recipient(message) == "vp@tanphuoc.example"
        assert extract_recipients(message) == ["vp@tanphuoc.example"]
        assert check_single_recipient(message) == "vp@tanphuoc.example"  # read again from the memo
    for build in (
        lambda m: m.set_raw("To", "a@x.vn, b@y.vn"),
        lambda m: (set_plain(m, "To", "a@x.vn"), set_plain(m, "Cc", "b@y.vn")),
        lambda m: (set_plain(m, "To", "a@x.vn"), m.set_raw("to", "b@y.vn")),
    ):
        message = new_message()
        build(message)
        with pytest.raises(PermanentError):
            check_single_recipient(message)


def test_the_smtp_policy_is_what_aiosmtplib_writes_with():
    """`wire_bytes` writes with `email.policy.SMTP`, as aiosmtplib does for an EmailMessage to a
    server with 8BITMIME and ASCII addresses; this pins that choice of aiosmtplib's."""
    message = new_message()
    message["Subject"] = "Thư " + "dài " * 40
    message.set_content("a")
    assert flatten_message(message) == message.as_bytes(policy=email.policy.SMTP)


def test_an_issue_raised_again_in_the_same_round_is_not_called_long_standing():
    """Seen by an outside walkthrough: a petition of the same round, sent minutes earlier, made the
    office's e-mail say "đã được nêu 2 lần (các năm 2017) mà chưa giải quyết dứt điểm"."""
    same_round = office_email(
        "Cống thoát nước trước chợ bị nghẹt",
        times_raised=2,
        years_raised=(2017,),
        earlier=({"year": 2017, "submission_id": "s0", "text": "Cống trước chợ nghẹt rác"},),
    )
    body = same_round.get_body(preferencelist=("plain",)).get_content()
    assert "đã được nêu 2 lần trong đợt đối thoại năm 2017." in body
    assert "dứt điểm" not in body and "- Trong đợt này: Cống trước chợ nghẹt rác" in body
    assert "Trả lời đã có" not in body
    long_standing = office_email(
        "Cống thoát nước trước chợ bị nghẹt",
        times_raised=3,
        years_raised=(2015, 2017),
        earlier=(
            {"year": 2015, "submission_id": "s0", "text": "Cống trước chợ nghẹt", "answer": "Xã nạo vét"},
        ),
    )
    body = long_standing.get_body(preferencelist=("plain",)).get_content()
    assert "đã được nêu 3 lần (các năm 2015, 2017) mà chưa giải quyết dứt điểm." in body
    assert "- Năm 2015: Cống trước chợ nghẹt\n  Trả lời đã có: Xã nạo vét" in body
