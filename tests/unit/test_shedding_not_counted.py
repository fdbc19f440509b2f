"""A public POST that load shedding refuses (503, nothing stored) is not counted against the
caller's per-address limit; seen from outside: 33 anonymous posts gave one 202, 29 503s with
Retry-After, then a 429 asking to wait 314 s, so a resident who waited as told was locked out.
Registrations are not shed, so they are always counted.

Fakes: the request is a namespace holding what `public_verdict` reads (the app's parts and no
store: reaching the store-backed counter raises), and the queue estimate is a fixed number."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from services.intake.public_limits import API, OPEN311, REGISTRATION, WEB, public_verdict
from shared.backpressure import Admission


class _Queued:
    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def seconds(self, now: float) -> float:
        return self._seconds


class _NoStore(SimpleNamespace):
    @property
    def runtime(self):
        raise LookupError("the counter was reached")


def _request(queued_s: float) -> SimpleNamespace:
    admission = Admission({"routing": _Queued(queued_s)}, max_queued_s=1.0)  # type: ignore[dict-item]
    intake = SimpleNamespace(components={"admission": admission})
    app = SimpleNamespace(state=_NoStore(parts={"intake": intake}))
    return SimpleNamespace(app=app, state=SimpleNamespace(principal=None))


@pytest.mark.parametrize("bucket", [WEB, API, OPEN311])
async def test_a_submission_refused_by_load_shedding_is_not_counted(bucket: str) -> None:
    assert await public_verdict(_request(queued_s=30.0), "demo", bucket) is None  # type: ignore[arg-type]


@pytest.mark.parametrize("bucket", [WEB, API, OPEN311, REGISTRATION])
async def test_otherwise_every_anonymous_post_is_counted(bucket: str) -> None:
    with pytest.raises(LookupError):
        await public_verdict(_request(queued_s=0.5), "demo", bucket)  # type: ignore[arg-type]


async def test_registrations_are_counted_while_submissions_are_shed() -> None:
    with pytest.raises(LookupError):
        await public_verdict(_request(queued_s=30.0), "demo", REGISTRATION)  # type: ignore[arg-type]
