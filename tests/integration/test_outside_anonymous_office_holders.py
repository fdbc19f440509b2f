"""The commune's office holders (the names printed under its documents) are public to read, as
README's list of anonymous routes says, and only the plan's editors change them."""

from __future__ import annotations

import pytest

from tests.integration.helpers import seeded_intake

pytestmark = pytest.mark.integration


async def test_anyone_reads_the_office_holders_and_no_one_anonymous_changes_them(make_settings):
    async with seeded_intake(make_settings) as (_, client):
        read = await client.get("/api/v1/communes/demo/office-holders")
        assert read.status_code == 200, read.text
        assert read.json()["secretary"]
        changed = await client.put("/api/v1/communes/demo/office-holders", json=read.json())
        assert changed.status_code == 401 and changed.json()["message_vi"]
