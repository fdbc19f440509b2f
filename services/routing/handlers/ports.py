"""What routing's use cases need, as ports: production passes the MongoDB repository, the
outbox and the directory (`services/routing/app.py`); batch classification and unit tests pass
the in-memory ones (`services/routing/memory.py`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.routing.classifier import RuleSet
from services.routing.in_flight import InFlight
from services.routing.learning import Learning
from services.routing.metrics import RoutingMetrics
from services.routing.repeat_index import Cluster, Held
from shared.contracts import Envelope, SubmissionRoutedV1
from shared.directory import Commune, Dialogue

Doc = dict[str, Any]


class Decisions(Protocol):
    """One decision per submission (stored with its event), and the audit trail of changes."""

    async def clusters_sharing(
        self,
        commune_id: str,
        keys: tuple[str, ...],
        hamlet: str | None = None,
        before_clusters_read: Callable[[], None] | None = None,
    ) -> list[Cluster]:
        """The commune's clusters holding the most of the band `keys` (at most the index's
        `clusters_per_lookup`), read from the repeat index (`services/routing/repeat_index.py`),
        with the representatives an item of `hamlet` may be compared with.
        `before_clusters_read` is called just before the cluster documents are read (not at all
        when no cluster is)."""
        ...

    async def with_members(self, commune_id: str, cluster: Cluster) -> Cluster:
        """`cluster` (from `clusters_sharing`) with its first members and their answers."""
        ...

    async def cluster(self, commune_id: str, cluster_id: str) -> Cluster | None:
        """One cluster of the repeat index: its count, years, representatives and first members."""
        ...

    async def save(
        self,
        decision: SubmissionRoutedV1,
        envelope: Envelope,
        source_event_id: str,
        extra: Doc | None = None,
        held: Held = Held(),
    ) -> Doc | None:
        """Store the decision with its event, and its entry in the repeat index (not rewriting
        what `held` shows the index holds already); the stored document, or None if this
        submission was already routed."""
        ...

    async def get(self, commune_id: str, submission_id: str) -> Doc | None: ...

    async def revise(
        self, decision: SubmissionRoutedV1, envelope: Envelope, expected_revision: int, audit: Doc
    ) -> bool:
        """Store the next revision with its event and audit entry, only if still at
        `expected_revision`."""
        ...

    async def record_answer(
        self, decision: SubmissionRoutedV1, envelope: Envelope, expected_revision: int, by: str
    ) -> bool:
        """Store the revision carrying the answer (`decision.answer`) with its event and the change
        log's entry, only if still at `expected_revision`."""
        ...

    async def review_queue(self, commune_id: str, limit: int = 200) -> list[Doc]: ...

    async def change_log(self, commune_id: str, submission_id: str) -> list[Doc]: ...


class DecisionEvents(Protocol):
    """Publishes the events stored with the decisions."""

    async def publish_saved(self, stored: Doc) -> None: ...

    async def flush(self, commune_id: str, submission_id: str) -> None:
        """Publish a stored decision's pending events, if it still has any."""
        ...


class Directory(Protocol):
    async def commune(self, commune_id: str) -> Commune | None: ...

    async def dialogue(self, commune_id: str, dialogue_id: str) -> Dialogue | None: ...


class RuleSource(Protocol):
    async def for_commune(self, commune_id: str) -> RuleSet: ...


class RuleBook(RuleSource, Protocol):
    """The commune's editable rule sets."""

    async def document(self, commune_id: str) -> Doc: ...

    async def replace(self, commune_id: str, rules: Doc, updated_by: str) -> int: ...

    async def reset(self, commune_id: str) -> None: ...


@dataclass(frozen=True)
class RoutingDeps:
    decisions: Decisions
    events: DecisionEvents
    directory: Directory
    rules: RuleSource
    # Classifications below this confidence are flagged for a person's review.
    review_threshold: float
    metrics: RoutingMetrics | None = None
    # The commune's model learnt from staff changes (None: the rules alone).
    learning: Learning | None = None
    # This process's look-ups in flight: concurrent items are compared with each other too.
    in_flight: InFlight = field(default_factory=InFlight)


@dataclass(frozen=True)
class OfficeScope:
    """Office staff see and answer only their own office's items."""

    office_id: str | None

    def admits(self, doc: Doc) -> bool:
        return doc.get("office_id") == self.office_id
