"""Each issued document is e-mailed to the "Nơi nhận" it printed, through the real broker and
store (the four services in one process, mail caught by a local SMTP server): the 2017 invitation
reaches the delegates it invites and the Standing Committee, not the mass organisations of the
conclusion notice's list; the summary report reaches the Standing Committee alone; and a Nơi
nhận the commune edited (here in its own template) is the one mailed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from services.demo.seed import demo_commune, demo_dialogue
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.reporting.documents.render import TEMPLATES
from services.routing.app import build_service as routing
from shared.directory import COMMUNES
from tests.conftest import eventually
from tests.integration.helpers import posted_and_routed

pytestmark = pytest.mark.integration
D = "/api/v1/communes/demo/dialogues/demo-2017"
PETITIONS = [
    ("ấp Chợ", "Cống thoát nước trước chợ bị nghẹt, mưa là ngập cả đoạn đường."),
    ("ấp Căn Cứ", "Khiếu nại việc cấp giấy chứng nhận quyền sử dụng đất cho hộ bên cạnh lấn ranh nhà tôi."),
]
STANDING = "thuongtruc@danguy.example"
PROPAGANDA = "bantuyengiao@danguy.example"
ADDED_LINE = "Ban Tuyên giáo Đảng ủy (b/c)"
COMMUNE, PLAN = demo_commune(), demo_dialogue()
# the six addresses every document went to: the 2017 conclusion notice's Nơi nhận
NOTICE_LIST = {COMMUNE.recipient_emails[n] for n in COMMUNE.recipients_on(PLAN.meeting_date)}
DELEGATES = {d.email for d in PLAN.delegates if d.email}


@contextlib.asynccontextmanager
async def system(make_settings: Any, mail_capture: Any, **settings: Any) -> AsyncIterator[Any]:
    services = [intake, routing, notification, reporting]
    started = posted_and_routed(
        make_settings,
        services,
        PETITIONS,
        SMTP_URL=mail_capture.url,
        DOITHOAI_DIRECTORY_CACHE_S=0,
        **settings,
    )
    async with started as (app, client, _):
        db = app.state.runtime.db
        commune = await db[COMMUNES].find_one({"_id": "demo"})
        emails = {
            **commune["recipient_emails"],
            "Thường trực Đảng ủy (b/c)": STANDING,
            ADDED_LINE: PROPAGANDA,
        }
        await db[COMMUNES].update_one({"_id": "demo"}, {"$set": {"recipient_emails": emails}})
        yield app, client


async def issue(app: Any, client: Any, kind: str, issued_on: str) -> dict:
    issued = await client.post(f"{D}/documents/{kind}", json={"issued_on": issued_on})
    assert issued.status_code == 201, issued.text
    return issued.json()


async def mailed(app: Any, mail_capture: Any, documents: int) -> dict[str, set[str]]:
    """Once notification has handled `documents` issued events: each document's code -> the
    addresses it was e-mailed to (every e-mail with the PDF attached)."""
    marks = app.state.runtime.db["notification_processed_events"]
    await eventually(
        lambda: _at_least(marks.count_documents({"event_type": "document.issued.v1"}), documents), timeout=30
    )
    sent: dict[str, set[str]] = {}
    for message in mail_capture.messages():
        subject = str(message["Subject"])
        if subject.startswith("Văn bản số "):
            assert _pdf(message).startswith(b"%PDF"), subject
            sent.setdefault(subject.removeprefix("Văn bản số ").split(":")[0], set()).add(str(message["To"]))
    return sent


async def _at_least(count: Any, n: int) -> bool:
    return await count >= n


def _pdf(message: EmailMessage) -> bytes:
    [attachment] = list(message.iter_attachments())
    return attachment.get_content()


async def test_the_invitation_reaches_its_invitees_and_the_report_its_standing_committee(
    make_settings, mail_capture
):
    async with system(make_settings, mail_capture) as (app, client):
        invitation = await issue(app, client, "giay-moi", "2017-03-10")
        report = await issue(app, client, "bao-cao-tong-hop", "2017-03-20")
        sent = await mailed(app, mail_capture, 2)
    assert sent[invitation["code"]] == DELEGATES | {STANDING}
    assert sent[report["code"]] == {STANDING}  # the complaint stays with the Party committee
    assert not NOTICE_LIST & (sent[invitation["code"]] | sent[report["code"]])


async def test_a_noi_nhan_the_commune_edited_is_the_one_mailed(make_settings, mail_capture, tmp_path: Path):
    # the commune's own band prints one line more before the file copy, as staff typed it
    own = tmp_path / "templates" / "demo"
    own.mkdir(parents=True)
    band = (TEMPLATES / "_band.html").read_text(encoding="utf-8")
    lines = "  {% for line in lines %}\n  <div>{{ line }}</div>\n  {% endfor %}\n"
    assert lines in band
    added = lines.replace("lines %}", "lines[:-1] %}") + f"  <div>- {ADDED_LINE},</div>\n"
    (own / "_band.html").write_text(
        band.replace(lines, added + "  <div>{{ lines[-1] }}</div>\n"), encoding="utf-8"
    )
    async with system(make_settings, mail_capture, DOITHOAI_TEMPLATES_DIR=str(tmp_path / "templates")) as (
        app,
        client,
    ):
        report = await issue(app, client, "bao-cao-tong-hop", "2017-03-20")
        html = (await client.get(report["links"]["html"])).text
        sent = await mailed(app, mail_capture, 1)
    assert f"<div>- {ADDED_LINE},</div>" in html and "Lưu Văn phòng Đảng ủy." in html
    assert sent[report["code"]] == {STANDING, PROPAGANDA}
