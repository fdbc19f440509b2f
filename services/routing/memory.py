"""In-memory twins of routing's ports: the decisions as MongoDB holds them (same documents, same
look-up rules), with no store and no broker. Batch classification routes through them
(`services/routing/batch.py`), and unit tests use them to run the use cases in milliseconds.

They never suspend: every method returns without awaiting anything, so a use case over them can
be driven to completion outside an event loop (`batch.run_to_completion`)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from services.routing import repeat_index
from services.routing.classifier import RuleSet
from services.routing.repository import answer_entry
from shared.clock import iso, utcnow
from shared.contracts import Envelope, SubmissionRoutedV1
from shared.directory import Commune, Dialogue

Doc = dict[str, Any]
_HIDDEN_IN_QUEUE = ("outbox", "match_keys", "tokens", "match_places")


class InMemoryDecisions:
    """The `Decisions` port over dictionaries. Submission ids are unique across communes, as
    the store's `_id`; the repeat index is kept and read by the same rules as in the store
    (`repeat_index`: the same documents, the same writes, the same bounds)."""

    def __init__(self, limits: repeat_index.Limits | None = None) -> None:
        self.limits = limits or repeat_index.Limits()
        self._docs: dict[str, Doc] = {}
        self._seq: dict[str, int] = {}  # decision order, the store's `decided_at`
        self._repeats: dict[str, Doc] = {}  # the repeat index's documents by `_id`
        self._to_trim: dict[str, set[str]] = {}
        self.changes: list[Doc] = []

    def __len__(self) -> int:
        return len(self._docs)

    def _doc(self, commune_id: str, submission_id: str) -> Doc | None:
        doc = self._docs.get(submission_id)
        return doc if doc is not None and doc["commune_id"] == commune_id else None

    def _write_index(self, writes: Iterable[repeat_index.Write]) -> None:
        for write in writes:
            repeat_index.apply(self._repeats, write)

    def _read(self, ids: Iterable[str]) -> dict[str, Doc]:
        return {i: copy.deepcopy(self._repeats[i]) for i in ids if i in self._repeats}

    async def clusters_sharing(
        self,
        commune_id: str,
        keys: tuple[str, ...],
        hamlet: str | None = None,
        before_clusters_read: Callable[[], None] | None = None,
    ) -> list[repeat_index.Cluster]:
        if before_clusters_read is not None:  # the reads answer at once: the mark precedes them
            before_clusters_read()
        clusters, over = repeat_index.look_up(self._read, commune_id, keys, hamlet, self.limits)
        if over:
            self._to_trim.setdefault(commune_id, set()).update(over)
        return clusters

    async def with_members(self, commune_id: str, cluster: repeat_index.Cluster) -> repeat_index.Cluster:
        members_id = repeat_index.members_doc_id(commune_id, cluster.cluster_id)
        return repeat_index.with_members(cluster, self._read([members_id]).get(members_id), self.limits)

    async def cluster(self, commune_id: str, cluster_id: str) -> repeat_index.Cluster | None:
        ids = [
            repeat_index.cluster_doc_id(commune_id, cluster_id),
            repeat_index.members_doc_id(commune_id, cluster_id),
        ]
        return repeat_index.cluster_from(commune_id, cluster_id, self._read(ids))

    async def save(
        self,
        decision: SubmissionRoutedV1,
        envelope: Envelope,
        source_event_id: str,
        extra: Doc | None = None,
        held: repeat_index.Held = repeat_index.Held(),
    ) -> Doc | None:
        if decision.submission_id in self._docs:
            return None
        doc: Doc = {
            "_id": decision.submission_id,
            "commune_id": envelope.commune_id,
            **decision.model_dump(mode="json"),
            **(extra or {}),
            "source_event_id": source_event_id,
            "decided_at": utcnow(),
        }
        self._docs[doc["_id"]] = doc
        self._seq[doc["_id"]] = len(self._seq)
        commune_id = envelope.commune_id
        trims = self._to_trim.pop(commune_id, set())
        self._write_index(
            repeat_index.index_writes(commune_id, repeat_index.Item.of(doc), self.limits, trims, held)
        )
        return dict(doc)

    async def get(self, commune_id: str, submission_id: str) -> Doc | None:
        doc = self._doc(commune_id, submission_id)
        return None if doc is None else dict(doc)

    async def revise(
        self, decision: SubmissionRoutedV1, envelope: Envelope, expected_revision: int, audit: Doc
    ) -> bool:
        doc = self._doc(envelope.commune_id, decision.submission_id)
        if doc is None or doc.get("revision") != expected_revision:
            return False
        commune_id, old_cluster = envelope.commune_id, doc.get("cluster_id") or doc["_id"]
        doc.update(decision.model_dump(mode="json"))
        new_cluster = doc.get("cluster_id") or doc["_id"]
        if new_cluster != old_cluster:
            self._write_index(
                repeat_index.leave_writes(commune_id, doc["_id"], old_cluster)
                + repeat_index.index_writes(commune_id, repeat_index.Item.of(doc), self.limits)
            )
        self.changes.append(
            {
                "_id": envelope.event_id,
                "commune_id": envelope.commune_id,
                "submission_id": decision.submission_id,
                **audit,
            }
        )
        return True

    async def record_answer(
        self, decision: SubmissionRoutedV1, envelope: Envelope, expected_revision: int, by: str
    ) -> bool:
        commune_id, submission_id = envelope.commune_id, decision.submission_id
        doc = self._doc(commune_id, submission_id)
        if doc is None or doc.get("revision") != expected_revision:
            return False
        at = iso(utcnow())
        doc.update({**decision.model_dump(mode="json"), "answered_by": by, "answered_at": at})
        cluster_id = doc.get("cluster_id") or submission_id
        self._write_index(
            [repeat_index.answer_write(commune_id, submission_id, cluster_id, decision.answer or "")]
        )
        self.changes.append(answer_entry(commune_id, submission_id, decision.answer or "", by, at))
        return True

    async def review_queue(self, commune_id: str, limit: int = 200) -> list[Doc]:
        waiting = [
            doc
            for doc in sorted(self._docs.values(), key=lambda d: self._seq[d["_id"]])
            if doc["commune_id"] == commune_id and doc.get("needs_review") is True
        ]
        return [{k: v for k, v in doc.items() if k not in _HIDDEN_IN_QUEUE} for doc in waiting[:limit]]

    async def change_log(self, commune_id: str, submission_id: str) -> list[Doc]:
        found = [
            dict(c)
            for c in self.changes
            if c["commune_id"] == commune_id and c["submission_id"] == submission_id
        ]
        return sorted(found, key=lambda c: str(c.get("at")))


class RecordedEvents:
    """The `DecisionEvents` port that keeps what would have been published."""

    def __init__(self) -> None:
        self.published: list[Doc] = []
        self.flushed: list[tuple[str, str]] = []

    async def publish_saved(self, stored: Doc) -> None:
        self.published.append(stored)

    async def flush(self, commune_id: str, submission_id: str) -> None:
        self.flushed.append((commune_id, submission_id))


class InMemoryDirectory:
    """The `Directory` port over given communes and dialogues."""

    def __init__(self, communes: Iterable[Commune] = (), dialogues: Iterable[Dialogue] = ()) -> None:
        self._communes = {c.id: c for c in communes}
        self._dialogues: dict[tuple[str, str], Dialogue] = {}
        for dialogue in dialogues:
            self.add(dialogue)

    def add(self, dialogue: Dialogue) -> None:
        self._dialogues[(dialogue.commune_id, dialogue.id)] = dialogue

    async def commune(self, commune_id: str) -> Commune | None:
        return self._communes.get(commune_id)

    async def dialogue(self, commune_id: str, dialogue_id: str) -> Dialogue | None:
        return self._dialogues.get((commune_id, dialogue_id))


class FixedRules:
    """The `RuleSource` port giving every commune the same rule set."""

    def __init__(self, rules: RuleSet) -> None:
        self._rules = rules

    async def for_commune(self, commune_id: str) -> RuleSet:
        return self._rules
