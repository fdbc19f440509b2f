"""The staff dashboard's per-hamlet chart links every bar, the items of no one hamlet ("Toàn xã")
too: `?ap=toan-xa` lists exactly those, the list's hamlet filter offers the same choice, and the
line under the chart says what the list is filtered to and links back to every hamlet. Seen from
outside: the "Toàn xã" bar was the only one without a link and no filter reached those items."""

from __future__ import annotations

import re
from html import unescape

import pytest

from services.intake.repository import SUBMISSIONS
from tests.integration.test_web_staff import A_KINHTE, A_VANPHONG, _item, logged_in, staff  # noqa: F401

pytestmark = pytest.mark.integration
WHOLE = _item(
    "demo",
    7,
    office_id="phong-kinh-te",
    office_name="Phòng Kinh tế",
    topic=4,
    name="Trần Văn Chín",
    phone="0912 000 009",
    hamlet=None,  # type: ignore[arg-type]
)


async def test_the_whole_commune_bar_links_to_the_items_of_no_one_hamlet(staff):  # noqa: F811
    app, _ = staff
    await app.state.runtime.db[SUBMISSIONS].insert_one(WHOLE)
    async with logged_in(app, "demo.vanphong") as party:
        home = (await party.get("/staff/")).text
        chart = home[home.index('id="theo-ap-cap"') :]
        links = dict(re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', chart[: chart.index("</figure>")]))
        assert links.get("/staff/?ap=toan-xa") == "Toàn xã", links
        assert '<option value="toan-xa">Toàn xã (không riêng ấp nào)</option>' in home
        listed = (await party.get("/staff/?ap=toan-xa")).text
        assert WHOLE["tracking_code"] in listed
        assert A_KINHTE["tracking_code"] not in listed and A_VANPHONG["tracking_code"] not in listed
        assert '<option value="toan-xa" selected>' in listed
        line = re.search(r'<p class="chart-links" data-whole-commune>(.*?)</p>', listed)
        assert line is not None
        assert unescape(line.group(1)) == (
            "Danh sách đang lọc theo ý kiến chung của toàn xã (không riêng ấp nào): "
            '<a href="/staff/">Toàn xã (mọi ấp)</a>'
        )
        one = (await party.get("/staff/?ap=ap-can-cu")).text  # a hamlet still filters as before
        assert A_VANPHONG["tracking_code"] in one and WHOLE["tracking_code"] not in one
