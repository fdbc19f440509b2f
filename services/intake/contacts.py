"""How a resident can be reached back: one Vietnamese phone number or one e-mail address.

One rule for every form and API that takes a contact (the JSON API, Open311, the
web forms, registration, the bulk import, a plan's delegates). A contact never holds a list
(commas, semicolons, spaces), a display name, angle brackets or a line break, so it can only
ever reach one person. The value is kept as the person wrote it, only trimmed.
What a phone number is: shared/phone.py."""

from __future__ import annotations

import re
from email.utils import parseaddr

from shared.http import BilingualError
from shared.phone import PHONE_EN, PHONE_VI, is_phone, phone_digits

__all__ = [
    "PHONE_EN",
    "PHONE_VI",
    "check_contact",
    "check_email",
    "check_phone",
    "is_email",
    "is_phone",
    "phone_digits",
]

EMAIL_VI = "Địa chỉ thư điện tử không hợp lệ: chỉ ghi một địa chỉ, ví dụ ten@example.vn."
EMAIL_EN = "Invalid e-mail address: exactly one address, e.g. name@example.vn."
CONTACT_VI = (
    "Thông tin liên hệ không hợp lệ: ghi một số điện thoại (ví dụ 0912 345 678) hoặc một địa chỉ thư điện "
    "tử (ví dụ ten@example.vn)."
)
CONTACT_EN = (
    "Invalid contact: one phone number (e.g. 0912 345 678) or one e-mail address (e.g. name@example.vn)."
)

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(rf"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@{_LABEL}(?:\.{_LABEL})*\.[A-Za-z]{{2,63}}")


def is_email(text: str) -> bool:
    """Exactly one plain address: no display name, list, quoting, comment or line break."""
    if len(text) > 254 or not _EMAIL.fullmatch(text):
        return False
    local = text.rpartition("@")[0]
    return len(local) <= 64 and parseaddr(text) == ("", text)


def check_phone(value: str) -> str:
    text = value.strip()
    if not is_phone(text):
        raise BilingualError(PHONE_VI, PHONE_EN)
    return text


def check_email(value: str) -> str:
    text = value.strip()
    if not is_email(text):
        raise BilingualError(EMAIL_VI, EMAIL_EN)
    return text


def check_contact(value: str) -> str:
    """One phone number or one e-mail address, as written (trimmed)."""
    text = value.strip()
    if is_phone(text) or is_email(text):
        return text
    if "@" in text:
        raise BilingualError(EMAIL_VI, EMAIL_EN)
    raise BilingualError(CONTACT_VI, CONTACT_EN)
