"""/staff/van-ban says once and truly how an issue not reviewed yet is printed: the resident's
words with personal data masked, as the summary report's preview prints it; the warning box and
its bullets never claim the text is printed as typed (nguyên văn) nor repeat the masking rule.
Over the real broker and store (intake, routing and reporting in one process)."""

from __future__ import annotations

import re

import pytest

from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.integration.helpers import seeded_with_petitions
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
D = "/api/v1/communes/demo/dialogues/demo-2017"
PHONE = "0912 345 678"
WITH_PHONE = f"Cống thoát nước trước chợ bị nghẹt, mưa là ngập cả đoạn đường, liên hệ {PHONE}."
BARE = "xe tai cho cat chay toc do cao qua truong hoc, de nghi lap bien bao"


@pytest.fixture
async def system(make_settings):
    async with seeded_with_petitions(make_settings, [intake, routing, reporting], [WITH_PHONE, BARE]) as (
        app,
        client,
    ):
        yield app, client


async def test_the_documents_page_states_the_printing_rule_once_and_the_report_follows_it(system):
    app, api = system
    async with logged_in(app, "demo.vanphong") as web:
        page = (await web.get("/staff/van-ban")).text
    box = re.search(
        r"<section class=\"note\" role=\"alert\" data-printed-as-typed>(.*?)</section>", page, re.S
    )
    assert box is not None
    warning = box.group(1)
    assert 'data-warnings="personal_data"' in warning and 'data-warnings="no_diacritics"' in warning
    assert "nguyên văn" not in page and "sẽ in đã che" not in page
    assert "không nên in như người dân đã gõ" in warning and "che" not in warning
    rule = re.search(r"<p class=\"hint\" data-printing-rule>(.*?)</p>", page, re.S)
    assert (
        rule is not None
        and "chưa rà soát được in lời người dân đã gõ, có che thông tin cá nhân" in rule.group(1)
    )
    assert "lời người dân đã gõ" not in page.replace(rule.group(0), "")  # the rule, once

    report = (await api.get(f"{D}/documents/bao-cao-tong-hop/preview.html")).text
    assert PHONE not in report and "mưa là ngập cả đoạn đường, liên hệ [số điện thoại]" in report


async def test_once_the_notice_is_issued_the_page_no_longer_asks_to_fix_frozen_texts(system):
    """Seen by an outside walkthrough: after the notice was issued the page still said "Còn 1 vấn
    đề chưa rà soát … trước khi ban hành", its link leading to a field no longer editable."""
    app, api = system
    recorded = await api.put(f"{D}/meeting", json={"revision": 0, "chair": "Nguyễn Văn Minh, Bí thư Đảng ủy"})
    assert recorded.status_code == 200, recorded.text  # a meeting recorded: issuing the notice locks it
    issued = await api.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
    assert issued.status_code == 201, issued.text
    async with logged_in(app, "demo.vanphong") as web:
        page = (await web.get("/staff/van-ban")).text
    assert "data-printed-as-typed" not in page and "không nên in như người dân đã gõ" not in page
