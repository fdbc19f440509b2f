"""Notification reads what other services own through their APIs, on the real broker and store.

1. Intake's internal reads (residents' contacts, registrants' phones) answer notification's own
   service token only: anonymous callers get 401, staff of every role, API keys and other
   services 403, notification's token for another commune 403. Reporting's issued document
   lets notification's token in, and no other service's.
2. Notification in a process of its own reaches the owners over HTTP: while they do not answer,
   the resolved follow-up and the issued document wait in the retry queue; once they answer,
   the resident is told and every recipient gets the PDF.
"""

from __future__ import annotations

from contextlib import AsyncExitStack

import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from shared.auth.principal import Role, Scope, service_principal
from shared.auth.tokens import Tokens, parse_keys
from tests.auth import key_token_headers, staff_headers
from tests.conftest import eventually
from tests.integration.helpers import reserved_port, running, serving

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
INTERNAL = "/internal/v1/communes/demo"
NEXT_PLAN = {
    "id": "demo-2018",
    "year": 2018,
    "title": "Kế hoạch đối thoại năm 2018",
    "theme": "Xây dựng nông thôn mới",
    "meeting_date": "2018-03-24",
    "venue": "Nhà văn hóa xã",
    "hamlets": [{"hamlet": "ấp Chợ"}],
}
DRAIN = "Cống thoát nước trước chợ bị nghẹt, mưa là ngập cả đoạn đường."


def service_headers(settings, service: str, commune_id: str = "demo") -> dict[str, str]:
    tokens = Tokens(parse_keys(settings.auth_keys), settings.token_ttl_s)
    return {"authorization": f"Bearer {tokens.issue(service_principal(service, commune_id))}"}


async def _submit(client: httpx.AsyncClient, text: str, contact: str | None) -> dict:
    body = {"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": text}
    response = await client.post(
        f"{BASE}/submissions", json={**body, **({"contact": contact} if contact else {})}
    )
    assert response.status_code == 202, response.text
    return response.json()


async def test_only_notifications_own_token_reads_contacts_phones_and_issued_documents(make_settings):
    settings = make_settings()
    app = build_app(settings, [intake, reporting], title="owners")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            accepted = await _submit(client, DRAIN, "dan.cho@example.org")
            staff = staff_headers()
            assert (await client.post(f"{BASE}/dialogues", json=NEXT_PLAN, headers=staff)).status_code == 201
            registered = await client.post(
                f"{BASE}/dialogues/demo-2018/registrations",
                json={"name": "Võ Văn Em", "phone": "0911000001", "hamlet": "ấp Chợ"},
            )
            assert registered.status_code == 201, registered.text
            issued = await client.post(
                f"{BASE}/dialogues/demo-2017/documents/thong-bao-ket-luan", json={"by": "VP"}, headers=staff
            )
            assert issued.status_code == 201, issued.text
            reads = {
                "contacts": f"{INTERNAL}/submitters?submission_id={accepted['id']}&submission_id=unknown",
                "phones": f"{INTERNAL}/dialogues/demo-2018/registrants",
                "pdf": issued.json()["links"]["pdf"],
            }

            own = service_headers(settings, "notification")
            contacts = await client.get(reads["contacts"], headers=own)
            assert contacts.status_code == 200
            assert contacts.json() == {
                "submitters": [
                    {
                        "submission_id": accepted["id"],
                        "tracking_code": accepted["tracking_code"],
                        "contact": "dan.cho@example.org",
                    }
                ]
            }
            phones = (await client.get(reads["phones"], headers=own)).json()["registrants"]
            assert [(p["phone"], p["hamlet"], p["hamlet_id"]) for p in phones] == [
                ("0911000001", "ấp Chợ", "ap-cho")
            ]
            pdf = await client.get(reads["pdf"], headers=own)
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

            for name, url in reads.items():
                assert (await client.get(url)).status_code == 401, name
                assert (
                    await client.get(url, headers=service_headers(settings, "routing"))
                ).status_code == 403, name
                other_commune = service_headers(settings, "notification", "other-commune")
                assert (await client.get(url, headers=other_commune)).status_code == 403, name
                if name == "pdf":
                    continue  # staff and integrations read issued documents as before
                for role in Role:
                    assert (await client.get(url, headers=staff_headers(role))).status_code == 403, (
                        name,
                        role,
                    )
                every_scope = key_token_headers(settings, "demo", *Scope)
                assert (await client.get(url, headers=every_scope)).status_code == 403, name
            too_many = "&".join(f"submission_id=s{i}" for i in range(101))
            assert (await client.get(f"{INTERNAL}/submitters?{too_many}", headers=own)).status_code == 422


async def test_notification_in_its_own_process_waits_for_the_owners_then_tells_and_distributes(
    make_settings, mail_capture
):
    owners_port = reserved_port()  # refused until the owners are served on it
    owners_url = f"http://127.0.0.1:{owners_port.getsockname()[1]}"
    settings = make_settings(
        SMTP_URL=mail_capture.url,
        DOITHOAI_SCHEDULER_INTERVAL_S=3600,
        DOITHOAI_MAX_RETRIES=50,
        DOITHOAI_RETRY_DELAY_MS=200,
        DOITHOAI_INTAKE_URL=owners_url,
        DOITHOAI_REPORTING_URL=owners_url,
    )
    # the owners' reporting lists the items not routed yet from the intake it is served with
    owners = build_app(
        settings.model_copy(update={"intake_url": "inprocess"}), [intake, routing, reporting], title="owners"
    )
    notifier = build_app(settings, [notification], title="notification")
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(running(owners))
        await stack.enter_async_context(running(notifier))
        await seed_demo(owners.state.runtime.db)
        client = await stack.enter_async_context(
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=owners),
                base_url="http://t",
                headers=staff_headers(),
                timeout=60,
            )
        )
        accepted = await _submit(client, DRAIN, "dan.cho@example.org")

        async def routed() -> bool:
            items = (await client.get(f"{BASE}/dialogues/demo-2017/items")).json()["items"]
            return any(i["topic"] is not None for i in items)

        await eventually(routed, timeout=20)
        issued = await client.post(
            f"{BASE}/dialogues/demo-2017/documents/thong-bao-ket-luan",
            json={"by": "VP", "issued_on": "2017-04-05"},
        )
        assert issued.status_code == 201, issued.text
        task = (await client.get(f"{BASE}/dialogues/demo-2017/follow-up")).json()["tasks"][0]
        done = await client.post(
            f"{BASE}/follow-up/{task['id']}/status", json={"status": "resolved", "note": "Đã nạo vét cống."}
        )
        assert done.status_code == 200, done.text

        registry = notifier.state.runtime.registry

        def retried(event_type: str) -> bool:
            labels = {"event_type": event_type, "outcome": "retried"}
            return (registry.get_sample_value("doithoai_notification_events_consumed_total", labels) or 0) > 0

        await eventually(lambda: retried("followup.changed.v1") and retried("document.issued.v1"), timeout=20)
        assert not any(m["To"] == "dan.cho@example.org" for m in mail_capture.messages())
        assert not any("01-TB/ĐU" in str(m["Subject"]) for m in mail_capture.messages())

        await stack.enter_async_context(serving(owners, owners_port))
        told = await eventually(
            lambda: next((m for m in mail_capture.messages() if m["To"] == "dan.cho@example.org"), None),
            timeout=20,
        )
        assert accepted["tracking_code"] in told.get_content()
        await eventually(
            lambda: sum("01-TB/ĐU" in str(m["Subject"]) for m in mail_capture.messages()) == 6, timeout=20
        )
        distributed = [m for m in mail_capture.messages() if "01-TB/ĐU" in str(m["Subject"])]
        assert all(
            any(part.get_content_type() == "application/pdf" for part in m.iter_attachments())
            for m in distributed
        )
