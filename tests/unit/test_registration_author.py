"""Who entered a registration comes from the authenticated principal, never from the body:
seen from outside, an anonymous POST with "registered_by": "admin-forged" showed on
/staff/dang-ky as 'do admin-forged nhập'. A body naming the author is refused (422 on the
field, in both languages); the route passes the principal's name (`entered_by`)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.demo.seed import demo_commune
from services.intake.handlers.registrations import RegistrationDeps, register_attendee
from services.intake.registrations import RegistrationIn, registration_document
from shared.http import error_body

PERSON = {"name": "Lê Văn Tư", "phone": "0909 123 456", "hamlet": "ấp Chợ"}


class Store:
    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []

    async def add(self, doc: dict[str, Any]) -> bool:
        self.docs.append(doc)
        return True


@pytest.mark.parametrize("key", ["registered_by", "_registered_by"])
def test_a_body_naming_who_entered_it_is_refused_on_that_field(key):
    with pytest.raises(ValidationError) as refused:
        RegistrationIn.model_validate({**PERSON, key: "admin-forged"})
    (detail,) = error_body(refused.value.errors())["detail"]
    assert (detail["field"], detail["type"]) == (key, "extra_forbidden")
    assert detail["message_vi"] and detail["message_en"]
    assert "registered_by" not in RegistrationIn.model_json_schema()["properties"]


def test_the_author_is_the_person_unless_a_principal_entered_it():
    body = RegistrationIn.model_validate(PERSON)
    commune = demo_commune()
    assert registration_document(commune, "demo-2017", body, "ấp Chợ")["registered_by"] == "self"
    assert body.entered_by(None).registered_by == "self"
    entered = body.entered_by("demo.vanphong")
    assert registration_document(commune, "demo-2017", entered, "ấp Chợ")["registered_by"] == "demo.vanphong"
    assert body.registered_by == "self"  # the copy carries the author, the body is unchanged


async def test_the_use_case_stores_the_author_it_is_given():
    store = Store()
    body = RegistrationIn.model_validate(PERSON).entered_by("api-key:hop-dan")
    doc = await register_attendee(RegistrationDeps(store), demo_commune(), "demo-2017", body)
    assert doc["registered_by"] == store.docs[0]["registered_by"] == "api-key:hop-dan"
