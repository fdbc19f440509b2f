"""The committed AsyncAPI document is the one the code generates: change a contract, and this
fails until `make asyncapi` writes the document again."""

from services.deployment import CONSUMERS
from shared.asyncapi import DOCUMENT, build_document, render
from shared.contracts import PAYLOADS


def test_committed_document_matches_the_contracts():
    assert DOCUMENT.exists(), "docs/asyncapi.json is missing: run `make asyncapi`"
    assert DOCUMENT.read_text(encoding="utf-8") == render(CONSUMERS), (
        "contracts changed: run `make asyncapi` and commit docs/asyncapi.json"
    )


def test_every_event_has_a_channel_and_a_message():
    document = build_document(CONSUMERS)
    assert set(document["channels"]) == set(PAYLOADS)
    for key, payload in PAYLOADS.items():
        assert document["channels"][key]["subscribe"]["message"]["$ref"].endswith(payload.__name__)
        assert "consumed by: none" not in document["channels"][key]["description"], f"{key} has no consumer"
