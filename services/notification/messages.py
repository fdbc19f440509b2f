"""The e-mails notification builds (pure rendering): the office's assignment, and the plain
e-mails of follow-up and document distribution."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from jinja2 import Environment

from services.notification.headers import (
    new_message,
    recipient,
    set_address,
    set_encoded,
    set_plain,
    set_text,
    stable_message_id,
)
from shared.contracts import AuthorityLevel, SubmissionRoutedV1
from shared.directory import Commune, Dialogue, Office
from shared.personal_data import mask_personal_data
from shared.templates import make_environment

TEMPLATES = Path(__file__).parent / "templates"

# How the assignment e-mail words whose authority an issue falls under (a phrase of its own,
# not the level's name).
AUTHORITY_PHRASES = {
    AuthorityLevel.COMMUNE: "thuộc thẩm quyền cấp xã",
    AuthorityLevel.PROVINCE: "vượt thẩm quyền cấp xã (cấp tỉnh)",
    AuthorityLevel.CENTRAL: "vượt thẩm quyền cấp xã (trung ương)",
}


def environment() -> Environment:
    """The e-mail templates."""
    return make_environment([TEMPLATES])


def masked(routed: SubmissionRoutedV1) -> SubmissionRoutedV1:
    """The routed item as an office's e-mail may quote it: its text, and the earlier years' texts
    and answers of the same issue, with personal data masked (the templates read `routed.text`
    and `routed.earlier` from this copy only)."""
    return routed.model_copy(
        update={
            "text": mask_personal_data(routed.text),
            "earlier": tuple(
                item.model_copy(
                    update={
                        "text": mask_personal_data(item.text),
                        "answer": mask_personal_data(item.answer) if item.answer else item.answer,
                    }
                )
                for item in routed.earlier
            ),
        }
    )


def office_assignment_email(
    env: Environment,
    *,
    notification_id: str,
    routed: SubmissionRoutedV1,
    commune: Commune,
    dialogue: Dialogue,
    office: Office,
    sender: str,
    item_url: str = "",
) -> EmailMessage:
    """The office's assignment. Office staff never see who sent an item: the resident's text, and
    earlier years' texts and answers of the same issue, are quoted with personal data masked
    (phone numbers, e-mail addresses, ID and house numbers, names: `masked`)."""
    # offices named as the dialogue's documents name them (a 2017 plan: the titles of that time)
    titles = commune.office_titles_on(dialogue.meeting_date)
    context = {
        "notification_id": notification_id,
        "item_url": item_url,
        "routed": masked(routed),
        "commune": commune,
        "dialogue": dialogue,
        "office": office,
        "office_title": titles.get(office.id, office.name),
        "kind_label": routed.kind.label_vi,
        "authority_label": AUTHORITY_PHRASES[routed.authority_level],
        "coordinating": [titles[i] for i in routed.coordinating_office_ids if i in titles],
    }
    message = new_message()
    set_address(message, "From", sender)
    set_plain(message, "To", recipient(office.email or ""))
    set_encoded(message, "Subject", env.get_template("office_assignment.subject.txt").render(context).strip())
    # A stable Message-ID lets mail systems drop a copy re-sent after a crash.
    set_plain(message, "Message-ID", stable_message_id("giao-viec", notification_id, domain=commune.id))
    set_plain(message, "X-Doithoai-Notification", notification_id)
    set_text(message, env.get_template("office_assignment.txt").render(context))
    return message


def plain_email(
    sender: str,
    to: str,
    subject: str,
    body: str,
    message_id: str,
    *,
    pdf: bytes | None = None,
    pdf_name: str = "",
) -> EmailMessage:
    """A text e-mail to one address, with a PDF attached when there is one."""
    message = new_message()
    set_address(message, "From", sender)
    set_plain(message, "To", recipient(to))
    set_encoded(message, "Subject", subject)
    set_plain(message, "Message-ID", message_id)
    set_text(message, body)
    if pdf:
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return message
