"""Back-pressure: while the store is down intake answers 503 with Retry-After and accepts
nothing; events wait (without spending their retries) and go through once it is back.
The store is a wire server of this test's own, stopped and restarted on its data folder."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.local.wire_store import start_wire_store
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from services.routing.repository import DECISIONS
from shared.contracts import Envelope, Kind, Source, SubmissionReceivedV1
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
PETITION = {
    "source": "citizen",
    "kind": "petition",
    "hamlet": "ấp Chợ",
    "text": "Cống thoát nước trước chợ bị nghẹt, mưa là ngập.",
}


async def test_intake_refuses_while_the_store_is_down_and_events_resume_after(
    make_settings, tmp_path, counts
):
    store = start_wire_store(tmp_path / "run", data_dir=tmp_path / "data")
    try:
        settings = make_settings(MONGODB_URL=store.url, DOITHOAI_MAX_RETRIES=1)
        app = build_app(settings, [intake, routing, reporting], title="t")
        async with running(app):
            db = app.state.runtime.db
            await seed_demo(db)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://t",
                headers=staff_headers(),
                timeout=30,
            ) as client:
                before = await client.post("/api/v1/communes/demo/submissions", json=PETITION)
                assert before.status_code == 202

                store.stop()
                refused = await client.post("/api/v1/communes/demo/submissions", json=PETITION)
                assert refused.status_code == 503 and refused.headers["Retry-After"] == "5"
                assert refused.json()["message_vi"] and refused.json()["message_en"]
                # An event already on the bus meets the outage in the routing consumer.
                waiting = SubmissionReceivedV1(
                    submission_id="during-outage",
                    dialogue_id="demo-2017",
                    tracking_code="DT-WAIT",
                    source=Source.CITIZEN,
                    kind=Kind.PETITION,
                    text="Rác thải đổ bừa bãi ven kênh, bốc mùi hôi thối.",
                    hamlet="ấp Chợ",
                    received_at=datetime.now(UTC),
                )
                await app.state.parts["routing"].publisher.publish(
                    Envelope.wrap(waiting, commune_id="demo", correlation_id="c")
                )
                registry = app.state.runtime.registry
                await eventually(
                    lambda: (
                        (
                            registry.get_sample_value(
                                "doithoai_routing_events_consumed_total",
                                {"event_type": "submission.received.v1", "outcome": "retried"},
                            )
                            or 0
                        )
                        >= 2
                    ),
                    timeout=30,
                )

                store = start_wire_store(tmp_path / "run", data_dir=tmp_path / "data", port=store.port)
                after = await client.post("/api/v1/communes/demo/submissions", json=PETITION)
                assert after.status_code == 202
                await eventually(
                    lambda: db[DECISIONS].find_one({"_id": "during-outage", "commune_id": "demo"}), timeout=30
                )
                for accepted in (before.json(), after.json()):
                    await eventually(lambda a=accepted: _routed(client, a["id"]), timeout=30)
        dead = registry.get_sample_value(
            "doithoai_routing_events_consumed_total",
            {"event_type": "submission.received.v1", "outcome": "dead_lettered"},
        )
        retried = registry.get_sample_value(
            "doithoai_routing_events_consumed_total",
            {"event_type": "submission.received.v1", "outcome": "retried"},
        )
        counts(
            f"store down: POST answered {refused.status_code} "
            f"(Retry-After {refused.headers['Retry-After']}); "
            f"the waiting event retried {retried:.0f} times "
            f"without spending its retries, dead-lettered {dead or 0:.0f}; 3 of 3 items routed after recovery"
        )
        assert not dead  # the outage outlasted max_retries=1 without dead-lettering anything
    finally:
        store.stop()


async def _routed(client: httpx.AsyncClient, submission_id: str) -> bool:
    response = await client.get(f"/api/v1/communes/demo/submissions/{submission_id}")
    return response.status_code == 200 and response.json()["status"] in ("routed", "office_notified")
