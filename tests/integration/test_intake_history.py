"""Intake's submission history on the real store: written by the status events, read back by the
`_id`s the submission lists (never by a filter the wire store answers by scanning the
commune's entries), kept to its commune, and the entries stored before submissions listed them
still shown once the start-up migration ran. The look-up by tracking code has an index the wire
store uses (one on the code alone) and stays within the commune."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandFailedEvent, CommandListener, CommandStartedEvent, CommandSucceededEvent

from services.intake.handlers.status import StatusDeps, record_status
from services.intake.metrics import IntakeMetrics
from services.intake.repository import HISTORY, HISTORY_IDS, MIGRATIONS, SUBMISSIONS, SubmissionRepository
from shared.contracts import Envelope, NotificationSentV1, SubmissionRoutedV1

pytestmark = pytest.mark.integration

T0 = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


class Finds(CommandListener):
    """The filter of every `find` the client sent, per collection."""

    def __init__(self) -> None:
        self.filters: list[tuple[str, dict[str, Any]]] = []

    def started(self, event: CommandStartedEvent) -> None:
        if event.command_name == "find":
            self.filters.append((event.command["find"], dict(event.command.get("filter", {}))))

    def succeeded(self, event: CommandSucceededEvent) -> None: ...

    def failed(self, event: CommandFailedEvent) -> None: ...


@pytest.fixture
async def store(make_settings):
    settings = make_settings()
    finds = Finds()
    client: AsyncMongoClient = AsyncMongoClient(settings.mongodb_url, tz_aware=True, event_listeners=[finds])
    db = client[settings.mongodb_db]
    yield db, finds
    await client.drop_database(settings.mongodb_db)
    await client.close()


def submission(submission_id: str, commune_id: str = "demo") -> dict[str, Any]:
    return {
        "_id": submission_id,
        "commune_id": commune_id,
        "dialogue_id": f"{commune_id}-2027",
        "tracking_code": f"DT-{submission_id.upper():0>8}"[:11],
        "status": "received",
        "status_rank": 1,
        "routing_revision": -1,
        "received_at": T0,
        "text": "Đường ấp Chợ ngập nước",
    }


def routed(submission_id: str) -> SubmissionRoutedV1:
    return SubmissionRoutedV1(
        submission_id=submission_id,
        dialogue_id="demo-2027",
        tracking_code="DT-AAAA1111",
        kind="petition",
        text="Đường ấp Chợ ngập nước",
        topic=3,
        topic_name="Giao thông",
        office_id="kinh-te",
        office_name="Phòng Kinh tế",
        confidence=0.9,
    )


def event(payload: Any, at: datetime, commune_id: str = "demo") -> Envelope:
    return Envelope.wrap(payload, commune_id=commune_id, correlation_id="corr").model_copy(
        update={"occurred_at": at}
    )


async def test_history_is_written_with_its_list_and_read_back_by_id_only(store):
    db, finds = store
    repo = SubmissionRepository(db)
    await repo.ensure_indexes()
    await repo.insert(submission("s1"))
    await repo.insert(submission("s2"))
    deps = StatusDeps(repo, plans=None, metrics=IntakeMetrics(CollectorRegistry()))  # type: ignore[arg-type]
    first, sent = (
        routed("s1"),
        NotificationSentV1(notification_id="n1", submission_id="s1", office_id="kinh-te", sent_at=T0),
    )
    first_event, sent_event = event(first, T0 + timedelta(seconds=1)), event(sent, T0 + timedelta(seconds=2))
    assert await record_status(deps, sent_event, sent) is True  # out of order: shown by time
    assert await record_status(deps, first_event, first) is True
    assert await record_status(deps, first_event, first) is False  # redelivered: nothing added
    await record_status(deps, event(routed("s2"), T0), routed("s2"))

    doc = await repo.get("demo", "s1")
    assert doc is not None
    assert sorted(doc[HISTORY_IDS].values()) == sorted([first_event.event_id, sent_event.event_id])
    finds.filters.clear()
    entries = await repo.history(doc)
    assert [(e["status"], e["_id"]) for e in entries] == [
        ("routed", first_event.event_id),
        ("office_notified", sent_event.event_id),
    ]
    # One read, by `_id` (and the commune), however many entries the commune holds.
    assert [(name, sorted(f)) for name, f in finds.filters] == [
        (HISTORY, ["_id", "commune_id", "submission_id"])
    ]
    assert set(finds.filters[0][1]["_id"]["$in"]) == {first_event.event_id, sent_event.event_id}
    # A submission with no entry listed costs no read.
    await repo.insert(submission("s3"))
    finds.filters.clear()
    assert await repo.history(await repo.get("demo", "s3") or {}) == []
    assert [name for name, _ in finds.filters] == [SUBMISSIONS]


async def test_an_entry_listed_for_another_commune_is_not_shown(store):
    db, _ = store
    repo = SubmissionRepository(db)
    await repo.ensure_indexes()
    await repo.insert(submission("s1", "demo"))
    await repo.insert(submission("s9", "other"))
    await repo.add_history({"_id": "e-other", "commune_id": "other", "submission_id": "s9", "at": T0})
    # The demo item lists the other commune's entry id (a forged or mistaken listing): not shown.
    await repo.list_history_entry("demo", "s1", "e-other")
    # Listing in the other commune's item through the demo commune changes nothing.
    await repo.list_history_entry("demo", "s9", "e-demo")
    assert await repo.history(await repo.get("demo", "s1") or {}) == []
    assert HISTORY_IDS not in (await repo.get("other", "s9") or {})


async def test_history_stored_before_submissions_listed_it_is_listed_once_at_start(store):
    db, _ = store
    # The earlier layout: entries found by commune and submission, nothing on the submission.
    await db[SUBMISSIONS].insert_many([submission(f"s{i}") for i in range(3)] + [submission("x1", "other")])
    old = [
        {"_id": f"ev{i}.{k}", "commune_id": "demo", "submission_id": f"s{i}", "at": T0 + timedelta(minutes=k)}
        for i in range(3)
        for k in range(2)
    ] + [{"_id": "ev-x", "commune_id": "other", "submission_id": "x1", "at": T0}]
    await db[HISTORY].insert_many([{**e, "status": "routed", "note_vi": "cũ"} for e in old])

    repo = SubmissionRepository(db)
    await repo.ensure_indexes()  # runs the migration
    assert (await db[MIGRATIONS].find_one({}) or {}).get("entries") == 7
    assert await repo.list_stored_history() == 0  # done once per store
    for i in range(3):
        doc = await repo.get("demo", f"s{i}") or {}
        assert [e["_id"] for e in await repo.history(doc)] == [f"ev{i}.0", f"ev{i}.1"]
    assert [e["_id"] for e in await repo.history(await repo.get("other", "x1") or {})] == ["ev-x"]

    # A later event adds to the earlier history, it does not replace it.
    deps = StatusDeps(repo, plans=None, metrics=IntakeMetrics(CollectorRegistry()))  # type: ignore[arg-type]
    later = event(routed("s0"), T0 + timedelta(hours=1))
    await record_status(deps, later, routed("s0"))
    entries = await repo.history(await repo.get("demo", "s0") or {})
    assert [e["_id"] for e in entries] == ["ev0.0", "ev0.1", later.event_id]


async def test_the_tracking_code_look_up_has_an_index_of_its_own_and_keeps_to_its_commune(store):
    db, finds = store
    repo = SubmissionRepository(db)
    await repo.ensure_indexes()
    keys = [
        [field for field, _ in index["key"]] for index in (await db[SUBMISSIONS].index_information()).values()
    ]
    assert ["tracking_code"] in keys and ["commune_id", "tracking_code"] in keys
    await repo.insert({**submission("s1", "demo"), "tracking_code": "DT-SAMECODE"})
    await repo.insert({**submission("s2", "other"), "tracking_code": "DT-SAMECODE"})
    assert (await repo.by_tracking_code("demo", "DT-SAMECODE") or {}).get("_id") == "s1"
    assert (await repo.by_tracking_code("other", "DT-SAMECODE") or {}).get("_id") == "s2"
    assert await repo.by_tracking_code("third", "DT-SAMECODE") is None
