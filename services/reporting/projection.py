"""What a routed event contributes to a read-model item (pure).

Times in the read model are ISO-8601 UTC strings: they sort correctly as text, and they stay
the same type whichever event's `$set` writes them first (the wire server used in tests turns
datetimes written by `$set` on an existing document into strings, real MongoDB does not)."""

from __future__ import annotations

from shared.clock import iso
from shared.contracts import Envelope, SubmissionRoutedV1


def item_fields(envelope: Envelope, payload: SubmissionRoutedV1) -> dict:
    """The routing with the received submission's facts it carries (a decision made before
    routing carried them sets none: the item keeps what it had)."""
    fields = {
        "dialogue_id": payload.dialogue_id,
        "tracking_code": payload.tracking_code,
        "kind": payload.kind.value,
        "text": payload.text,
        "hamlet": payload.hamlet,
        "topic": payload.topic,
        "topic_name": payload.topic_name,
        "secondary_topic": payload.secondary_topic,
        "office_id": payload.office_id,
        "office_name": payload.office_name,
        "coordinating_office_ids": list(payload.coordinating_office_ids),
        "authority_level": payload.authority_level,
        "authority_body": payload.authority_body,
        "needs_review": payload.needs_review,
        "recurring_claim": payload.recurring_claim,
        "cluster_id": payload.cluster_id,
        "duplicate_of": payload.duplicate_of,
        "times_raised": payload.times_raised,
        "years_raised": list(payload.years_raised),
        "earlier": [e.model_dump() for e in payload.earlier],
        "routing_revision": payload.revision,
        "answer": payload.answer,
        "routed_at": iso(envelope.occurred_at),
    }
    if payload.source is not None:
        fields["source"] = payload.source.value
        fields["organisation"] = payload.organisation.value if payload.organisation else None
    if payload.received_at is not None:
        fields["received_at"] = iso(payload.received_at)
    return fields
