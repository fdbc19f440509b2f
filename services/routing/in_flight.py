"""The items this process has linked but whose repeat-index writes are not yet acknowledged, so
that petitions routed at the same moment (a hamlet meeting's burst, up to the consumer's
prefetch at once) are compared with each other, not only with what the index held when their
reads were sent: identical petitions arriving within milliseconds join one issue instead of
each starting its own.

Invariants (one event loop, no locks needed: nothing here awaits between reading and adding):
- every look-up takes a ticket (`InFlight.lookup`) before its index reads are sent, and a
  ticket's number orders it against the moments entries were indexed;
- a look-up is compared with every entry of its commune not certainly in what it read: entries
  not yet indexed, and entries indexed after its ticket was taken (`Lookup.ahead`);
- an entry is added in the same step as the match that decided its cluster (`add`), so of two
  concurrent items the later one always sees the earlier one;
- an entry is forgotten once every look-up that might have missed it has ended; an entry whose
  decision was not stored (a redelivery, an error) is forgotten at once;
- an entry indexed before a look-up marked its cluster read (`Lookup.mark_clusters_read`) is
  counted in the count that read returns: the look-up lists it, but does not count it again.

It covers one process: replicas of routing still link concurrent items only through the index.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from services.routing.recurrence import Candidate


@dataclass(eq=False)
class Pending:
    """An item linked by a look-up in flight: compared with later ones as a representative of
    its cluster."""

    candidate: Candidate  # with the cluster it was linked to
    keys: frozenset[str]  # its band keys: only an item sharing one is compared with it
    starts_cluster: bool  # its cluster is new: its index writes create it
    settled: asyncio.Event = field(default_factory=asyncio.Event)  # its look-up ended
    indexed_at: int | None = None  # the commune's clock when its index writes were acknowledged


@dataclass(eq=False)
class _Commune:
    clock: int = 0
    tickets: set[int] = field(default_factory=set)  # the look-ups in flight (each its own number)
    entries: list[Pending] = field(default_factory=list)


class Lookup:
    """One item's look-up, from before its reads to after its index writes."""

    def __init__(self, commune: _Commune) -> None:
        self._commune = commune
        commune.clock += 1
        self.ticket = commune.clock
        commune.tickets.add(self.ticket)
        self.pending: Pending | None = None
        self.stored = False  # its decision (and so its index entry) was stored
        self.clusters_read_at: int | None = None  # the commune's clock when its cluster read was sent

    def ahead(self, keys: Iterable[str], exclude: str) -> list[Pending]:
        """The commune's entries sharing a band key with `keys` that this look-up's reads may
        have missed, as the index would have found them; never submission `exclude` (the item
        looked up: a redelivery in flight with its first delivery is not its own repeat)."""
        wanted = frozenset(keys)
        return [
            entry
            for entry in self._commune.entries
            if (entry.indexed_at is None or entry.indexed_at >= self.ticket)
            and entry.candidate.submission_id != exclude
            and not wanted.isdisjoint(entry.keys)
        ]

    def mark_clusters_read(self) -> None:
        """Called just before the look-up's cluster documents are read."""
        self.clusters_read_at = self._commune.clock

    def counted_in_read(self, entry: Pending) -> bool:
        """Whether the cluster read this look-up marked certainly counts `entry`: its index
        writes were acknowledged before the read was sent."""
        marked, indexed = self.clusters_read_at, entry.indexed_at
        return marked is not None and indexed is not None and indexed <= marked

    def add(self, candidate: Candidate, keys: Iterable[str], *, starts_cluster: bool) -> Pending:
        """Record the item this look-up has just linked; later look-ups are compared with it."""
        self.pending = Pending(candidate, frozenset(keys), starts_cluster)
        self._commune.entries.append(self.pending)
        return self.pending

    def end(self) -> None:
        commune = self._commune
        commune.tickets.discard(self.ticket)
        entry = self.pending
        if entry is not None:
            commune.clock += 1
            if self.stored:
                entry.indexed_at = commune.clock
            else:
                commune.entries.remove(entry)
            entry.settled.set()
        oldest = min(commune.tickets, default=commune.clock + 1)
        commune.entries = [e for e in commune.entries if e.indexed_at is None or e.indexed_at >= oldest]


class InFlight:
    """Per process (one per `RoutingDeps`): the communes' entries in flight."""

    def __init__(self) -> None:
        self._communes: dict[str, _Commune] = {}

    @contextmanager
    def lookup(self, commune_id: str) -> Iterator[Lookup]:
        """A ticket taken now, held until the block ends (its entry then indexed or dropped)."""
        commune = self._communes.setdefault(commune_id, _Commune())
        lookup = Lookup(commune)
        try:
            yield lookup
        finally:
            lookup.end()
            if not commune.entries and not commune.tickets:
                del self._communes[commune_id]

    def entries(self, commune_id: str) -> int:
        """How many entries the commune holds (bounded by the look-ups in flight)."""
        commune = self._communes.get(commune_id)
        return len(commune.entries) if commune else 0
