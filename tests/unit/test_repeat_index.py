"""The repeat index's rules (`services/routing/repeat_index.py`) over the in-memory twin: a flood
of near-identical petitions joins one cluster and each is compared with a bounded number of
representatives, counts stay exact beyond the listed members, band-key lists stay bounded, and
a redelivery counts nothing twice."""

from __future__ import annotations

import copy
import dataclasses
import random
from datetime import datetime, timezone

import pytest

from services.demo.seed import demo_commune, demo_dialogue
from services.routing import repeat_index
from services.routing.batch import run_to_completion
from services.routing.classifier import RuleSet
from services.routing.handlers import RoutingDeps, route
from services.routing.memory import FixedRules, InMemoryDecisions, InMemoryDirectory, RecordedEvents
from services.routing.recurrence import Candidate, Match, best_match, fingerprint
from shared.contracts import Envelope, Kind, Source, SubmissionReceivedV1

RULES = RuleSet.load_default()
FLOOD = "Lộ đal ấp Rạch Tràm bể nát đoạn gần nhà số {n}, bà con đã góp tiền, đề nghị xã sớm làm lại."


def deps_over(decisions: InMemoryDecisions) -> RoutingDeps:
    return RoutingDeps(
        decisions=decisions,
        events=RecordedEvents(),
        directory=InMemoryDirectory([demo_commune()], [demo_dialogue()]),
        rules=FixedRules(RULES),
        review_threshold=0.5,
    )


def received(submission_id: str, text: str, hamlet: str | None = "ấp Rạch Tràm"):
    payload = SubmissionReceivedV1(
        submission_id=submission_id,
        dialogue_id=demo_dialogue().id,
        tracking_code=f"DT-{submission_id}",
        source=Source.CITIZEN,
        kind=Kind.PETITION,
        text=text,
        hamlet=hamlet,
        received_at=datetime(2017, 3, 1, tzinfo=timezone.utc),
    )
    return Envelope.wrap(payload, commune_id="demo", correlation_id=f"c-{submission_id}"), payload


class Counting(InMemoryDecisions):
    """Counts the representatives each look-up hands to scoring."""

    def __init__(self, limits: repeat_index.Limits) -> None:
        super().__init__(limits)
        self.compared: list[int] = []

    async def clusters_sharing(self, commune_id, keys, hamlet=None, before_clusters_read=None):
        found = await super().clusters_sharing(commune_id, keys, hamlet, before_clusters_read)
        self.compared.append(sum(len(c.representatives) for c in found))
        return found


async def test_a_flood_joins_one_cluster_counted_exactly_with_bounded_comparisons():
    limits = repeat_index.Limits(representatives=3, earlier=10)
    store = Counting(limits)
    deps = deps_over(store)
    decided = [(await route(deps, *received(f"F{n:03d}", FLOOD.format(n=n)))).decision for n in range(200)]
    assert {d.cluster_id for d in decided} == {"F000"}
    last = decided[-1]
    assert (last.duplicate_of, last.times_raised) == ("F000", 200)
    assert len(last.earlier) <= limits.earlier + 1
    assert max(store.compared) <= (limits.representatives + 1) * limits.clusters_per_lookup
    assert max(store.compared[1:]) == limits.representatives + 1  # the first three and the latest


async def test_a_redelivery_counts_nothing_twice():
    store = InMemoryDecisions()
    deps = deps_over(store)
    await route(deps, *received("A", FLOOD.format(n=1)))
    await route(deps, *received("B", FLOOD.format(n=2)))
    again = await route(deps, *received("B", FLOOD.format(n=2)))
    assert again.stored is None and again.decision.times_raised == 2
    cluster = await store.cluster("demo", "A")
    assert cluster is not None and cluster.count == 2


def item(n: int, keys: tuple[str, ...]) -> repeat_index.Item:
    return repeat_index.Item(f"s{n}", "d", 2017, None, 1, f"text {n}", f"s{n}", keys, ("x",), True)


def test_band_key_lists_stay_bounded_and_rank_by_shared_keys():
    limits = repeat_index.Limits(clusters_per_key=4, clusters_per_lookup=2)
    docs: dict[str, dict] = {}
    trims: set[str] = set()
    for n in range(30):  # thirty clusters sharing key "b00:common"
        for write in repeat_index.index_writes("demo", item(n, ("b00:common", f"b01:{n}")), limits, trims):
            repeat_index.apply(docs, write)
        trims = set(repeat_index.oversized(docs.values(), limits))
    common = docs[repeat_index.key_id("demo", "b00:common")]["c"]
    assert len(common) <= limits.trim_above and common[-1] == "s29"
    ranked = repeat_index.rank_clusters(("b00:common", "b01:7"), docs, "demo", limits)
    assert len(ranked) == 2 and ranked[0] in {"s7"} | set(common)
    # Sharing two keys beats sharing one, if still held by the common key's list.
    ranked = repeat_index.rank_clusters(("b00:common", "b01:29"), docs, "demo", limits)
    assert ranked[0] == "s29"


def test_answers_are_listed_and_a_leaver_is_uncounted():
    limits = repeat_index.Limits()
    docs: dict[str, dict] = {}
    first = item(1, ("b00:k",))
    second = repeat_index.Item("s2", "d", 2018, None, 1, "text 2", "s1", ("b00:k",), ("x",), False)
    for write in repeat_index.index_writes("demo", first, limits) + repeat_index.index_writes(
        "demo", second, limits
    ):
        repeat_index.apply(docs, write)
    repeat_index.apply(docs, repeat_index.answer_write("demo", "s1", "s1", "Đã sửa"))
    cluster = repeat_index.cluster_from("demo", "s1", docs)
    assert (cluster.count, cluster.years) == (2, (2017, 2018))
    assert [(m.submission_id, m.answer) for m in cluster.members] == [("s1", "Đã sửa"), ("s2", None)]
    for write in repeat_index.leave_writes("demo", "s2", "s1"):
        repeat_index.apply(docs, write)
    cluster = repeat_index.cluster_from("demo", "s1", docs)
    assert cluster.count == 1 and [m.submission_id for m in cluster.members] == ["s1"]
    assert [r.submission_id for r in cluster.representatives] == ["s1"]


def test_limits_below_one_are_refused():
    with pytest.raises(ValueError):
        repeat_index.Limits(representatives=0)


def test_recurrence_counts_the_whole_cluster_and_lists_its_first_items():
    members = tuple(Candidate(f"s{n}", "d", 2015 + n, None, 1, frozenset(), "s0", f"t{n}") for n in range(3))
    cluster = repeat_index.Cluster("s0", 40, (2015, 2016, 2017, 2019), members[:1], members)
    match = repeat_index.candidates([cluster], exclude="new")[0]
    repeat = repeat_index.recurrence("new", 2020, Match(match, 0.9), cluster)
    assert (repeat.duplicate_of, repeat.times_raised) == ("s0", 41)
    assert repeat.years == (2015, 2016, 2017, 2019, 2020) and len(repeat.earlier) == 3


def _ranked_by_definition(keys, key_docs, commune_id, limits):
    """`rank_clusters` as its docstring defines it, written plainly: shared keys, then the
    most recently added to a key, then the id."""
    shared: dict[str, int] = {}
    recency: dict[str, int] = {}
    for key in dict.fromkeys(keys):
        held = (key_docs.get(repeat_index.key_id(commune_id, key)) or {}).get("c") or []
        for position, cluster in enumerate(reversed(held[-limits.trim_above :])):
            shared[cluster] = shared.get(cluster, 0) + 1
            recency[cluster] = min(recency.get(cluster, position), position)
    return sorted(shared, key=lambda c: (-shared[c], recency[c], c))[: limits.clusters_per_lookup]


def test_ranking_follows_its_definition_on_random_key_lists():
    rng = random.Random(7)
    limits = repeat_index.Limits(clusters_per_key=6, clusters_per_lookup=5)
    for _ in range(300):
        keys = [f"b{n:02d}:x" for n in range(rng.randrange(1, 12))]
        key_docs = {
            repeat_index.key_id("demo", key): {
                "c": rng.sample([f"c{i}" for i in range(15)], rng.randrange(0, 12))
            }
            for key in keys
            if rng.random() < 0.8
        }
        expected = _ranked_by_definition(keys, key_docs, "demo", limits)
        assert repeat_index.rank_clusters(keys, key_docs, "demo", limits) == expected


def test_representatives_keep_tokens_and_places_packed_and_read_back_the_same():
    doc = {
        "_id": "s1",
        "dialogue_id": "d",
        "year": 2017,
        "hamlet": "ấp Chợ",
        "topic": 3,
        "text": "Cống kênh Xáng ở ấp Chợ bị nghẹt, mưa là ngập.",
        "match_keys": ["b00:1"],
        "tokens": ["ngap", "cong kenh", "kenh"],
        "match_places": ["ap=cho", "kenh=xang", "site=kenh"],
    }
    entry = repeat_index.Item.of(doc).representative()
    assert entry["k"] == "ngap|cong kenh|kenh" and entry["p"] == "ap=cho|kenh=xang|site=kenh"
    [packed] = repeat_index.Cluster.of({"_id": "c|demo|s1", "n": 1, "reps": {"x": entry}}).representatives
    assert packed.tokens == frozenset(doc["tokens"]) and packed.places == frozenset(doc["match_places"])
    # An entry written before packing (tokens as a list, no places) reads the same tokens and
    # leaves the places to be read from its text.
    listed = {**entry, "k": doc["tokens"]}
    del listed["p"]
    [old] = repeat_index.Cluster.of({"_id": "c|demo|s1", "n": 1, "reps": {"x": listed}}).representatives
    assert old.tokens == packed.tokens and old.places is None
    # A decision stored before `match_places` gets them from its text.
    without = {k: v for k, v in doc.items() if k != "match_places"}
    assert set(repeat_index.Item.of(without).places or ()) >= {"ap=cho", "kenh=xang"}


def test_a_match_compares_the_places_the_index_kept():
    """The places a candidate names come from the index, not from its text: a candidate whose
    kept places name another canal is refused even though its text is not read."""
    fp = fingerprint("Kênh Xáng ấp Chợ bị bồi lắng, ghe không qua được, đề nghị nạo vét.")
    candidate = Candidate(
        submission_id="old",
        dialogue_id="d",
        year=2016,
        hamlet="ấp Chợ",
        topic=3,
        tokens=fp.tokens,
        cluster_id="old",
        text="",
        places=frozenset({"kenh=cut", "ap=cho"}),
    )
    assert best_match(fp, hamlet="ấp Chợ", topic=3, candidates=[candidate]) is None
    same_canal = dataclasses.replace(candidate, places=frozenset({"kenh=xang"}))
    assert best_match(fp, hamlet="ấp Chợ", topic=3, candidates=[same_canal]) is not None


def test_only_representatives_a_hamlet_may_be_compared_with_are_built():
    """Scoring refuses a representative of another hamlet; the look-up does not build it."""
    entries = {
        f"r{n}": {"s": f"s{n}", "h": hamlet, "t": 3, "x": "", "k": "lo|dal"}
        for n, hamlet in enumerate(("ấp Chợ", "Ap Cho", "ấp Mới", "Toàn xã", None))
    }
    doc = {"_id": "c|demo|s0", "n": 5, "reps": entries}
    built = repeat_index.Cluster.of(doc, None, "ấp Chợ").representatives
    assert [r.submission_id for r in built] == ["s0", "s1", "s3", "s4"]
    assert len(repeat_index.Cluster.of(doc).representatives) == 5
    assert len(repeat_index.Cluster.of(doc, None, "Toàn xã").representatives) == 5


def test_band_keys_that_list_the_cluster_already_are_not_written_again():
    limits = repeat_index.Limits(clusters_per_key=2, reached_bands=33)  # never reached: 32 bands
    docs: dict = {}
    fp = fingerprint(FLOOD.format(n=1))
    first = repeat_index.Item("A", "d", 2017, None, 3, "x", "A", fp.keys, tuple(fp.tokens), True)
    for write in repeat_index.index_writes("demo", first, limits):
        repeat_index.apply(docs, write)
    key_docs = {repeat_index.key_id("demo", k): docs[repeat_index.key_id("demo", k)] for k in fp.keys}
    # The first key lists two clusters added after "A": a trim would keep only those.
    crowded = repeat_index.key_id("demo", fp.keys[0])
    key_docs[crowded] = {**key_docs[crowded], "c": ["A", "B", "C"]}
    found = {repeat_index.cluster_doc_id("demo", "A"): docs[repeat_index.cluster_doc_id("demo", "A")]}
    [cluster] = repeat_index.clusters_from("demo", ["A"], found, None, key_docs, limits)
    assert cluster.held().keys == frozenset(fp.keys[1:])
    second = dataclasses.replace(first, submission_id="B2", cluster_id="A", starts_cluster=False)
    writes = repeat_index.index_writes("demo", second, limits, held=cluster.held())
    written_keys = [where["_id"] for where, _, _ in writes if where["_id"].startswith("k|")]
    assert written_keys == [crowded]
    # Skipping them changes nothing: with every key written, the documents are the same.
    skipped, everything = copy.deepcopy(docs), copy.deepcopy(docs)
    for write in writes:
        repeat_index.apply(skipped, write)
    for write in repeat_index.index_writes("demo", second, limits):
        repeat_index.apply(everything, write)
    assert skipped == everything


def test_a_cluster_read_full_gets_no_representative_or_member_write():
    limits = repeat_index.Limits(representatives=2, earlier=2)
    decisions = InMemoryDecisions(limits)
    deps = deps_over(decisions)
    for n in range(3):
        run_to_completion(route(deps, *received(f"F{n}", FLOOD.format(n=7))))
    fp = fingerprint(FLOOD.format(n=7))
    [cluster] = run_to_completion(decisions.clusters_sharing("demo", fp.keys, "ấp Rạch Tràm"))
    cluster = run_to_completion(decisions.with_members("demo", cluster))
    held = cluster.held()
    assert held.representatives_full and held.members_full and held.keys == frozenset(fp.keys)
    item = repeat_index.Item("F3", "d", 2017, None, 3, "x", cluster.cluster_id, fp.keys, (), False)
    writes = repeat_index.index_writes("demo", item, limits, held=held)
    assert [(where["_id"], sorted(update)) for where, update, _ in writes] == [
        (repeat_index.cluster_doc_id("demo", "F0"), ["$addToSet", "$inc", "$set", "$setOnInsert"])
    ]


def test_a_joining_item_its_cluster_already_reaches_through_enough_keys_adds_none():
    limits = repeat_index.Limits(reached_bands=3)
    keys = ("b00:a", "b01:b", "b02:c", "b03:d")
    joining = repeat_index.Item("J", "d", 2017, None, 3, "x", "C", keys, (), False)
    starting = dataclasses.replace(joining, cluster_id="J", starts_cluster=True)

    def keys_written(item, held):
        writes = repeat_index.index_writes("demo", item, limits, held=repeat_index.Held(frozenset(held)))
        return [where["_id"].rsplit("|", 1)[-1] for where, _, _ in writes if where["_id"].startswith("k|")]

    assert keys_written(joining, keys[:2]) == ["b02:c", "b03:d"]  # reached by 2 of 3: the rest added
    assert keys_written(joining, keys[:3]) == []  # reached by 3: a look-up finds it through those
    assert keys_written(starting, ()) == list(keys)  # a new cluster is listed under every key


async def test_representatives_keep_no_text_and_repeats_still_list_every_earlier_text():
    """A cluster's first items are compared without their texts (its members document holds
    them, read on a match); its latest item keeps its text, as it may lie beyond the members."""
    limits = repeat_index.Limits(representatives=2, earlier=3)
    store = InMemoryDecisions(limits)
    deps = deps_over(store)
    texts = {f"R{n}": FLOOD.format(n=n) for n in range(6)}
    decided = [(await route(deps, *received(sid, text))).decision for sid, text in texts.items()]
    cluster = store._repeats[repeat_index.cluster_doc_id("demo", "R0")]
    assert len(cluster["reps"]) == 2 and all("x" not in rep for rep in cluster["reps"].values())
    assert cluster["latest"]["x"] == texts["R5"]
    assert all(e.text == texts[e.submission_id] for d in decided for e in d.earlier)
    assert [e.submission_id for e in decided[-1].earlier] == ["R0", "R1", "R2"]
    # With fewer members listed than representatives, representatives keep their texts.
    assert repeat_index.Limits(representatives=3, earlier=2).texted_representatives
