"""The repeat index: documents addressed by `_id`, so that linking a new submission to earlier
ones costs the same with ten stored items or a hundred thousand, on any MongoDB-compatible store
(no multikey index needed, no scan of the commune's decisions). Pure: the documents' shapes,
how a look-up ranks what it read, and the writes that keep the index up to date. The MongoDB
side is `repository.DecisionRepository`, the in-memory twin `memory.InMemoryDecisions`; both
apply the same rules, so `doithoai classify` decides what the service decides.

Two kinds of documents, in routing's `routing_repeats` collection (`repository.REPEATS`):
- a band key (`key_id(commune, key)`): `{"c": [cluster ids]}`, the clusters holding an item
  with that MinHash band key, at most `Limits.clusters_per_key` of them (the latest added; a
  list is trimmed back to that bound once it exceeds it by half);
- a cluster (`cluster_doc_id(commune, cluster)`): how many items it counts (`n`), the years they
  were raised in, its first `Limits.representatives` items with their tokens (`reps`, without
  their texts: the members document holds those) plus the latest one with its text (`latest`),
  compared with a new item;
- a cluster's members (`members_doc_id(commune, cluster)`): its first `Limits.earlier` items
  with their text and answer (`members`), listed as the earlier items of a repeat.

A look-up reads the new item's band-key documents (one `_id` read), ranks the clusters by how
many of its keys hold them and reads the best `Limits.clusters_per_lookup` clusters (one `_id`
read); the new item is scored against their representatives only, never against every member.
A match reads the members of the matched cluster (one `_id` read of one document).
The index is written once per stored decision, after its insert succeeded (a redelivered event
stores nothing and so counts nothing twice); each write is also harmless when repeated
(`$addToSet`, `$setOnInsert`, members and representatives keyed by submission).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import heapq
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

from services.routing.recurrence import Candidate, Match, Recurrence, hamlet_key, places

# Separates the tokens (and the places) of a representative kept as one string: a token is
# words and digits with single spaces, a place "kind=name"; neither holds it.
PACKED_SEPARATOR = "|"

Doc = dict[str, Any]
# One write: (filter, update, upsert), as `UpdateOne` takes them.
Write = tuple[Doc, Doc, bool]


@dataclass(frozen=True)
class Limits:
    """Bounds of the index (settings `DOITHOAI_REPEAT_*`), chosen by measuring on the labelled
    sets (`make eval`) and on the benchmark's near-duplicates (a seeded item's paraphrase joins
    its cluster). Eight clusters per look-up: the tune part's recall 0.902 as with 12 or 24,
    precision 0.893 (0.885 with 12), and 337 of 400 paraphrases joined their own cluster at
    10,000 stored (327 with 12, 304 with 24: more clusters, more near misses elsewhere).
    A joining item adds its band keys only when fewer than 16 of them reach its cluster
    already: 536 of 600 paraphrases of routed items joined theirs, 533 when every key is
    added, 511 with a bar of 8 (`reached_bands`)."""

    clusters_per_key: int = 48  # cluster ids kept per band key (the latest added)
    clusters_per_lookup: int = 8  # clusters whose representatives a new item is compared with
    representatives: int = 3  # a cluster's first items compared with a new one (and its latest)
    earlier: int = 20  # a cluster's first items listed as the earlier items of a repeat
    # A joining item that this many of its band keys reach through their lists adds no key: a
    # look-up finds the cluster through those, and scores against its representatives anyway.
    reached_bands: int = 16

    def __post_init__(self) -> None:
        bounds = (self.clusters_per_key, self.clusters_per_lookup, self.representatives, self.earlier)
        if min(*bounds, self.reached_bands) < 1:
            raise ValueError(f"repeat index limits must be at least 1: {self}")

    @property
    def texted_representatives(self) -> bool:
        """Whether a representative keeps its text. A cluster's first `representatives` items
        are among its first `earlier` members, whose document (read on a match) holds their
        texts, unless fewer members than representatives are kept. The latest item, compared
        too, may be beyond the members and always keeps its text."""
        return self.earlier < self.representatives

    @property
    def trim_above(self) -> int:
        """A key's list longer than this is trimmed back to `clusters_per_key`."""
        return self.clusters_per_key + max(1, self.clusters_per_key // 2)


def key_id(commune_id: str, key: str) -> str:
    return f"k|{commune_id}|{key}"


def cluster_doc_id(commune_id: str, cluster_id: str) -> str:
    return f"c|{commune_id}|{cluster_id}"


def members_doc_id(commune_id: str, cluster_id: str) -> str:
    return f"m|{commune_id}|{cluster_id}"


def slot(submission_id: str) -> str:
    """A field name for a submission inside a cluster document: submission ids may hold "." or
    "$", which a field path cannot."""
    return "s" + hashlib.blake2b(submission_id.encode(), digest_size=10).hexdigest()


@dataclass(frozen=True)
class Item:
    """What the index keeps of one stored decision."""

    submission_id: str
    dialogue_id: str
    year: int
    hamlet: str | None
    topic: int
    text: str
    cluster_id: str
    keys: tuple[str, ...]
    tokens: tuple[str, ...]
    starts_cluster: bool  # repeats no earlier item (its own cluster, or one split off)
    # What the text names (`recurrence.places`), compared on a match; None: read from the text.
    places: tuple[str, ...] | None = None

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Item:
        """From a stored decision document (with its `match_keys`, `tokens`, `match_places` and
        `year`; a decision stored before `match_places` has them read from its text)."""
        named = doc.get("match_places")
        return cls(
            submission_id=doc["_id"],
            dialogue_id=doc["dialogue_id"],
            year=doc.get("year") or 0,
            hamlet=doc.get("hamlet"),
            topic=doc["topic"],
            text=doc["text"],
            cluster_id=doc.get("cluster_id") or doc["_id"],
            keys=tuple(dict.fromkeys(doc.get("match_keys") or ())),
            tokens=tuple(doc.get("tokens") or ()),
            starts_cluster=not doc.get("duplicate_of"),
            places=tuple(sorted(places(doc["text"]))) if named is None else tuple(named),
        )

    def member(self) -> Doc:
        return {
            "s": self.submission_id,
            "d": self.dialogue_id,
            "y": self.year,
            "h": self.hamlet,
            "t": self.topic,
            "x": self.text,
        }

    def representative(self, *, with_text: bool = True) -> Doc:
        """A member with what it is compared by. Tokens and places are each packed in one
        string: a store reads and a client decodes one element instead of dozens per item.
        Without its text when the members document lists the item with it (a look-up reads
        every representative of eight clusters, and a text is the largest field)."""
        packed = {**self.member(), "k": PACKED_SEPARATOR.join(self.tokens)}
        if not with_text:
            del packed["x"]
        if self.places is not None:
            packed["p"] = PACKED_SEPARATOR.join(self.places)
        return packed


@dataclass(frozen=True)
class Held:
    """What the look-up read shows the index holds already, so the item's writes skip it:
    each skipped write would have changed nothing (`Cluster.held`)."""

    keys: frozenset[str] = frozenset()  # band keys listing its cluster where a trim keeps it
    representatives_full: bool = False  # the cluster holds `Limits.representatives` already
    members_full: bool = False  # its members document lists `Limits.earlier` items already


def new_cluster(item: Item, limits: Limits) -> tuple[Doc, Doc]:
    """The fields of the cluster document and of the members document an item starts."""
    at = slot(item.submission_id)
    cluster = {
        "cluster_id": item.cluster_id,
        "n": 1,
        "years": [item.year],
        "r": 1,
        "reps": {at: item.representative(with_text=limits.texted_representatives)},
        "latest": item.representative(),
    }
    return cluster, {"cluster_id": item.cluster_id, "m": 1, "members": {at: item.member()}}


def index_writes(
    commune_id: str, item: Item, limits: Limits, trim: Iterable[str] = (), held: Held = Held()
) -> list[Write]:
    """The writes that add a stored item to the index (one bulk command), and trim the band
    keys whose `_id` is in `trim` (found over the bound by a look-up) back to the bound. What
    `held` shows the index holds already is not written again (it would change nothing)."""
    cluster = item.cluster_id
    reached = not item.starts_cluster and len(held.keys) >= limits.reached_bands
    writes: list[Write] = [
        ({"_id": key_id(commune_id, key)}, {"$addToSet": {"c": cluster}}, True)
        for key in item.keys
        if key not in held.keys and not reached
    ]
    keep = {"$each": [], "$slice": -limits.clusters_per_key}
    writes += [({"_id": doc_id}, {"$push": {"c": keep}}, False) for doc_id in dict.fromkeys(trim)]
    at, doc_id = slot(item.submission_id), cluster_doc_id(commune_id, cluster)
    members_id = members_doc_id(commune_id, cluster)
    if item.starts_cluster:
        started, listed_first = new_cluster(item, limits)
        return [
            *writes,
            ({"_id": doc_id}, {"$setOnInsert": started}, True),
            ({"_id": members_id}, {"$setOnInsert": listed_first}, True),
        ]
    counted = {
        "$inc": {"n": 1},
        "$addToSet": {"years": item.year},
        "$set": {"latest": item.representative()},
        "$setOnInsert": {"cluster_id": cluster, "r": 0},
    }
    listed = {"$set": {f"members.{at}": item.member()}, "$inc": {"m": 1}}
    rep = item.representative(with_text=limits.texted_representatives)
    compared = {"$set": {f"reps.{at}": rep}, "$inc": {"r": 1}}
    writes.append(({"_id": doc_id}, counted, True))
    if not held.members_full:
        where = {"_id": members_id, "m": {"$lt": limits.earlier}, f"members.{at}": {"$exists": False}}
        writes.append((where, listed, False))
    if not held.representatives_full:
        where = {"_id": doc_id, "r": {"$lt": limits.representatives}, f"reps.{at}": {"$exists": False}}
        writes.append((where, compared, False))
    return writes


def leave_writes(commune_id: str, submission_id: str, cluster_id: str) -> list[Write]:
    """The writes that take an item out of a cluster it was merged away from."""
    at, doc_id = slot(submission_id), cluster_doc_id(commune_id, cluster_id)
    return [
        ({"_id": doc_id, "n": {"$gt": 0}}, {"$inc": {"n": -1}}, False),
        (
            {"_id": members_doc_id(commune_id, cluster_id), f"members.{at}": {"$exists": True}},
            {"$unset": {f"members.{at}": ""}, "$inc": {"m": -1}},
            False,
        ),
        (
            {"_id": doc_id, f"reps.{at}": {"$exists": True}},
            {"$unset": {f"reps.{at}": ""}, "$inc": {"r": -1}},
            False,
        ),
        ({"_id": doc_id, "latest.s": submission_id}, {"$unset": {"latest": ""}}, False),
    ]


def answer_write(commune_id: str, submission_id: str, cluster_id: str, answer: str) -> Write:
    """The answer recorded on an item, shown with it when a later repeat lists it."""
    at = slot(submission_id)
    where = {"_id": members_doc_id(commune_id, cluster_id), f"members.{at}": {"$exists": True}}
    return where, {"$set": {f"members.{at}.a": answer}}, False


def _get(doc: Mapping[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _parent(doc: Doc, path: str) -> tuple[Doc, str]:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc.setdefault(part, {})
    return doc, last


_MISSING = object()


def _matches(doc: Mapping[str, Any], where: Mapping[str, Any]) -> bool:
    for path, wanted in where.items():
        value = _get(doc, path)
        if isinstance(wanted, Mapping):
            for op, operand in wanted.items():
                if op == "$exists" and (value is not _MISSING) != operand:
                    return False
                if op == "$lt" and not (value is not _MISSING and value < operand):
                    return False
                if op == "$gt" and not (value is not _MISSING and value > operand):
                    return False
        elif value != wanted:
            return False
    return True


def apply(docs: dict[str, Doc], write: Write) -> None:
    """Apply one of this module's writes to documents held in memory (the in-memory twin of
    the store), with the store's meaning of each operator used here."""
    where, update, upsert = write
    doc = docs.get(where["_id"])
    if doc is not None and not _matches(doc, where):
        return
    if doc is None:
        if not upsert:
            return
        doc = docs[where["_id"]] = {"_id": where["_id"], **copy.deepcopy(update.get("$setOnInsert", {}))}
    for path, value in update.get("$set", {}).items():
        parent, last = _parent(doc, path)
        parent[last] = copy.deepcopy(value)
    for path in update.get("$unset", {}):
        parent, last = _parent(doc, path)
        parent.pop(last, None)
    for path, step in update.get("$inc", {}).items():
        parent, last = _parent(doc, path)
        parent[last] = parent.get(last, 0) + step
    for path, value in update.get("$addToSet", {}).items():
        parent, last = _parent(doc, path)
        held = parent.setdefault(last, [])
        if value not in held:
            held.append(value)
    for path, spec in update.get("$push", {}).items():
        parent, last = _parent(doc, path)
        held = parent.setdefault(last, []) + list(spec["$each"])
        parent[last] = held[spec["$slice"] :] if spec["$slice"] < 0 else held[: spec["$slice"]]


def rank_clusters(
    keys: Sequence[str], key_docs: Mapping[str, Doc], commune_id: str, limits: Limits
) -> list[str]:
    """The clusters holding the most of `keys` (ties: the most recently added to a key first,
    then by id), at most `limits.clusters_per_lookup`."""
    latest_first = []
    for key in dict.fromkeys(keys):
        held = (key_docs.get(key_id(commune_id, key)) or {}).get("c") or ()
        latest_first.append(held[-limits.trim_above :][::-1])
    shared = Counter(chain.from_iterable(latest_first))
    if not shared:
        return []
    # Every cluster over the bar is taken; of those at the bar, the most recent fill the rest.
    bar = heapq.nlargest(limits.clusters_per_lookup, shared.values())[-1]
    above = {cluster for cluster, count in shared.items() if count > bar}
    wanted = limits.clusters_per_lookup - len(above)
    # A cluster's recency is its smallest position in any list: lists are walked position by
    # position, and the walk stops once every cluster taken has its own.
    recency: dict[str, int] = {}
    at_bar, unplaced = 0, len(above)
    for position in range(max(map(len, latest_first))):
        for held in latest_first:
            if position < len(held):
                cluster = held[position]
                if cluster not in recency and (cluster in above or shared[cluster] == bar):
                    recency[cluster] = position
                    if cluster in above:
                        unplaced -= 1
                    else:
                        at_bar += 1
        if not unplaced and at_bar >= wanted:
            break
    return sorted(recency, key=lambda c: (-shared[c], recency[c], c))[: limits.clusters_per_lookup]


def oversized(key_docs: Iterable[Doc], limits: Limits) -> list[str]:
    """The `_id`s of band-key documents to trim."""
    return [doc["_id"] for doc in key_docs if len(doc.get("c") or ()) > limits.trim_above]


def _unpacked(value: str | Sequence[str] | None) -> frozenset[str]:
    """Tokens or places as `Item.representative` packs them (or as a list, as they were kept
    before packing)."""
    if isinstance(value, str):
        return frozenset(value.split(PACKED_SEPARATOR)) if value else frozenset()
    return frozenset(value or ())


def _candidate(entry: Mapping[str, Any], cluster_id: str, answers: Mapping[str, str | None]) -> Candidate:
    named = entry.get("p")
    return Candidate(
        submission_id=entry["s"],
        dialogue_id=entry.get("d") or "",
        year=entry.get("y") or 0,
        hamlet=entry.get("h"),
        topic=entry.get("t") or 0,
        tokens=_unpacked(entry.get("k")),
        cluster_id=cluster_id,
        text=entry.get("x") or "",
        answer=entry.get("a", answers.get(entry["s"])),
        places=None if named is None else _unpacked(named),
    )


@dataclass(frozen=True)
class Cluster:
    """A cluster as the index holds it."""

    cluster_id: str
    count: int
    years: tuple[int, ...]
    representatives: tuple[Candidate, ...]  # compared with a new item
    members: tuple[Candidate, ...] | None  # its first items, with their answers; None: not read
    # The look-up's band keys -> the clusters their documents list where a trim keeps them.
    key_lists: Mapping[str, Sequence[str]] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )
    representatives_full: bool = dataclasses.field(default=False, compare=False)  # as read
    members_full: bool = dataclasses.field(default=False, compare=False)  # as read

    def held(self) -> Held:
        """What the look-up read of this cluster that an item joining it need not write."""
        keys = frozenset(key for key, listed in self.key_lists.items() if self.cluster_id in listed)
        return Held(keys, self.representatives_full, self.members_full)

    @classmethod
    def of(
        cls, doc: Mapping[str, Any], listed: Mapping[str, Any] | None = None, hamlet: str | None = None
    ) -> Cluster:
        """From its cluster document and, if read, its members document (`{}`: read, absent).
        With `hamlet`, only the representatives an item of that hamlet may be compared with
        (`recurrence.best_match` refuses the others): the rest are never built."""
        cluster_id = doc.get("cluster_id") or str(doc["_id"]).split("|", 2)[-1]
        members = None
        if listed is not None:
            members = [_candidate(entry, cluster_id, {}) for entry in (listed.get("members") or {}).values()]
        answers = {c.submission_id: c.answer for c in members or ()}
        reps = {e["s"]: e for e in (doc.get("reps") or {}).values()}
        latest = doc.get("latest")
        if latest:
            reps.setdefault(latest["s"], latest)
        own = hamlet_key(hamlet)
        if own is not None:
            reps = {s: e for s, e in reps.items() if hamlet_key(e.get("h")) in (None, own)}
        return cls(
            cluster_id=cluster_id,
            count=max(int(doc.get("n") or 0), len(members or ())),
            years=tuple(sorted(set(doc.get("years") or ()))),
            representatives=tuple(_candidate(entry, cluster_id, answers) for entry in reps.values()),
            members=None if members is None else tuple(members),
        )


def reads_for(commune_id: str, ranked: Sequence[str]) -> list[str]:
    """The `_id`s a look-up reads for its ranked clusters."""
    return [cluster_doc_id(commune_id, c) for c in ranked]


def clusters_from(
    commune_id: str,
    ranked: Sequence[str],
    found: Mapping[str, Doc],
    hamlet: str | None,
    key_docs: Mapping[str, Doc],
    limits: Limits,
) -> list[Cluster]:
    """The ranked clusters found by the reads of `reads_for`, in rank order, with the
    representatives an item of `hamlet` may be compared with (members not read) and, from the
    look-up's `key_docs`, what the index holds of them already (`Cluster.held`)."""
    kept = limits.clusters_per_key
    key_lists = {
        str(doc["_id"]).rsplit("|", 1)[-1]: (doc.get("c") or [])[-kept:] for doc in key_docs.values()
    }
    full = limits.representatives
    docs = (found.get(cluster_doc_id(commune_id, cluster)) for cluster in ranked)
    return [
        dataclasses.replace(
            Cluster.of(doc, None, hamlet),
            key_lists=key_lists,
            representatives_full=int(doc.get("r") or 0) >= full,
        )
        for doc in docs
        if doc is not None
    ]


def look_up(
    read: Callable[[Iterable[str]], Mapping[str, Doc]],
    commune_id: str,
    keys: Sequence[str],
    hamlet: str | None,
    limits: Limits,
) -> tuple[list[Cluster], list[str]]:
    """A look-up whose reads answer at once (the in-memory twin, the benchmark's seeding), as
    `repeats.Repeats.clusters_sharing` makes it against the store: the clusters to compare with,
    and the band-key documents found over their bound (to trim)."""
    key_docs = read(key_id(commune_id, key) for key in keys)
    ranked = rank_clusters(keys, key_docs, commune_id, limits)
    found = read(reads_for(commune_id, ranked)) if ranked else {}
    return clusters_from(commune_id, ranked, found, hamlet, key_docs, limits), oversized(
        key_docs.values(), limits
    )


def with_members(cluster: Cluster, listed: Mapping[str, Any] | None, limits: Limits) -> Cluster:
    """`cluster` with the members its members document lists (None or `{}`: none kept)."""
    members = tuple(
        _candidate(e, cluster.cluster_id, {}) for e in ((listed or {}).get("members") or {}).values()
    )
    full = int((listed or {}).get("m") or 0) >= limits.earlier
    return dataclasses.replace(
        cluster, count=max(cluster.count, len(members)), members=members, members_full=full
    )


def with_in_flight(
    cluster: Cluster | None,
    cluster_id: str,
    in_flight: Iterable[Candidate],
    counted: frozenset[str] = frozenset(),
) -> Cluster:
    """The cluster as the index holds it (None: not yet written) counting the items linked to it
    by look-ups in flight that it does not list: each listed among its members, and counted once
    unless `counted` shows the read's count holds it already (its index writes were acknowledged
    before the read was sent). (An item whose writes landed while the index was read, beyond the
    listed first members, may still be counted twice: a count off by one, never a lost link.)"""
    cluster = cluster or Cluster(cluster_id, 0, (), (), ())
    listed = {c.submission_id for c in chain(cluster.members or (), cluster.representatives)}
    new = [c for c in in_flight if c.cluster_id == cluster_id and c.submission_id not in listed]
    if not new:
        return cluster
    return dataclasses.replace(
        cluster,
        count=cluster.count + sum(c.submission_id not in counted for c in new),
        years=tuple(sorted({*cluster.years, *(c.year for c in new)})),
        members=(*(cluster.members or ()), *new),
    )


def cluster_from(commune_id: str, cluster_id: str, found: Mapping[str, Doc]) -> Cluster | None:
    """One cluster with its members, from the reads of both its documents."""
    doc = found.get(cluster_doc_id(commune_id, cluster_id))
    return None if doc is None else Cluster.of(doc, found.get(members_doc_id(commune_id, cluster_id), {}))


def candidates(clusters: Iterable[Cluster], exclude: str) -> list[Candidate]:
    """The representatives a new item is compared with, never the item itself."""
    return [rep for cluster in clusters for rep in cluster.representatives if rep.submission_id != exclude]


def recurrence(new_id: str, new_year: int, match: Match, cluster: Cluster) -> Recurrence:
    """How often the matched issue was raised before: the cluster's count and years (all of its
    items), its first items listed (with the matched one), the new item counted once."""
    listed = {c.submission_id: c for c in cluster.members or ()}
    counted_already = new_id in listed
    by_id = {sid: c for sid, c in listed.items() if sid != new_id}
    if match.candidate.submission_id != new_id:
        by_id.setdefault(match.candidate.submission_id, match.candidate)
    earlier = sorted(by_id.values(), key=lambda c: (c.year, c.submission_id))
    before = max(cluster.count - (1 if counted_already else 0), len(earlier))
    return Recurrence(
        cluster_id=cluster.cluster_id,
        duplicate_of=earlier[0].submission_id,
        times_raised=before + 1,
        years=tuple(sorted(set(cluster.years) | {c.year for c in earlier} | {new_year})),
        earlier=tuple((c.year, c.submission_id, c.text, c.answer) for c in earlier),
    )
