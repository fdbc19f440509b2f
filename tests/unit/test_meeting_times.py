"""The meeting record's times through reporting's API route (`services/reporting/meeting_api.py`)
over the in-memory fakes of test_meeting_record: a time whose year is outside 1900-2999 or whose
UTC time does not exist is a 422 naming its field (an outside probe got 500s from
0001-01-01T00:00:00+14:00 and 9999-12-31T23:59:59-14:00), and an end before the start is refused
naming ended_at, whichever of the two is sent last."""

from __future__ import annotations

import pytest

from tests.unit.test_conclusion_deadline import client, refused_field  # noqa: F401 (fixture)
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE

M = f"/api/v1/communes/{COMMUNE.id}/dialogues/{DIALOGUE.id}/meeting"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("", {"revision": 0, "started_at": "0001-01-01T00:00:00+14:00"}, "started_at"),
        ("", {"revision": 0, "ended_at": "9999-12-31T23:59:59-14:00"}, "ended_at"),
        ("/programme", {"title": "Khai mạc", "at": "0001-01-01T00:00:00+14:00"}, "at"),
        (
            "/interventions",
            {"speaker": "Ông Tám", "question": "Cống", "at": "9999-12-31T23:59:59-14:00"},
            "at",
        ),
        (
            "/interventions",
            {"speaker": "Ông Tám", "question": "Cống", "at": "1850-03-25T08:00:00+07:00"},
            "at",
        ),
    ],
)
def test_a_time_out_of_range_is_a_422_naming_its_field(client, path, body, field):  # noqa: F811
    send = client.put if path == "" else client.post
    detail = refused_field(send(M + path, json=body))
    assert detail["field"] == field
    assert detail["message_vi"] and detail["message_en"]


def test_the_meeting_ends_after_it_starts(client):  # noqa: F811
    started = client.put(M, json={"revision": 0, "started_at": "2017-03-25T07:30:00+07:00"})
    assert started.status_code == 200, started.text
    detail = refused_field(client.put(M, json={"revision": 1, "ended_at": "2017-03-25T07:00:00+07:00"}))
    assert detail["field"] == "ended_at"
    assert "sau giờ bắt đầu" in detail["message_vi"] and "after started_at" in detail["message_en"]
    both = client.put(
        M,
        json={
            "revision": 1,
            "started_at": "2017-03-25T11:00:00+07:00",
            "ended_at": "2017-03-25T10:00:00+07:00",
        },
    )
    assert refused_field(both)["field"] == "ended_at"
    ended = client.put(M, json={"revision": 1, "ended_at": "2017-03-25T11:15:00+07:00"})
    assert ended.status_code == 200, ended.text
    assert ended.json()["ended_at"].startswith("2017-03-25T04:15:00")
