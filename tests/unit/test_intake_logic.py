from __future__ import annotations

import unicodedata

import pytest
from pydantic import ValidationError

from services.demo.seed import demo_commune
from services.intake.logic import SubmissionRejected, accept_submission, resolve_hamlet
from services.intake.schemas import TEXT_MAX, SubmissionIn
from shared.contracts import Envelope, SubmissionReceivedV1
from shared.http import error_body


def body(**fields) -> SubmissionIn:
    return SubmissionIn.model_validate(
        {
            "source": "citizen",
            "kind": "petition",
            "text": "Đường vào ấp Chợ ngập nước.",
            "hamlet": "ấp Chợ",
            **fields,
        }
    )


def test_text_is_nfc_normalised_at_the_boundary():
    nfd = unicodedata.normalize("NFD", "Hòa đất ở ấp Chợ bị lấn chiếm")
    assert body(text=nfd).text == unicodedata.normalize("NFC", nfd)
    assert len(body(text=nfd).text) < len(nfd)


def test_mass_organisation_may_be_named_as_the_source():
    parsed = body(source="youth_union")
    assert (parsed.source.value, parsed.organisation.value) == ("mass_organisation", "youth_union")


@pytest.mark.parametrize(
    ("fields", "field", "error_type"),
    [
        ({"source": "robot"}, "source", "enum"),
        ({"text": "x" * (TEXT_MAX + 1)}, "text", "string_too_long"),
        ({"text": "   "}, "text", "string_too_short"),
        ({"kind": None}, "kind", "enum"),
        ({"unexpected": 1}, "unexpected", "extra_forbidden"),
    ],
)
def test_invalid_fields_give_a_bilingual_error_naming_the_field(fields, field, error_type):
    with pytest.raises(ValidationError) as caught:
        body(**fields)
    described = error_body([{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()])
    detail = next(d for d in described["detail"] if d["field"] == field)
    assert detail["type"] == error_type
    assert detail["message_vi"] and detail["message_en"] and detail["message_vi"] != detail["message_en"]


def test_hamlet_is_matched_without_diacritics_and_without_the_word_ap():
    commune = demo_commune()
    assert resolve_hamlet(commune, "ap can cu") == "ấp Căn Cứ"
    assert resolve_hamlet(commune, "Căn Cứ") == "ấp Căn Cứ"
    assert resolve_hamlet(commune, "Toàn xã") is None
    assert resolve_hamlet(commune, None) is None


def test_unknown_hamlet_is_rejected_with_the_known_ones():
    with pytest.raises(SubmissionRejected) as caught:
        resolve_hamlet(demo_commune(), "ấp Không Có")
    assert caught.value.field == "hamlet" and "ấp Chợ" in caught.value.vi


def test_accepted_submission_stores_its_received_event_in_the_outbox():
    doc = accept_submission(
        body(submitter_name="Nguyễn Văn A", contact="0909000000"), demo_commune(), correlation_id="corr"
    )
    assert doc["status"] == "received" and doc["dialogue_id"] == "demo-2017" and doc["outbox_pending"] is True
    [event] = doc["outbox"]
    envelope = Envelope.model_validate(event)
    payload = SubmissionReceivedV1.model_validate(envelope.payload)
    assert (envelope.routing_key, envelope.commune_id, envelope.correlation_id) == (
        "submission.received.v1",
        "demo",
        "corr",
    )
    assert (payload.submission_id, payload.tracking_code, payload.hamlet) == (
        doc["_id"],
        doc["tracking_code"],
        "ấp Chợ",
    )
    assert "Nguyễn" not in str(envelope.payload)  # personal data stays in intake


def test_commune_without_open_dialogue_refuses():
    commune = demo_commune().model_copy(update={"current_dialogue_id": None})
    with pytest.raises(SubmissionRejected) as caught:
        accept_submission(body(), commune, correlation_id="c")
    assert caught.value.code == "no_open_dialogue" and caught.value.field is None
