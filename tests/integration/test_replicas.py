"""Scale-out: two routing replicas and two notification replicas compete for the same queues;
every submission is routed once and its office e-mailed once."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import CollectorRegistry

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.routing.app import build_service as routing
from services.routing.repository import DECISIONS
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import TEXTS, running

pytestmark = pytest.mark.integration


async def test_two_replicas_of_each_consumer_share_the_work_without_doing_it_twice(
    make_settings, mail_capture
):
    settings = make_settings(SMTP_URL=mail_capture.url, DOITHOAI_PREFETCH=1)
    front = build_app(settings, [intake], title="intake")
    replicas = [
        build_app(settings, [routing, notification], title=f"replica-{i}", registry=CollectorRegistry())
        for i in (1, 2)
    ]
    async with running(front), running(replicas[0]), running(replicas[1]):
        db = front.state.runtime.db
        await seed_demo(db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=front), base_url="http://t", headers=staff_headers()
        ) as client:
            for i in range(20):
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
        await eventually(lambda: len(mail_capture.messages()) >= 20, timeout=30)
        assert await db[DECISIONS].count_documents({"commune_id": "demo"}) == 20
        per_replica = [
            app.state.runtime.registry.get_sample_value(
                "doithoai_routing_events_consumed_total",
                {"event_type": "submission.received.v1", "outcome": "processed"},
            )
            or 0
            for app in replicas
        ]
    assert sum(per_replica) == 20 and min(per_replica) > 0  # both replicas took part
    assert len({m["Message-ID"] for m in mail_capture.messages()}) == len(mail_capture.messages()) == 20
