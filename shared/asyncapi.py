"""The AsyncAPI document of the event contracts, generated from the code (topology and
payload models) and committed as docs/asyncapi.json; a test fails when they drift apart."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from shared.contracts import PAYLOADS, Envelope
from shared.topology import ConsumerSpec

DOCUMENT = Path(__file__).resolve().parents[1] / "docs" / "asyncapi.json"


def build_document(specs: Sequence[ConsumerSpec], prefix: str = "doithoai") -> dict[str, Any]:
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    envelope = Envelope.model_json_schema()
    envelope["properties"].pop("payload")
    schemas["Envelope"] = envelope
    for key, payload in sorted(PAYLOADS.items()):
        name = payload.__name__
        schema = payload.model_json_schema(ref_template="#/components/schemas/{model}")
        for nested, definition in schema.pop("$defs", {}).items():
            schemas[nested] = definition
        schemas[name] = schema
        messages[name] = {
            "name": key,
            "title": name,
            "summary": (payload.__doc__ or "").strip().split("\n")[0] or key,
            "contentType": "application/json",
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {
                        "type": "object",
                        "properties": {
                            "event_type": {"const": payload.EVENT_TYPE},
                            "version": {"const": payload.VERSION},
                            "payload": {"$ref": f"#/components/schemas/{name}"},
                        },
                    },
                ]
            },
        }
        consumers = sorted(
            f"{prefix}.{spec.service}.{spec.name}" for spec in specs if key in spec.routing_keys
        )
        channels[key] = {
            "description": f"Routing key {key} on the topic exchange {prefix}.events; "
            f"consumed by: {', '.join(consumers) or 'none'}.",
            "subscribe": {"message": {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {
                        "name": f"{prefix}.events",
                        "type": "topic",
                        "durable": True,
                        "autoDelete": False,
                    },
                    "bindingVersion": "0.2.0",
                }
            },
        }
    return {
        "asyncapi": "2.6.0",
        "info": {
            "title": "doithoai events",
            "version": "1",
            "description": "Versioned events between intake, routing, notification and reporting. "
            "Consumers ignore unknown fields; a new version is a new routing key.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "components": {"messages": messages, "schemas": schemas},
    }


def render(consumers: Sequence[ConsumerSpec]) -> str:
    return json.dumps(build_document(consumers), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
