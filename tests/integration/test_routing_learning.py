"""Learning from the office through the real broker and store: staff changes reach routing's
learning consumer as `submission.routed.v1`, become the commune's examples, and the background
job retrains that commune's model (and no other's) once the changes pause."""

from __future__ import annotations

import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.routing.app import build_service as routing
from services.routing.learning.store import EXAMPLES, MODELS, STATE
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
ITEMS = [
    ("Xe chở rác không tới xóm trong, bà con phải đốt rác, đề nghị mở rộng tuyến thu gom.", 4),
    ("Bãi rác tự phát cạnh kênh bốc mùi hôi, đề nghị xã cho dọn và xử phạt người đổ trộm.", 4),
    ("Cấp lại căn cước cho người già ở ấp mất nhiều ngày, đề nghị làm nhanh hơn.", 6),
    ("Đăng ký khai sinh cho cháu bị hẹn đi hẹn lại, đề nghị bộ phận một cửa giải quyết đúng hạn.", 6),
]


async def test_staff_changes_retrain_that_communes_model_only(make_settings):
    settings = make_settings(
        DOITHOAI_LEARNING_MIN_EXAMPLES=4,
        DOITHOAI_LEARNING_DEBOUNCE_S=0.3,
        DOITHOAI_LEARNING_POLL_S=0.2,
    )
    app = build_app(settings, [intake, routing], title="t")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers()
        ) as client:

            async def routed(submission_id: str) -> dict | None:
                response = await client.get(f"{BASE}/submissions/{submission_id}/routing")
                return response.json() if response.status_code == 200 else None

            for text, topic in ITEMS:
                response = await client.post(
                    f"{BASE}/submissions",
                    json={"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": text},
                )
                assert response.status_code == 202, response.text
                submission_id = response.json()["id"]
                decision = await eventually(lambda sid=submission_id: routed(sid))
                # The rules decide while the commune has too few examples, and say so.
                assert decision["explanation_vi"][-1].startswith("Theo quy tắc")
                change = {"action": "reclassify", "topic": topic, "reason": "Sửa theo nội dung"}
                if decision["topic"] == topic:
                    change = {"action": "confirm", "reason": "Đúng nội dung"}
                response = await client.post(
                    f"{BASE}/submissions/{submission_id}/routing/changes", json=change
                )
                assert response.status_code == 200, response.text

            async def trained() -> dict | None:
                response = await client.get(f"{BASE}/routing/model")
                assert response.status_code == 200, response.text
                status = response.json()
                return status if status["models"] else None

            status = await eventually(trained, timeout=15)
            assert status["examples"] == 4 and not status["retraining_pending"]
            [model] = status["models"]
            assert (model["version"], model["examples"]) == (1, 4)
            # Everything learnt is keyed by this commune.
            assert await db[EXAMPLES].distinct("commune_id") == ["demo"]
            assert await db[MODELS].distinct("commune_id") == ["demo"]
            assert [d["_id"] for d in await db[STATE].find({}).to_list(None)] == ["demo"]
