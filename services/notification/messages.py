"""The e-mail that tells an office it must prepare an answer (pure rendering)."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from jinja2 import Environment

from services.notification.headers import new_message, recipient, set_address, set_encoded, stable_message_id
from shared.contracts import SubmissionRoutedV1
from shared.directory import Commune, Dialogue, Office
from shared.templates import make_environment

TEMPLATES = Path(__file__).parent / "templates"

KIND_LABELS = {"opinion": "Ý kiến", "petition": "Kiến nghị", "complaint": "Phản ánh"}
AUTHORITY_LABELS = {
    "commune": "thuộc thẩm quyền cấp xã",
    "province": "vượt thẩm quyền cấp xã (cấp tỉnh)",
    "central": "vượt thẩm quyền cấp xã (trung ương)",
}


def environment() -> Environment:
    return make_environment([TEMPLATES])


def office_assignment_email(
    env: Environment,
    *,
    notification_id: str,
    routed: SubmissionRoutedV1,
    commune: Commune,
    dialogue: Dialogue,
    office: Office,
    sender: str,
) -> EmailMessage:
    context = {
        "notification_id": notification_id,
        "routed": routed,
        "commune": commune,
        "dialogue": dialogue,
        "office": office,
        "kind_label": KIND_LABELS[routed.kind],
        "authority_label": AUTHORITY_LABELS[routed.authority_level],
        "coordinating": [o.name for o in (commune.office(i) for i in routed.coordinating_office_ids) if o],
    }
    message = new_message()
    set_address(message, "From", sender)
    message["To"] = recipient(office.email)
    set_encoded(message, "Subject", env.get_template("office_assignment.subject.txt").render(context).strip())
    # A stable Message-ID lets mail systems drop a copy re-sent after a crash.
    message["Message-ID"] = stable_message_id("giao-viec", notification_id, domain=commune.id)
    message["X-Doithoai-Notification"] = notification_id
    message.set_content(env.get_template("office_assignment.txt").render(context))
    return message
