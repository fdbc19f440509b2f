"""Walk-in counts by key (handlers.attendance.add_walk_ins): a count sent again under its key
changes nothing, a new key counts, and only the latest keys are remembered."""

from __future__ import annotations

from services.demo.seed import demo_commune, demo_dialogue
from services.intake.handlers import attendance
from services.intake.handlers.attendance import add_walk_ins
from tests.unit.test_attendance import REGISTERED, FakeAttendance, deps, rows


async def test_a_count_sent_again_under_its_key_is_counted_once():
    store, published = FakeAttendance(REGISTERED), []
    d, commune, dialogue = deps(store, published), demo_commune(), demo_dialogue()
    first = await add_walk_ins(d, commune, dialogue, "ấp Chợ", 3, "demo.vp", "k-0001")
    again = await add_walk_ins(d, commune, dialogue, "ấp Chợ", 3, "demo.vp", "k-0001")
    assert first.new and not again.new and again.attendance == first.attendance
    assert len(published) == 1  # the repeat stored and published nothing
    later = await add_walk_ins(d, commune, dialogue, "ấp Chợ", 2, "demo.vp", "k-0002")
    assert later.new and rows(later.attendance)["ap-cho"][2] == 5


async def test_only_the_latest_keys_are_remembered(monkeypatch):
    monkeypatch.setattr(attendance, "WALK_IN_KEYS_KEPT", 2)
    store, published = FakeAttendance(REGISTERED), []
    d, commune, dialogue = deps(store, published), demo_commune(), demo_dialogue()
    for key in ("a-000001", "b-000002", "c-000003"):
        await add_walk_ins(d, commune, dialogue, "ấp Chợ", 1, "demo.vp", key)
    assert store.docs["demo/demo-2017"]["walk_in_keys"] == ["b-000002", "c-000003"]
    assert not (await add_walk_ins(d, commune, dialogue, "ấp Chợ", 1, "demo.vp", "c-000003")).new
