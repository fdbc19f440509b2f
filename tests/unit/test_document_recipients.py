"""An issued document goes to the "Nơi nhận" it printed, not to the conclusion notice's list.

Reporting reads the lines back from the HTML it issued (`printed_recipients`, on the real
templates, edited lines included); notification maps them to addresses (`addressees`, pure): the
invitation's invitees are the delegates it invites, the file copy is never mailed, and an event
from before the field keeps the commune's list of the era."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.demo.seed import demo_commune, demo_dialogue
from services.notification.handlers import distribute_document
from services.notification.handlers.documents import addressees
from services.reporting.documents.build import build_data
from services.reporting.documents.recipients import printed_recipients
from services.reporting.documents.render import render_html
from shared.contracts import DocumentIssuedV1, DocumentKind
from tests.unit.test_notification_handlers import World, envelope

COMMUNE = demo_commune()
PLAN = demo_dialogue()
STANDING = "thuongtruc@danguy.example"
# the demo's addresses with another one for the Standing Committee of the commune's Party
# committee, and without any for it
WITH_STANDING = COMMUNE.model_copy(
    update={"recipient_emails": {**COMMUNE.recipient_emails, "Thường trực Đảng ủy (b/c)": STANDING}}
)
WITHOUT_STANDING = COMMUNE.model_copy(
    update={
        "recipient_emails": {
            name: address
            for name, address in COMMUNE.recipient_emails.items()
            if not name.startswith("Thường trực Đảng ủy")
        }
    }
)
DEMO_STANDING = COMMUNE.recipient_emails["Thường trực Đảng ủy (b/c)"]
MASS_ORGANISATIONS = {COMMUNE.recipient_emails[n] for n in COMMUNE.recipients_on(PLAN.meeting_date)}
DELEGATES = {d.email for d in PLAN.delegates if d.email}


def issued(kind: DocumentKind, recipients: tuple[str, ...] | None) -> DocumentIssuedV1:
    return DocumentIssuedV1(
        document_id=f"demo:demo-2017:{kind.value}:v1",
        dialogue_id=PLAN.id,
        kind=kind,
        number=1,
        code="01-X/ĐU",
        version=1,
        title="Văn bản",
        issued_on=date(2017, 3, 10),
        recipients=recipients,
    )


def printed(kind: DocumentKind, **options: Any) -> tuple[str, ...] | None:
    data = build_data(kind.value, COMMUNE, PLAN, [], number=1, issued_on=date(2017, 3, 10), options=options)
    return printed_recipients(render_html(data).encode("utf-8"))


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_the_lines_read_back_are_those_the_document_printed_without_the_file_copy(kind) -> None:
    data = build_data(kind.value, COMMUNE, PLAN, [], number=1, issued_on=date(2017, 3, 10))
    assert data.recipients[-1] == "Lưu Văn phòng Đảng ủy."
    assert printed(kind) == tuple(line.rstrip(",") for line in data.recipients[:-1])


def test_the_invitation_and_the_report_print_their_own_recipients() -> None:
    assert printed(DocumentKind.INVITATION) == ("Như thành phần mời", "Thường trực Đảng ủy (b/c)")
    assert printed(DocumentKind.SUMMARY_REPORT) == ("Thường trực Đảng ủy (b/c)",)


def test_lines_staff_edited_are_read_back_as_printed() -> None:
    edited = ["- Thường trực Đảng ủy (b/c);", "Ban Tuyên giáo <Đảng ủy> & Văn phòng", "Lưu VT."]
    assert printed(DocumentKind.SUMMARY_REPORT, recipients=edited) == (
        "Thường trực Đảng ủy (b/c)",
        "Ban Tuyên giáo <Đảng ủy> & Văn phòng",
    )


def test_html_without_a_noi_nhan_block_says_so() -> None:
    assert printed_recipients(b"<html><body><p>Noi nhan</p></body></html>") is None
    assert printed_recipients(b'<div class="recipients"><div class="label">N</div></div>') == ()
    two = (
        b'<td class="recipients x"><p>- A,<br>B</p><p>- C.</p></td><div class="recipients"><div>D</div></div>'
    )
    assert printed_recipients(two) == ("A, B", "C")  # the first block only


def test_the_invitation_goes_to_the_delegates_it_invites_and_the_standing_committee() -> None:
    chosen = addressees(
        WITH_STANDING, PLAN, issued(DocumentKind.INVITATION, printed(DocumentKind.INVITATION))
    )
    assert {a.address for a in chosen} == DELEGATES | {STANDING}
    assert not MASS_ORGANISATIONS & {a.address for a in chosen}
    chu_tich = next(a for a in chosen if a.address.startswith("chu-tich-ubnd@"))
    assert (chu_tich.id, chu_tich.name) == ("chu-tich-ubnd", "Đồng chí Chủ tịch UBND xã")


def test_the_summary_report_goes_to_its_printed_recipients_only() -> None:
    report = issued(DocumentKind.SUMMARY_REPORT, printed(DocumentKind.SUMMARY_REPORT))
    # the Nơi nhận line is the id; the greeting leaves out its "(b/c)" ("Kính gửi: Thường trực Đảng ủy,")
    assert [(a.id, a.name, a.address) for a in addressees(WITH_STANDING, PLAN, report)] == [
        ("Thường trực Đảng ủy (b/c)", "Thường trực Đảng ủy", STANDING)
    ]
    assert addressees(WITHOUT_STANDING, PLAN, report) == []  # no address for it: nobody


def test_edited_lines_go_where_they_say_the_file_copy_never_and_an_address_once() -> None:
    lines = (
        "thường trực  đảng ủy (b/c),",  # as typed: case, spaces and the comma do not matter
        "Chi bộ các ấp",
        "Lưu Văn phòng Đảng ủy",
        "Như thành phần mời",  # not an invitation: a name like any other, without an address
        "Thường trực Đảng ủy (b/c)",  # the same address again
        "Ban không có địa chỉ",
    )
    chosen = addressees(WITH_STANDING, PLAN, issued(DocumentKind.SUMMARY_REPORT, lines))
    assert [a.address for a in chosen] == [STANDING, COMMUNE.recipient_emails["Chi bộ các ấp"]]


def test_an_office_printed_by_its_title_of_the_era_has_the_address_of_its_name_today() -> None:
    office = next(o for o in COMMUNE.offices if o.legacy_name and o.legacy_name != o.name)
    commune = COMMUNE.model_copy(update={"recipient_emails": {office.name: "office@example.vn"}})
    chosen = addressees(commune, PLAN, issued(DocumentKind.MINUTES, (office.legacy_name or "",)))
    assert [(a.name, a.address) for a in chosen] == [(office.legacy_name, "office@example.vn")]


def test_an_event_from_before_the_field_goes_to_the_communes_list_of_the_era_as_it_did() -> None:
    chosen = addressees(COMMUNE, PLAN, issued(DocumentKind.SUMMARY_REPORT, None))
    assert {a.address for a in chosen} == MASS_ORGANISATIONS
    assert [a.id for a in chosen] == list(COMMUNE.recipients_on(PLAN.meeting_date))


async def test_distributing_the_2017_documents_mails_only_whom_they_name() -> None:
    world = World()
    invitation = issued(DocumentKind.INVITATION, printed(DocumentKind.INVITATION))
    world.reporting.pdfs[invitation.document_id] = b"%PDF-1.7 giay moi"
    await distribute_document(world.deps, envelope(invitation), invitation)
    await distribute_document(world.deps, envelope(invitation), invitation)  # a repeat sends nothing
    assert sorted(m["To"] for m in world.mail.sent) == sorted(DELEGATES | {DEMO_STANDING})
    delegate = next(m for m in world.mail.sent if m["To"] in DELEGATES)
    assert delegate.get_body(preferencelist=("plain",)).get_content().startswith("Kính gửi: Đồng chí ")
    report = issued(DocumentKind.SUMMARY_REPORT, printed(DocumentKind.SUMMARY_REPORT))
    world.reporting.pdfs[report.document_id] = b"%PDF-1.7 bao cao"
    await distribute_document(world.deps, envelope(report), report)
    assert [m["To"] for m in world.mail.sent[len(DELEGATES) + 1 :]] == [DEMO_STANDING]
    filed = issued(DocumentKind.RADIO_ANNOUNCEMENT, ())  # printed only its file copy
    world.reporting.available = False  # nobody to mail: reporting is not even asked for the PDF
    await distribute_document(world.deps, envelope(filed), filed)
    assert len(world.mail.sent) == len(DELEGATES) + 2
