"""The residents' site answers /favicon.ico with its small icon, cached by browsers for a week,
to anyone (no session, no key); seen from outside it answered 404 to every browser's first visit."""

from __future__ import annotations

import pytest

from tests.integration.helpers import seeded_intake

pytestmark = pytest.mark.integration


async def test_the_site_icon_is_served_and_cached(make_settings):
    async with seeded_intake(make_settings) as (_, client):
        icon = await client.get("/favicon.ico")
        assert icon.status_code == 200
        assert icon.headers["content-type"] == "image/x-icon"
        assert icon.content[:4] == b"\x00\x00\x01\x00" and len(icon.content) < 4096  # an ICO file
        assert (
            "max-age=604800" in icon.headers["cache-control"]
            and "no-store" not in icon.headers["cache-control"]
        )
        page = await client.get("/xa/demo")
        assert '<link rel="icon" href="/static/favicon.ico"' in page.text
        assert (await client.get("/static/favicon.ico")).content == icon.content
