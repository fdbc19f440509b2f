"""From a received submission to a routing decision, and a decision's repeats (pure)."""

from __future__ import annotations

from typing import Any

from services.routing import explain
from services.routing.classifier import Classification, RuleSet, classify
from services.routing.offices import assign_office
from services.routing.recurrence import Recurrence
from shared.contracts import (
    AuthorityLevel,
    EarlierItem,
    RoutingChange,
    SubmissionReceivedV1,
    SubmissionRoutedV1,
)
from shared.directory import Commune, Dialogue
from shared.errors import PermanentError
from shared.text import normalize_for_matching


def decide(
    received: SubmissionReceivedV1,
    commune: Commune,
    dialogue: Dialogue,
    rules: RuleSet,
    *,
    review_threshold: float,
) -> SubmissionRoutedV1:
    """Topic, office and authority of one submission, before its repeats are looked up."""
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
        source=received.source,
        organisation=received.organisation,
        received_at=received.received_at,
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
        explanation_vi=machine_explanation(
            received.text, result, dialogue, result.topic, office.name, assignment.sub_area_term
        ),
    )


def machine_explanation(
    text: str,
    result: Classification,
    dialogue: Dialogue,
    topic: int,
    office_name: str,
    sub_area_term: str | None,
    authority: tuple[AuthorityLevel, str | None] | None = None,
) -> tuple[str, ...]:
    """The Vietnamese lines of an automatic decision: `result`'s evidence for `topic`, the office
    rule, the authority (`result`'s, or the stored `authority` with `result`'s trigger when they
    agree) and the resident's own claim of having raised it before."""
    level, body = authority or (result.authority_level, result.authority_body)
    trigger = result.authority_trigger if level == result.authority_level else None
    reason = result.authority_reason if trigger and body == result.authority_body else None
    return (
        *explain.topic_line(text, topic, dialogue.topic_name, result.terms_by_topic),
        explain.office_line(office_name, topic, sub_area_term, text),
        explain.authority_line(level, body, trigger, text, reason),
        *filter(None, [explain.recurring_line(result.recurring_phrases, text)]),
    )


def explained(doc: dict[str, Any], commune: Commune, dialogue: Dialogue, rules: RuleSet) -> dict[str, Any]:
    """A decision stored before decisions carried `explanation_vi`, with one built from its text
    for the decision as stored (its topic, office, authority; a person's change as such)."""
    if doc.get("explanation_vi"):
        return doc
    decision = SubmissionRoutedV1.model_validate(doc)
    result = classify(decision.text, rules)
    assignment = assign_office(commune, decision.topic, normalize_for_matching(decision.text))
    lines = machine_explanation(
        decision.text,
        result,
        dialogue,
        decision.topic,
        decision.office_name,
        assignment.sub_area_term if assignment.office_id == decision.office_id else None,
        (decision.authority_level, decision.authority_body),
    )
    lines = explain.with_repeat(lines, decision.times_raised, decision.years_raised)
    change = decision.change
    if change is not None and change is not RoutingChange.ANSWERED:
        lines = explain.staff_lines(
            change, decision.changed_by, decision.topic, decision.topic_name, decision.office_name, lines
        )
    return {**doc, "explanation_vi": list(lines)}


def first_of_cluster(decision: SubmissionRoutedV1, year: int) -> SubmissionRoutedV1:
    """A decision that repeats no earlier item: the root of its own cluster."""
    return decision.model_copy(update={"cluster_id": decision.submission_id, "years_raised": (year,)})


def with_recurrence(decision: SubmissionRoutedV1, recurrence: Recurrence) -> SubmissionRoutedV1:
    """A decision joined to the cluster of the issue it repeats, with the earlier items' answers."""
    return decision.model_copy(
        update={
            "cluster_id": recurrence.cluster_id,
            "duplicate_of": recurrence.duplicate_of,
            "times_raised": recurrence.times_raised,
            "years_raised": recurrence.years,
            "earlier": tuple(
                EarlierItem(year=y, submission_id=s, text=t, answer=a) for y, s, t, a in recurrence.earlier
            ),
            "explanation": (
                f"{decision.explanation} Raised before: {recurrence.times_raised - 1} time(s),"
                f" cluster {recurrence.cluster_id}."
            ),
            "explanation_vi": explain.with_repeat(
                decision.explanation_vi, recurrence.times_raised, recurrence.years
            ),
        }
    )
