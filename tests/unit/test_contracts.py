from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from shared.contracts import (
    PAYLOADS,
    Envelope,
    Kind,
    Organisation,
    Source,
    SubmissionReceivedV1,
    SubmissionRoutedV1,
)


def received() -> SubmissionReceivedV1:
    return SubmissionReceivedV1(
        submission_id="s1",
        dialogue_id="demo-2017",
        tracking_code="DT-ABC",
        source=Source.CITIZEN,
        kind=Kind.PETITION,
        text="Đường ngập nước",
        hamlet="ấp Chợ",
        received_at=datetime(2017, 3, 1, tzinfo=UTC),
    )


def test_envelope_carries_versioned_routing_key_and_ids():
    envelope = Envelope.wrap(received(), commune_id="demo", correlation_id="c1")
    assert envelope.routing_key == "submission.received.v1"
    assert (envelope.event_type, envelope.version, envelope.commune_id, envelope.correlation_id) == (
        "submission.received",
        1,
        "demo",
        "c1",
    )
    assert len(envelope.event_id) == 32 and envelope.occurred_at.tzinfo is not None


def test_round_trip_through_json_keeps_the_payload():
    envelope = Envelope.wrap(received(), commune_id="demo", correlation_id="c1")
    again = Envelope.model_validate_json(envelope.model_dump_json())
    assert again == envelope
    assert PAYLOADS[again.routing_key].model_validate(again.payload) == received()


def test_unknown_fields_are_ignored_so_optional_additions_keep_the_version():
    envelope = Envelope.wrap(received(), commune_id="demo", correlation_id="c1")
    data = envelope.model_dump(mode="json")
    data["added_later"] = 1
    data["payload"]["new_optional_field"] = "x"
    parsed = Envelope.model_validate(data)
    assert SubmissionReceivedV1.model_validate(parsed.payload) == received()


def test_a_routed_event_carries_the_received_facts_and_one_without_them_still_reads():
    earlier = {  # as routing published it before the routed event carried the received facts
        "submission_id": "s1",
        "dialogue_id": "demo-2017",
        "tracking_code": "DT-ABC",
        "kind": "petition",
        "text": "Đường ngập nước",
        "topic": 2,
        "topic_name": "Giao thông",
        "office_id": "phong-kinh-te",
        "office_name": "Phòng Kinh tế",
        "confidence": 0.9,
    }
    old = SubmissionRoutedV1.model_validate(earlier)
    assert (old.source, old.organisation, old.received_at) == (None, None, None)
    facts = {
        "source": "mass_organisation",
        "organisation": "womens_union",
        "received_at": "2017-03-01T00:00:00Z",
    }
    routed = SubmissionRoutedV1.model_validate({**earlier, **facts})
    envelope = Envelope.wrap(routed, commune_id="demo", correlation_id="c1")
    again = SubmissionRoutedV1.model_validate(
        Envelope.model_validate_json(envelope.model_dump_json()).payload
    )
    assert (again.source, again.organisation) == (Source.MASS_ORGANISATION, Organisation.WOMENS_UNION)
    assert again.received_at == datetime(2017, 3, 1, tzinfo=UTC)


def test_payloads_and_envelopes_are_frozen():
    with pytest.raises(ValidationError):
        received().text = "changed"  # type: ignore[misc]


def test_commune_id_is_validated():
    with pytest.raises(ValidationError):
        Envelope.wrap(received(), commune_id="Not A Slug!", correlation_id="c1")


def test_events_carry_no_personal_data():
    for payload in PAYLOADS.values():
        assert not {"submitter", "submitter_name", "contact", "phone", "email"} & set(payload.model_fields)


def test_every_payload_is_registered_under_its_routing_key():
    assert set(PAYLOADS) == {
        "submission.received.v1",
        "submission.routed.v1",
        "notification.sent.v1",
        "notification.failed.v1",
        "dialogue.plan_changed.v1",
        "followup.changed.v1",
        "followup.reminder.v1",
        "document.issued.v1",
        "meeting.attendance_changed.v1",
        "meeting.recorded.v1",
    }
    assert PAYLOADS["submission.routed.v1"] is SubmissionRoutedV1


def test_json_log_lines_carry_the_ids_given_in_extra():
    import json
    import logging

    from shared.observability import JsonFormatter

    record = logging.LogRecord("doithoai.access", logging.INFO, __file__, 1, "%s %s", ("POST", "/x"), None)
    record.correlation_id, record.commune_id = "corr-1", "demo"
    line = json.loads(JsonFormatter().format(record))
    assert (line["msg"], line["correlation_id"], line["commune_id"], line["level"]) == (
        "POST /x",
        "corr-1",
        "demo",
        "INFO",
    )
