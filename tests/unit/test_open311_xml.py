"""Open311's XML form (pure): the spec's containers, one element per field, None empty, booleans
true/false, text escaped and characters XML 1.0 cannot carry left out (the answer still parses)."""

from __future__ import annotations

from xml.etree import ElementTree

from services.intake.open311_xml import Answer, errors, render


def test_requests_render_as_the_specs_containers_and_always_parse() -> None:
    body = render(
        Answer.REQUESTS,
        [{"service_request_id": "s1", "description": "a < b & \x00c\x1f", "lat": None, "metadata": False}],
    )
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ElementTree.fromstring(body)
    [request] = root
    assert (root.tag, request.tag) == ("service_requests", "request")
    assert request.findtext("description") == "a < b & c"
    assert request.find("lat") is not None and request.findtext("lat") == ""
    assert request.findtext("metadata") == "false"


def test_a_definition_and_errors() -> None:
    definition = ElementTree.fromstring(render(Answer.DEFINITION, {"service_code": "4", "attributes": []}))
    assert definition.tag == "service_definition" and definition.find("attributes") is not None
    root = ElementTree.fromstring(errors([{"code": 400, "description": "status: … / …"}]))
    assert (root.tag, root[0].tag, root[0].findtext("code")) == ("errors", "error", "400")
