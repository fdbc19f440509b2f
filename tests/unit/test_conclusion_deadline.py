"""A conclusion's deadline against the meeting day, through the reporting API route
(`services/reporting/meeting_api.py`) over the in-memory fakes of test_meeting_record: a
deadline_date on or before the meeting day (the 2017 demo dialogue meets on 25/03/2017) is
refused with 422 naming deadline_date, in Vietnamese and English, as an impossible date
(31/02/2017) is, and the staff page shows it under that field; a later date is kept;
deadline_working_days is bounded (1-365)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.intake.web.staff.backends import BackendReply
from services.intake.web.staff.meeting import _CONCLUSION_FIELDS, field_of
from services.reporting.handlers.ports import MeetingDeps
from services.reporting.meeting import MAX_WORKING_DAYS, InvalidConclusion, check_conclusion, check_deadline
from services.reporting.meeting_api import build_meeting_router
from services.reporting.published import ReadLimits
from shared.http import install_error_handlers
from tests.unit.test_meeting_record import ITEMS, FakeMeetings, FakeSubmissions
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE, NOW, FakeDirectory, FakeItems, FakeOutbox

URL = f"/api/v1/communes/{COMMUNE.id}/dialogues/{DIALOGUE.id}/meeting/conclusions/s1"
ASSIGNED = {"kind": "assigned", "text": "Sửa cống trước chợ", "office_id": "phong-kinh-te"}


class OpenGuard:
    async def run(self, request: Any, path: str, name: str, inner: Any) -> Any:
        return await inner(request)


@pytest.fixture
def client():
    deps = MeetingDeps(
        FakeDirectory(), FakeItems(ITEMS), FakeMeetings(), FakeSubmissions(), FakeOutbox(), lambda: NOW
    )
    app = FastAPI()
    app.state.guard = OpenGuard()
    install_error_handlers(app)
    app.include_router(build_meeting_router(deps, ReadLimits()))
    with TestClient(app) as test_client:
        yield test_client


def refused_field(response: Any) -> dict:
    assert response.status_code == 422, response.text
    [detail] = response.json()["detail"]
    return detail


def test_meeting_day_is_the_demo_plan_s():
    assert DIALOGUE.meeting_date == date(2017, 3, 25)


@pytest.mark.parametrize("day", ["2017-03-01", "2017-03-24", "2017-03-25"])
def test_a_deadline_on_or_before_the_meeting_day_is_refused_naming_deadline_date(client, day):
    detail = refused_field(client.put(URL, json={**ASSIGNED, "deadline_date": day}))
    assert detail["field"] == "deadline_date"
    assert "sau ngày hội nghị" in detail["message_vi"] and "25/03/2017" in detail["message_vi"]
    assert "after the meeting" in detail["message_en"] and "2017-03-25" in detail["message_en"]


def test_the_staff_page_shows_the_refusal_under_its_deadline_date_field(client):
    # the staff page's POST forwards the form to this route and shows a 422 under the field it names
    response = client.put(URL, json={**ASSIGNED, "deadline_date": "2017-03-01"})
    reply = BackendReply(response.status_code, response.json())
    assert field_of(reply, _CONCLUSION_FIELDS) == "deadline_date"
    assert reply.reason_vi() == "Hạn giải quyết phải sau ngày hội nghị đối thoại (25/03/2017)."


def test_an_impossible_date_is_refused_the_same_way(client):
    detail = refused_field(client.put(URL, json={**ASSIGNED, "deadline_date": "2017-02-31"}))
    assert detail["field"] == "deadline_date" and detail["message_vi"] and detail["message_en"]


def test_a_deadline_after_the_meeting_day_is_kept(client):
    response = client.put(URL, json={**ASSIGNED, "deadline_date": "2017-03-26"})
    assert response.status_code == 200, response.text
    assert response.json()["deadline_date"] == "2017-03-26"


@pytest.mark.parametrize("days", [0, -3, MAX_WORKING_DAYS + 1, 10**30])
def test_working_days_outside_1_to_the_bound_are_refused(client, days):
    detail = refused_field(client.put(URL, json={**ASSIGNED, "deadline_working_days": days}))
    assert detail["field"] == "deadline_working_days" and detail["message_vi"] and detail["message_en"]


@pytest.mark.parametrize("days", [1, MAX_WORKING_DAYS])
def test_working_days_within_the_bounds_are_kept(client, days):
    response = client.put(URL, json={**ASSIGNED, "deadline_working_days": days})
    assert response.status_code == 200, response.text
    assert response.json()["deadline_working_days"] == days


def test_the_rule_itself_takes_a_date_or_its_iso_text():
    for deadline in (date(2017, 3, 25), "2017-03-25"):
        with pytest.raises(InvalidConclusion) as refused:
            check_deadline({"deadline_date": deadline}, DIALOGUE.meeting_date)
        assert refused.value.field == "deadline_date"
    check_deadline({"deadline_date": "2017-03-26"}, DIALOGUE.meeting_date)
    check_deadline({"deadline_working_days": 1}, DIALOGUE.meeting_date)
    with pytest.raises(InvalidConclusion) as refused:  # check_conclusion applies it given the day
        check_conclusion(COMMUNE, {**ASSIGNED, "deadline_date": "2017-03-01"}, DIALOGUE.meeting_date)
    assert refused.value.field == "deadline_date"
    assert check_conclusion(COMMUNE, {**ASSIGNED, "deadline_date": "2017-03-01"})["deadline_date"]
