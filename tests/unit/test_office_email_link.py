"""The office's assignment e-mail links to the item's staff page under DOITHOAI_PUBLIC_URL (login
required there); the routed event it is written from carries nothing about the resident."""

from __future__ import annotations

import dataclasses

import pytest
from pydantic import ValidationError

from services.notification.handlers.office import notify_office, staff_item_url
from services.notification.settings import NotificationSettings
from tests.unit.test_notification_handlers import World, envelope, routed


async def test_the_office_email_links_to_the_items_staff_page() -> None:
    world = World()
    world.deps = dataclasses.replace(world.deps, public_url="https://doithoai.tanphuoc.example/xa/")
    event = routed()
    assert "name" not in event.model_dump() and "contact" not in event.model_dump()  # nothing to leak
    assert await notify_office(world.deps, envelope(event), event) is True
    body = world.mail.sent[0].get_content()
    assert "https://doithoai.tanphuoc.example/xa/staff/items/s1\n" in body


def test_the_link_escapes_the_id_and_the_setting_takes_only_a_site_address() -> None:
    assert staff_item_url("http://127.0.0.1:8000/", "a/b c") == "http://127.0.0.1:8000/staff/items/a%2Fb%20c"
    assert NotificationSettings().public_url == "http://127.0.0.1:8000"
    for bad in ("javascript:alert(1)", "doithoai.example", "https://x.example/?next=1", "https://a b"):
        with pytest.raises(ValidationError):
            NotificationSettings(DOITHOAI_PUBLIC_URL=bad)
