"""Open311's query parameters and times (pure): W3C datetimes with their zone, a bare date as
the commune's local day, comma-delimited lists, every wrong value one problem naming its field;
updated_datetime is the request's last change (routing's latest decision or its follow-up)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from services.intake.open311 import service_request, updated_at
from services.intake.open311_params import (
    FieldProblem,
    RequestFilter,
    RequestStatus,
    parse_datetime,
    parse_filter,
    w3c,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CODES = ["1", "2", "0"]
RECEIVED = datetime(2017, 3, 1, 2, 0, 0, 123456)  # naive: UTC, as some stores give it back


def _doc(**fields) -> dict:
    return {"_id": "s1", "received_at": RECEIVED, "topic": 1, "topic_name": "Quy hoạch", **fields}


def test_updated_datetime_is_the_latest_routing_or_follow_up_change() -> None:
    assert service_request(_doc())["updated_datetime"] == "2017-03-01T02:00:00Z"
    routed = _doc(routing_updated_at=datetime(2017, 3, 2, 8, 30, tzinfo=UTC))
    assert service_request(routed)["updated_datetime"] == "2017-03-02T08:30:00Z"
    followed = {**routed, "followup_status": "resolved", "followup_updated_at": "2017-04-10T01:00:00.000000Z"}
    assert service_request(followed)["updated_datetime"] == "2017-04-10T01:00:00Z"
    answered_later = {**followed, "routing_updated_at": datetime(2017, 4, 11, tzinfo=UTC)}
    assert updated_at(answered_later) == datetime(2017, 4, 11, tzinfo=UTC)
    assert service_request(_doc())["requested_datetime"] == "2017-03-01T02:00:00Z"


def test_datetimes_keep_their_offset_and_local_times_are_the_communes() -> None:
    assert parse_datetime("start_date", "2017-03-25T07:30:00+07:00", VN, end_of_day=False) == datetime(
        2017, 3, 25, 0, 30, tzinfo=UTC
    )
    assert parse_datetime("start_date", "2017-03-25T07:30:00 07:00", VN, end_of_day=False) == datetime(
        2017, 3, 25, 0, 30, tzinfo=UTC
    )  # "+" sent unencoded in a query string
    assert parse_datetime("start_date", "2017-03-25T00:30:00Z", VN, end_of_day=False) == datetime(
        2017, 3, 25, 0, 30, tzinfo=UTC
    )
    assert parse_datetime("start_date", "2017-03-25T07:30:00", VN, end_of_day=False) == datetime(
        2017, 3, 25, 0, 30, tzinfo=UTC
    )
    assert parse_datetime("start_date", "2017-03-25", VN, end_of_day=False) == datetime(
        2017, 3, 24, 17, 0, tzinfo=UTC
    )
    end = parse_datetime("end_date", "2017-03-25", VN, end_of_day=True)
    assert isinstance(end, datetime) and w3c(end) == "2017-03-25T16:59:59Z"
    wrong = parse_datetime("start_date", "25/03/2017", VN, end_of_day=False)
    assert isinstance(wrong, FieldProblem) and wrong.description.startswith("start_date: ")


def test_a_year_whose_utc_time_does_not_exist_is_a_problem_of_its_field() -> None:
    """An outside probe got a 500 from `?start_date=0001-01-01` (its UTC time is before year 1)."""
    for field, raw in (
        ("start_date", "0001-01-01"),
        ("end_date", "0001-01-01T00:00:00+01:00"),
        ("start_date", "9999-12-31T23:59:59-01:00"),
        ("end_date", "9999-12-31"),
    ):
        problem = parse_datetime(field, raw, VN, end_of_day=field == "end_date")
        assert isinstance(problem, FieldProblem) and problem.field == field, raw
        assert "ngoài khoảng 1900–2999" in problem.description and "outside 1900-2999" in problem.description


def test_the_filter_takes_lists_and_names_every_wrong_field() -> None:
    parsed = parse_filter({"service_code": "1, 2", "status": "open,CLOSED"}, CODES, VN)
    assert parsed == RequestFilter(
        codes=(1, 2), statuses=frozenset({RequestStatus.OPEN, RequestStatus.CLOSED})
    )
    assert isinstance(parsed, RequestFilter) and parsed.query() == {"topic": {"$in": [1, 2]}}
    problems = parse_filter({"service_code": "x", "status": "pending", "start_date": "soon"}, CODES, VN)
    assert isinstance(problems, list)
    assert [p.field for p in problems] == ["service_code", "status", "start_date"]
    assert "chọn một trong: 1, 2, 0" in problems[0].vi and "expected one of: open, closed" in problems[1].en
    only_ids = parse_filter({"service_request_id": "a, b,a", "status": "nonsense"}, CODES, VN)
    assert only_ids == RequestFilter(ids=("a", "b"))  # the spec: the other parameters are ignored


def test_offices_are_named_as_the_dialogues_documents_name_them() -> None:
    """Before the notice Open311's agency is routing's office; for a 2017 dialogue the title of
    that time, as the notice, the public page and tracking print it (reporting's `offices`)."""
    offices = {"Phòng Kinh tế": "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"}
    doc = _doc(
        office_name="Phòng Kinh tế", followup_status="in_progress", followup_note="Phòng Kinh tế đang làm"
    )
    request = service_request(doc, offices=offices)
    assert request["agency_responsible"] == offices["Phòng Kinh tế"]
    assert request["status_notes"] == f"{offices['Phòng Kinh tế']} đang làm"
    assert service_request(doc)["agency_responsible"] == "Phòng Kinh tế"  # reporting did not answer
    assert service_request(doc, agency="Sở Xây dựng", offices=offices)["agency_responsible"] == "Sở Xây dựng"
    # reporting did not answer after the follow-up began: the body the follow-up named
    followed = {**doc, "followup_office": "Văn phòng Đăng ký đất đai tỉnh"}
    assert service_request(followed, notes=False)["agency_responsible"] == "Văn phòng Đăng ký đất đai tỉnh"
