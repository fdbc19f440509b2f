"""The staff item page says how many times the item's issue was raised as the documents print it
("[Nêu 2 lần]"), on the first item of the issue too, and keeps this year's petitions apart from
earlier years. Seen from outside: the documents said "Nêu 3 lần" where the item page said 2, and
nothing on the issue's first item (its own count on arrival, 1). Real app: intake and routing on
the broker and store."""

from __future__ import annotations

import pytest

from services.intake.repository import SUBMISSIONS
from tests.integration.test_meeting_page import text_of
from tests.integration.test_outside_item_repeats import repeat  # noqa: F401 (the fixture)
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration


async def test_both_items_of_an_issue_raised_twice_say_two(repeat):  # noqa: F811
    app, db, *ids = repeat  # the first item, and the second that repeats it
    first = await db[SUBMISSIONS].find_one({"_id": ids[0]})
    assert first["times_raised"] == 1  # its count on arrival: the documents count the issue
    async with logged_in(app, "demo.vanphong") as client:
        for submission_id in ids:
            page = await client.get(f"/staff/items/{submission_id}")
            assert page.status_code == 200, page.text
            assert 'data-times-raised="2"' in page.text
            assert "Số lần nêu 2 lần (năm 2017: 2 ý kiến)" in text_of(page.text)
