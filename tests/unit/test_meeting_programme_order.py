"""The programme as held, corrected after it was recorded (`handlers.meeting.change_programme_item`,
`remove_programme_item` and their routes `PUT`/`DELETE …/meeting/programme/{item_id}`), over the
in-memory fakes of test_meeting_record.

An outside walkthrough pressed the plan's items 1, 3, 5 then 2, 4, 6: they stayed "đã ghi" in
that order with no way to remove or move one, and the minutes printed the agenda in click order.
Each item now moves to a position or is removed at the revision it was read at, audited like the
other meeting edits; refusals (unknown item, stale revision, locked, a position out of range)
name their field in Vietnamese and English; the minutes follow the record's order."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.reporting.documents.build import build_data
from services.reporting.handlers import meeting as m
from services.reporting.handlers.ports import MeetingDeps
from services.reporting.meeting_api import build_meeting_router
from services.reporting.published import ReadLimits
from shared.http import install_error_handlers
from tests.unit.test_conclusion_deadline import OpenGuard
from tests.unit.test_meeting_record import ITEMS, FakeMeetings, FakeSubmissions
from tests.unit.test_reporting_handlers import (
    COMMUNE,
    DIALOGUE,
    NOW,
    FakeDirectory,
    FakeItems,
    FakeOutbox,
)

AGENDA = [f"Mục {n} của kế hoạch" for n in range(1, 7)]
M = f"/api/v1/communes/{COMMUNE.id}/dialogues/{DIALOGUE.id}/meeting"


@pytest.fixture
def world() -> MeetingDeps:
    return MeetingDeps(
        FakeDirectory(), FakeItems(ITEMS), FakeMeetings(), FakeSubmissions(), FakeOutbox(), lambda: NOW
    )


async def pressed(world: MeetingDeps, *numbers: int) -> dict[int, str]:
    """The plan's items pressed in this order; their ids by number."""
    ids = {}
    for n in numbers:
        entry = await m.add_programme_item(world, COMMUNE.id, DIALOGUE.id, {"title": AGENDA[n - 1]}, "vp")
        ids[n] = entry["id"]
    return ids


async def titles(world: MeetingDeps) -> list[str]:
    record = await m.meeting_record(world, COMMUNE.id, DIALOGUE.id)
    return [p["title"] for p in record["programme"]]


def move(world: MeetingDeps, item_id: str, revision: int, position: int | None = None, **fields: Any):
    command = m.ChangeProgrammeItem(COMMUNE.id, DIALOGUE.id, item_id, revision, "vp", position, fields)
    return m.change_programme_item(world, command)


def remove(world: MeetingDeps, item_id: str, revision: int):
    return m.remove_programme_item(
        world, m.RemoveProgrammeItem(COMMUNE.id, DIALOGUE.id, item_id, revision, "vp")
    )


async def test_items_pressed_out_of_order_are_moved_into_the_order_held(world):
    ids = await pressed(world, 1, 3, 5, 2, 4, 6)
    revision = 6
    for n, position in ((2, 2), (4, 4)):  # 1 3 5 2 4 6 -> 1 2 3 5 4 6 -> 1 2 3 4 5 6
        view = await move(world, ids[n], revision, position)
        revision = view["revision"]
        assert revision == 6 + n // 2
    assert view["programme"][1]["id"] == ids[2]
    assert await titles(world) == AGENDA
    edits = [e for e in world.meetings.edits if e["action"] == "meeting.programme.edit"]
    assert [(e["before"], e["after"]) for e in edits] == [
        ({"position": 4}, {"position": 2}),
        ({"position": 5}, {"position": 4}),
    ]
    assert edits[0]["target"] == {"commune_id": COMMUNE.id, "dialogue_id": DIALOGUE.id, "id": ids[2]}
    assert edits[0]["revision"] == 7 and edits[0]["user_id"] == "vp"
    event = world.meetings.records["demo:demo-2017"]["outbox"][0]
    assert event.routing_key == "meeting.recorded.v1" and event.payload["revision"] == 8


async def test_an_item_pressed_by_mistake_is_removed_and_audited_as_it_was(world):
    ids = await pressed(world, 1, 2, 3)
    view = await remove(world, ids[2], 3)
    assert view == {"revision": 4, "programme": view["programme"]}
    assert [p["title"] for p in view["programme"]] == [AGENDA[0], AGENDA[2]]
    [edit] = [e for e in world.meetings.edits if e["action"] == "meeting.programme.delete"]
    assert edit["before"]["position"] == 2 and edit["before"]["title"] == AGENDA[1]
    assert edit["before"]["id"] == ids[2] and edit["after"] is None


async def test_a_correction_replaces_the_title_and_time_and_keeps_the_place(world):
    ids = await pressed(world, 1, 2)
    view = await move(world, ids[2], 2, title="  Giải lao 15 phút ", at="2017-03-25T02:15:00Z")
    assert view["programme"][1] == {
        "id": ids[2],
        "title": "Giải lao 15 phút",
        "at": "2017-03-25T02:15:00Z",
        "note": None,
    }
    [edit] = [e for e in world.meetings.edits if e["action"] == "meeting.programme.edit"]
    assert edit["before"] == {"position": 2, "title": AGENDA[1], "at": None}
    assert edit["after"] == {"position": 2, "title": "Giải lao 15 phút", "at": "2017-03-25T02:15:00Z"}


async def test_refusals_name_their_field_and_change_nothing(world):
    ids = await pressed(world, 1, 2, 3)
    with pytest.raises(m.RecordChanged) as stale:
        await move(world, ids[3], 2, 1)  # read before the third item was pressed
    assert stale.value.current == 3
    with pytest.raises(m.RecordChanged):
        await remove(world, ids[3], 0)
    with pytest.raises(m.UnknownProgrammeItem) as unknown:
        await remove(world, "no-such-item", 3)
    assert unknown.value.item_id == "no-such-item"
    for position in (0, 4):
        with pytest.raises(m.InvalidEntry) as invalid:
            await move(world, ids[1], 3, position)
        assert invalid.value.field == "position" and "từ 1 đến 3" in invalid.value.vi
    with pytest.raises(m.InvalidEntry) as nothing:
        await move(world, ids[1], 3)
    assert nothing.value.field == "position"
    with pytest.raises(m.InvalidEntry) as blank:
        await move(world, ids[1], 3, title="  ")
    assert blank.value.field == "title"
    assert await titles(world) == AGENDA[:3]
    assert not [e for e in world.meetings.edits if e["action"] != "meeting.programme"]


async def test_once_the_notice_is_issued_the_programme_is_kept_as_it_was(world):
    ids = await pressed(world, 2, 1)
    await world.meetings.lock(COMMUNE.id, DIALOGUE.id)
    with pytest.raises(m.RecordLocked):
        await move(world, ids[1], 2, 1)
    with pytest.raises(m.RecordLocked):
        await remove(world, ids[2], 2)
    assert await titles(world) == [AGENDA[1], AGENDA[0]]


async def test_the_minutes_print_the_programme_in_the_record_s_order(world):
    ids = await pressed(world, 1, 3, 2)
    await move(world, ids[2], 3, 2)
    record = await world.meetings.get(COMMUNE.id, DIALOGUE.id)
    data = build_data("bien-ban", COMMUNE, DIALOGUE, ITEMS, number=None, issued_on=NOW.date(), meeting=record)
    assert data.minutes is not None and list(data.minutes.agenda) == AGENDA[:3]


# ---- the routes ----------------------------------------------------------------------------------


@pytest.fixture
def client(world):
    app = FastAPI()
    app.state.guard = OpenGuard()
    install_error_handlers(app)
    app.include_router(build_meeting_router(world, ReadLimits()))
    with TestClient(app) as test_client:
        yield test_client


def test_the_routes_move_and_remove_an_item_at_the_revision_read(client):
    ids = [client.post(f"{M}/programme", json={"title": t}).json()["id"] for t in AGENDA[:3]]
    moved = client.put(f"{M}/programme/{ids[2]}", json={"revision": 3, "position": 1})
    assert moved.status_code == 200, moved.text
    assert moved.json()["revision"] == 4
    assert [p["id"] for p in moved.json()["programme"]] == [ids[2], ids[0], ids[1]]
    removed = client.delete(f"{M}/programme/{ids[0]}", params={"revision": 4})
    assert removed.status_code == 200, removed.text
    assert [p["title"] for p in removed.json()["programme"]] == [AGENDA[2], AGENDA[1]]
    assert [p["title"] for p in client.get(M).json()["programme"]] == [AGENDA[2], AGENDA[1]]


def test_the_routes_refuse_in_vietnamese_and_english_naming_the_field(client):
    first = client.post(f"{M}/programme", json={"title": AGENDA[0]}).json()["id"]
    client.post(f"{M}/programme", json={"title": AGENDA[1]})
    stale = client.put(f"{M}/programme/{first}", json={"revision": 1, "position": 2})
    assert stale.status_code == 409 and stale.json()["error"] == "stale_revision"
    assert stale.json()["field"] == "revision" and stale.headers["x-revision"] == "2"
    assert stale.json()["message_vi"] and stale.json()["message_en"]
    unknown = client.delete(f"{M}/programme/khong-co", params={"revision": 2})
    assert unknown.status_code == 404 and unknown.json()["field"] == "item_id"
    assert (
        "mục chương trình" in unknown.json()["message_vi"]
        and "programme item" in unknown.json()["message_en"]
    )
    far = client.put(f"{M}/programme/{first}", json={"revision": 2, "position": 3})
    assert far.status_code == 422
    [detail] = far.json()["detail"]
    assert detail["field"] == "position" and "từ 1 đến 2" in detail["message_vi"]
    assert "1-2" in detail["message_en"]
    no_revision = client.delete(f"{M}/programme/{first}")
    assert no_revision.status_code == 422 and no_revision.json()["detail"][0]["field"].endswith("revision")
    assert client.get(M).json()["revision"] == 2


def test_a_locked_record_is_refused_as_every_meeting_edit_is(client, world):
    first = client.post(f"{M}/programme", json={"title": AGENDA[0]}).json()["id"]
    world.meetings.records["demo:demo-2017"]["locked"] = True
    for response in (
        client.put(f"{M}/programme/{first}", json={"revision": 1, "title": "Khác"}),
        client.delete(f"{M}/programme/{first}", params={"revision": 1}),
    ):
        assert response.status_code == 409 and response.json()["error"] == "locked", response.text
        assert "đã ban hành" in response.json()["message_vi"]
