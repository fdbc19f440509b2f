"""The staff item page's headline (services/intake/web/staff/dashboard.py): it reads intake's copy
of the routing, the one its history is written with, and says "Đang phân loại…" (refreshing)
while routing has not answered or intake has not yet followed a newer decision."""

from __future__ import annotations

from datetime import timedelta

from services.intake.web.staff.dashboard import ROUTING_WAIT, next_entry_url, routing_view
from shared.clock import utcnow


def test_just_entered_waits_for_routing_then_stops_waiting():
    now = utcnow()
    assert routing_view({"topic": None, "received_at": now}, None) == {
        "pending": True,
        "topic": "Đang phân loại…",
        "office": "Đang phân loại…",
    }
    long_ago = now - ROUTING_WAIT - timedelta(seconds=1)
    assert routing_view({"topic": None, "received_at": long_ago}, None) == {"pending": False}


def test_a_newer_decision_than_intake_knows_keeps_the_page_refreshing():
    assert routing_view({"topic": 3, "routing_revision": 0}, {"revision": 1}) == {"pending": True}
    assert routing_view({"topic": 3, "routing_revision": 1}, {"revision": 1}) == {"pending": False}
    assert routing_view({"topic": 3, "routing_revision": 1}, None) == {"pending": False}


def test_enter_another_keeps_hamlet_and_kind():
    url = next_entry_url({"hamlet": "ấp Chợ", "kind": "complaint"})
    assert url == "/staff/y-kien-moi?ap=%E1%BA%A5p+Ch%E1%BB%A3&loai=phan+anh"
    assert next_entry_url({"hamlet": None, "kind": "opinion"}).endswith("loai=y+kien")
