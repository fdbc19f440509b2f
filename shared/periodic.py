"""A pass that runs again and again in a service's lifespan, surviving its own failures."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


async def repeat(step: Callable[[], Awaitable[object]], interval_s: float, name: str) -> None:
    while True:
        try:
            await step()
        except Exception:  # a store or broker outage must not end the loop
            log.warning("%s pass failed; will retry", name, exc_info=True)
        await asyncio.sleep(interval_s)
