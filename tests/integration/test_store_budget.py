"""Store operations per item (issue #7's budget), counted by the client's command listener, and
what the cuts must not change: a redelivered event still changes nothing, and the directory
cache never hides a commune or plan created a moment ago."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from prometheus_client import CollectorRegistry

from services.demo.seed import demo_commune, seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from services.routing.repository import DECISIONS
from shared.contracts import Envelope, Kind, Source, SubmissionReceivedV1
from shared.directory import COMMUNES, DirectoryReader, commune_document
from shared.mongo import create_client, database
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import TEXTS, running

pytestmark = pytest.mark.integration
# Budgets per item, sent one at a time (so no write shares a command with another item's), a
# little above what the code does: routing 3-4, notification 3, reporting 1 for its one event,
# intake 7 (3 for the POST, 2 for routed: facts and status, plus a history entry each for routed
# and sent, and the status for sent; each entry's listing in its submission, by which the history
# is read, goes in its status's command). Under load group commit shares commands between items.
BUDGET = {"intake": 7, "routing": 5, "notification": 3, "reporting": 1}
# An anonymous post is also counted against its address's public limit: one command more (one
# conditional $inc, no read first), shared by posts of one address arriving together.
ANONYMOUS_POST = 1


def store_operations(app, service: str) -> float:
    registry = app.state.runtime.registry
    return sum(
        s.value
        for m in registry.collect()
        for s in m.samples
        if s.name == f"doithoai_{service}_store_operations_total"
    )


def consumed(app, service: str, event_type: str, outcome: str) -> float:
    return (
        app.state.runtime.registry.get_sample_value(
            f"doithoai_{service}_events_consumed_total", {"event_type": event_type, "outcome": outcome}
        )
        or 0
    )


@pytest.mark.parametrize("anonymous", [False, True], ids=["staff", "anonymous"])
async def test_store_operations_per_item_stay_within_the_budget(make_settings, mail_capture, anonymous):
    # No background work in the window: the outbox relay and the scheduler wait.
    settings = make_settings(
        SMTP_URL=mail_capture.url, DOITHOAI_OUTBOX_INTERVAL_S=600, DOITHOAI_SCHEDULER_INTERVAL_S=600
    )
    apps = {
        name: build_app(settings, [factory], title=name, registry=CollectorRegistry())
        for name, factory in (
            ("intake", intake),
            ("routing", routing),
            ("notification", notification),
            ("reporting", reporting),
        )
    }
    async with (
        running(apps["intake"]),
        running(apps["routing"]),
        running(apps["notification"]),
        running(apps["reporting"]),
    ):
        await seed_demo(apps["intake"].state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps["intake"]),
            base_url="http://t",
            headers={} if anonymous else staff_headers(),
        ) as client:

            async def submit(n: int) -> None:
                for i in range(n):
                    response = await client.post(
                        "/api/v1/communes/demo/submissions",
                        json={
                            "source": "citizen",
                            "kind": "petition",
                            "hamlet": "ấp Chợ",
                            "text": f"{TEXTS[i % 5]} (lần {i})",
                        },
                    )
                    assert response.status_code == 202

            async def all_in_read_model(total: int) -> None:
                await eventually(
                    lambda: (
                        consumed(apps["intake"], "intake", "notification.sent.v1", "processed") >= total
                        and consumed(apps["reporting"], "reporting", "submission.routed.v1", "processed")
                        >= total
                    ),
                    timeout=30,
                )

            await submit(1)  # the caches filled, the connections open
            await all_in_read_model(1)
            before = {name: store_operations(app, name) for name, app in apps.items()}
            await submit(5)
            await all_in_read_model(6)
            await asyncio.sleep(0.3)  # the last acknowledgements
            per_item = {name: (store_operations(app, name) - before[name]) / 5 for name, app in apps.items()}
    budget = {**BUDGET, "intake": BUDGET["intake"] + (ANONYMOUS_POST if anonymous else 0)}
    assert all(per_item[name] <= budget[name] for name in budget), per_item
    assert sum(per_item.values()) <= sum(budget.values())


def received_envelope() -> Envelope:
    payload = SubmissionReceivedV1(
        submission_id="s-dup",
        dialogue_id="demo-2017",
        tracking_code="DT-DUPL1CAT",
        source=Source.CITIZEN,
        kind=Kind.PETITION,
        text="Đèn đường hư, ban đêm trộm cắp nhiều.",
        hamlet="ấp Chợ",
        received_at=datetime.now(UTC),
    )
    return Envelope.wrap(payload, commune_id="demo", correlation_id="c")


async def test_a_redelivered_received_event_is_routed_once_without_processed_events(make_settings):
    settings = make_settings()
    app = build_app(settings, [routing], title="routing")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        publisher = app.state.parts["routing"].publisher
        envelope = received_envelope()
        await publisher.publish(envelope)
        await eventually(lambda: consumed(app, "routing", "submission.received.v1", "processed") == 1)
        await publisher.publish(envelope)  # e.g. the outbox relay of intake publishing again
        await eventually(lambda: consumed(app, "routing", "submission.received.v1", "duplicate") == 1)
        assert await db[DECISIONS].count_documents({"_id": "s-dup"}) == 1
        published = app.state.runtime.registry.get_sample_value(
            "doithoai_routing_events_published_total", {"routing_key": "submission.routed.v1"}
        )
        assert published == 1
        assert (
            await db["routing_processed_events"].count_documents({}) == 0
        )  # the decision's own id de-duplicates


async def test_the_directory_cache_keeps_what_it_found_for_its_ttl_and_never_a_miss(
    mongodb_url, make_settings
):
    settings = make_settings()
    client = create_client(settings)
    db = database(client, settings)
    try:
        cached = DirectoryReader(db).cached(0.3)
        assert await cached.commune("demo") is None
        await seed_demo(db)
        assert (await cached.commune("demo")).name == "Tân Phước"  # a miss is not kept
        renamed = demo_commune().model_copy(update={"name": "Tân Phước Mới"})
        await db[COMMUNES].replace_one({"_id": "demo"}, commune_document(renamed))
        assert (await cached.commune("demo")).name == "Tân Phước"  # within the TTL
        assert (
            await DirectoryReader(db).commune("demo")
        ).name == "Tân Phước Mới"  # uncached readers see it at once
        await asyncio.sleep(0.35)
        assert (await cached.commune("demo")).name == "Tân Phước Mới"
        assert (await cached.dialogue("demo", "demo-2017")).year == 2017
    finally:
        await client.drop_database(db.name)
        await client.close()
