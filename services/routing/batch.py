"""Classify a stream of submissions offline: topic, office, authority, duplicates, recurrence.

Used by ``doithoai classify`` and ``scripts/evaluate.py``. Lines are handled in order and each
earlier line is history for the later ones (an :class:`InMemoryIndex`), the way the routing
service treats its store. Pure apart from the caller's iterables: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Iterator, Mapping

from services.routing.classifier import Classification, RuleSet, classify
from services.routing.offices import assign_office
from services.routing.recurrence import (
    CANDIDATE_LIMIT,
    Candidate,
    InMemoryIndex,
    best_match,
    fingerprint,
    summarise,
)
from shared.directory import Commune, Dialogue
from shared.text import normalize_for_matching

__all__ = ["StreamClassifier", "classify_stream"]


class StreamClassifier:
    """Stateful: remembers every line it classified, so later repeats link to earlier ones."""

    def __init__(self, *, commune: Commune, dialogue: Dialogue, rules: RuleSet) -> None:
        self._commune, self._dialogue, self._rules = commune, dialogue, rules
        self._index = InMemoryIndex()
        self._clusters: dict[str, list[Candidate]] = defaultdict(list)
        self._seen = 0

    def _office_name(self, office_id: str) -> str:
        office = self._commune.office(office_id)
        return office.name if office else office_id

    def classify_one(self, line: Mapping[str, Any]) -> dict[str, Any]:
        """One output line; ``{"id": ..., "error": ...}`` when the input cannot be classified."""
        self._seen += 1
        given_id = line.get("id") if isinstance(line, Mapping) else None
        if not isinstance(line, Mapping):
            return {"id": None, "error": "expected a JSON object"}
        text = line.get("text")
        if not isinstance(text, str) or not text.strip():
            return {"id": given_id, "error": "missing or empty 'text'"}
        year = line.get("year", self._dialogue.year)
        if isinstance(year, bool) or not isinstance(year, int):
            return {"id": given_id, "error": "'year' must be an integer"}
        hamlet = line.get("hamlet")
        hamlet = hamlet if isinstance(hamlet, str) and hamlet.strip() else None
        submission_id = str(given_id) if given_id is not None else f"#{self._seen}"

        result: Classification = classify(text, self._rules)
        assignment = assign_office(self._commune, result.topic, normalize_for_matching(text))
        fp = fingerprint(text)
        match = best_match(
            fp,
            hamlet=hamlet,
            topic=result.topic,
            candidates=self._index.candidates(fp.keys, limit=CANDIDATE_LIMIT),
        )
        if match is not None:
            cluster_id = match.candidate.cluster_id
            recurrence = summarise(submission_id, year, match, self._clusters[cluster_id])
            duplicate_of, times_raised = recurrence.duplicate_of, recurrence.times_raised
        else:
            cluster_id, duplicate_of, times_raised = submission_id, None, 1

        stored = Candidate(
            submission_id=submission_id,
            dialogue_id=self._dialogue.id,
            year=year,
            hamlet=hamlet,
            topic=result.topic,
            tokens=fp.tokens,
            cluster_id=cluster_id,
            text=text,
            answer=None,
        )
        self._index.add(stored, fp.keys)
        self._clusters[cluster_id].append(stored)

        explanation = result.explanation
        if match is not None:
            explanation += (
                f" Same issue as {match.candidate.submission_id} ({match.candidate.year},"
                f" similarity {match.score:.2f}); raised {times_raised} times."
            )
        return {
            "id": given_id,
            "topic": result.topic,
            "secondary_topic": result.secondary_topic,
            "office": self._office_name(assignment.office_id),
            "coordinating_offices": [self._office_name(o) for o in assignment.coordinating_office_ids],
            "authority_level": result.authority_level,
            "authority_body": result.authority_body,
            "duplicate_of": duplicate_of,
            "recurring": result.recurring_claim or match is not None,
            "times_raised": times_raised,
            "confidence": result.confidence,
            "explanation": explanation,
        }


def classify_stream(
    lines: Iterable[Mapping[str, Any]], *, commune: Commune, dialogue: Dialogue, rules: RuleSet
) -> Iterator[dict[str, Any]]:
    """One output dict per input line, in order; earlier lines are history for later ones.

    Input: ``id``, ``text``, optional ``hamlet``, ``source`` and ``year`` (default: the
    dialogue's year). A line without text yields ``{"id": ..., "error": ...}``.
    """
    stream = StreamClassifier(commune=commune, dialogue=dialogue, rules=rules)
    for line in lines:
        yield stream.classify_one(line)
