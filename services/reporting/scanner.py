"""The periodic follow-up scan (`handlers.scan_follow_up`), run in every reporting replica."""

from __future__ import annotations

from datetime import date

from services.reporting.handlers import FollowUpDeps, scan_follow_up
from shared.periodic import repeat


class FollowUpScanner:
    def __init__(self, deps: FollowUpDeps, *, interval_s: float) -> None:
        self._deps, self._interval = deps, interval_s

    async def run_forever(self) -> None:
        await repeat(self.scan, self._interval, "follow-up scan")

    async def scan(self, today: date | None = None) -> int:
        return await scan_follow_up(self._deps, today)
