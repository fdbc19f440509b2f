"""Open311 asks reporting's published view only for the submissions it shows, 200 at a time,
and merges the answers; before, every Open311 read (one request included) made reporting read the
whole dialogue. Fake: reporting's API is a recorder answering each asked id, as the real view
answers for the submissions it is asked (the HTTP client itself is not what is tested)."""

from __future__ import annotations

from services.intake.reporting_api import ASKED_AT_ONCE, ReportingOpenData


class _Reporting:
    def __init__(self) -> None:
        self.asked: list[list[str]] = []

    async def get(self, path: str, *, commune_id: str, params=None):
        ids = params["submission_id"].split(",")
        self.asked.append(ids)
        body = {
            "summaries": {i: f"tóm tắt {i}" for i in ids if i.endswith("0")},
            "withheld": [i for i in ids if i.endswith("1")],
            "agencies": {i: "Công an xã" for i in ids if i.endswith("2")},
            "outcomes": {i: {"kind": "answered", "note": "đã trả lời"} for i in ids if i.endswith("3")},
        }
        return _Response(body)


class _Response:
    def __init__(self, body: dict) -> None:
        self._body = body

    def json(self) -> dict:
        return self._body


async def test_the_asked_submissions_go_in_chunks_and_the_answers_merge() -> None:
    reporting = _Reporting()
    ids = [f"s{n}" for n in range(450)]
    found = await ReportingOpenData(reporting).published("demo", "demo-2017", ids)  # type: ignore[arg-type]
    assert [len(chunk) for chunk in reporting.asked] == [ASKED_AT_ONCE, ASKED_AT_ONCE, 50]
    assert sum(reporting.asked, []) == ids
    assert len(found.summaries) == len(found.withheld) == len(found.agencies) == len(found.outcomes) == 45
    assert found.summaries["s440"] == "tóm tắt s440" and "s441" in found.withheld
    assert found.outcomes["s443"] == {"kind": "answered", "note": "đã trả lời"}
