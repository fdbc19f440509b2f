"""From a received submission to a routing decision (pure)."""

from __future__ import annotations

from services.routing.classifier import RuleSet, classify
from services.routing.offices import assign_office
from shared.contracts import SubmissionReceivedV1, SubmissionRoutedV1
from shared.directory import Commune, Dialogue
from shared.errors import PermanentError
from shared.text import normalize_for_matching


def route(
    received: SubmissionReceivedV1,
    commune: Commune,
    dialogue: Dialogue,
    rules: RuleSet,
    *,
    review_threshold: float,
) -> SubmissionRoutedV1:
    result = classify(received.text, rules)
    assignment = assign_office(commune, result.topic, normalize_for_matching(received.text))
    office = commune.office(assignment.office_id)
    if office is None:
        raise PermanentError(
            f"commune {commune.id} maps topic {result.topic} to unknown office {assignment.office_id!r}"
        )
    return SubmissionRoutedV1(
        submission_id=received.submission_id,
        dialogue_id=received.dialogue_id,
        tracking_code=received.tracking_code,
        kind=received.kind,
        text=received.text,
        hamlet=received.hamlet,
        topic=result.topic,
        topic_name=dialogue.topic_name(result.topic),
        secondary_topic=result.secondary_topic,
        office_id=office.id,
        office_name=office.name,
        coordinating_office_ids=assignment.coordinating_office_ids,
        authority_level=result.authority_level,
        authority_body=result.authority_body,
        confidence=result.confidence,
        needs_review=result.confidence < review_threshold,
        recurring_claim=result.recurring_claim,
        explanation=f"{result.explanation} Office: {assignment.rule}.",
    )
