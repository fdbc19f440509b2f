"""Classify a stream of submissions offline: topic, office, authority, duplicates, recurrence.

Used by ``doithoai classify``, ``scripts/evaluate.py`` and the demo documents. Each line goes
through the routing service's own use case (`handlers.route`) over the in-memory repository
(`services/routing/memory.py`), so the decision and its explanation are the ones production
makes: lines are routed in order and each earlier line is history for the later ones. A line of
another year than the dialogue's is routed in that year's dialogue (the same topics). No I/O.
"""

from __future__ import annotations

from collections.abc import Coroutine, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from typing import Any, TypeVar

from services.routing.classifier import RuleSet
from services.routing.handlers import RoutingDeps, route
from services.routing.learning import Learning
from services.routing.memory import FixedRules, InMemoryDecisions, InMemoryDirectory, RecordedEvents
from shared.contracts import Envelope, Kind, Source, SubmissionReceivedV1, SubmissionRoutedV1
from shared.directory import Commune, Dialogue
from shared.errors import PermanentError

__all__ = ["StreamClassifier", "classify_stream", "run_to_completion"]

T = TypeVar("T")
# Below it a decision would be flagged for review: not part of a batch line, which carries the
# confidence itself.
REVIEW_THRESHOLD = 0.5


def run_to_completion(coroutine: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that never suspends (a use case over the in-memory ports)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()
    raise RuntimeError("an in-memory use case suspended: it awaited real I/O")


class StreamClassifier:
    """Stateful: remembers every line it routed, so later repeats link to earlier ones."""

    def __init__(
        self, *, commune: Commune, dialogue: Dialogue, rules: RuleSet, learning: Learning | None = None
    ) -> None:
        self._commune, self._dialogue = commune, dialogue
        self._directory = InMemoryDirectory([commune])
        self._deps = RoutingDeps(
            decisions=InMemoryDecisions(),
            events=RecordedEvents(),
            directory=self._directory,
            rules=FixedRules(rules),
            review_threshold=REVIEW_THRESHOLD,
            learning=learning,
        )
        self._dialogue_ids: dict[int, str] = {}
        self._seen = 0

    def _dialogue_of(self, year: int) -> str:
        """The id of the commune's dialogue of `year`: the given one, or its twin for that year."""
        dialogue_id = self._dialogue_ids.get(year)
        if dialogue_id is None:
            same = year == self._dialogue.year
            dialogue_id = self._dialogue.id if same else f"{self._dialogue.id}~{year}"
            self._directory.add(
                self._dialogue.model_copy(
                    update={"id": dialogue_id, "year": year, "commune_id": self._commune.id}
                )
            )
            self._dialogue_ids[year] = dialogue_id
        return dialogue_id

    def _office_name(self, office_id: str) -> str:
        office = self._commune.office(office_id)
        return office.name if office else office_id

    def classify_one(self, line: Mapping[str, Any]) -> dict[str, Any]:
        """One output line; ``{"id": ..., "error": ...}`` when the input cannot be classified."""
        self._seen += 1
        if not isinstance(line, Mapping):
            return {"id": None, "error": "expected a JSON object"}
        given_id = line.get("id")
        text = line.get("text")
        if not isinstance(text, str) or not text.strip():
            return {"id": given_id, "error": "missing or empty 'text'"}
        year = line.get("year", self._dialogue.year)
        if isinstance(year, bool) or not isinstance(year, int):
            return {"id": given_id, "error": "'year' must be an integer"}
        hamlet = line.get("hamlet")
        submission_id = str(given_id) if given_id is not None else f"#{self._seen}"
        received = SubmissionReceivedV1(
            submission_id=submission_id,
            dialogue_id=self._dialogue_of(year),
            tracking_code=submission_id,
            source=Source.CITIZEN,
            kind=Kind.OPINION,
            text=text,
            hamlet=hamlet if isinstance(hamlet, str) and hamlet.strip() else None,
            received_at=datetime.now(timezone.utc),
        )
        envelope = Envelope.wrap(
            received, commune_id=self._commune.id, correlation_id=submission_id[:64] or "-"
        )
        try:
            decision = run_to_completion(route(self._deps, envelope, received)).decision
        except PermanentError as exc:
            return {"id": given_id, "error": str(exc)}
        return {"id": given_id, **self._output(decision)}

    def _output(self, decision: SubmissionRoutedV1) -> dict[str, Any]:
        return {
            "topic": decision.topic,
            "secondary_topic": decision.secondary_topic,
            "office": decision.office_name,
            "coordinating_offices": [self._office_name(o) for o in decision.coordinating_office_ids],
            "authority_level": decision.authority_level.value,
            "authority_body": decision.authority_body,
            "duplicate_of": decision.duplicate_of,
            "recurring": decision.recurring_claim or decision.duplicate_of is not None,
            "times_raised": decision.times_raised,
            "confidence": decision.confidence,
            "explanation": decision.explanation,
        }


def classify_stream(
    lines: Iterable[Mapping[str, Any]],
    *,
    commune: Commune,
    dialogue: Dialogue,
    rules: RuleSet,
    learning: Learning | None = None,
) -> Iterator[dict[str, Any]]:
    """One output dict per input line, in order; earlier lines are history for later ones.

    Input: ``id``, ``text``, optional ``hamlet``, ``source`` and ``year`` (default: the
    dialogue's year). A line without text yields ``{"id": ..., "error": ...}``. With `learning`
    (the commune's store and model cache) the rules' decision is blended with the commune's
    active model, as the routing service does.
    """
    stream = StreamClassifier(commune=commune, dialogue=dialogue, rules=rules, learning=learning)
    for line in lines:
        yield stream.classify_one(line)
