"""Routing's use cases (`services.routing.handlers`) over the in-memory ports of
`services.routing.memory`: the decisions as dictionaries (the store's documents and look-up
rules), the events kept in a list instead of published, the demo commune and dialogue as the
directory. No broker and no store, so each test runs in milliseconds; the MongoDB side and the
wiring are covered by tests/integration (test_pipeline, test_routing_changes, test_repeats_lookup).
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from prometheus_client import CollectorRegistry

from services.demo.seed import demo_commune, demo_dialogue
from services.routing.batch import classify_stream
from services.routing.changes import ChangeIn, ChangeRejected
from services.routing.classifier import RuleSet
from services.routing.handlers import (
    Conflict,
    NotFound,
    OfficeScope,
    RoutingDeps,
    apply_routing_change,
    decision_with_changes,
    record_answer,
    route,
    route_received,
)
from services.routing.memory import FixedRules, InMemoryDecisions, InMemoryDirectory, RecordedEvents
from services.routing.metrics import RoutingMetrics
from shared.contracts import (
    AuthorityLevel,
    Envelope,
    Kind,
    RoutingChange,
    Source,
    SubmissionReceivedV1,
    SubmissionRoutedV1,
)
from shared.errors import PermanentError

RULES = RuleSet.load_default()
ROAD = "Lộ đal ấp Rạch Tràm bể nát, bà con đồng ý góp tiền làm lại, đề nghị xã sớm triển khai."
ROAD_AGAIN = "lo dal ap Rach Tram be nat lam r, ba con dong y gop tien ma xa chua trien khai"
THEFT = "Trộm cắp xe máy ban đêm ở đầu ấp, đề nghị tăng cường tuần tra."
ITEMS = [
    ("A1", "ấp Rạch Tràm", ROAD),
    ("B1", "ấp Chợ", "Xe gom rác một tuần mới tới một lần, rác để lâu bốc mùi."),
    ("A2", "Rach Tram", ROAD_AGAIN),
    ("C1", "ấp Kênh Xáng", "Ngã ba giao quốc lộ 62 không có biển báo, gờ giảm tốc, hay tai nạn."),
    ("D1", None, "Đất nhà tôi bị hàng xóm lấn ranh, đã lên xã 2 lần mà chưa giải quyết."),
    ("A3", "ấp Rạch Tràm", "Lộ đal Rạch Tràm bể nát vẫn chưa làm, bà con đã góp tiền."),
]


def make_deps(*, directory: InMemoryDirectory | None = None, metrics: RoutingMetrics | None = None):
    deps = RoutingDeps(
        decisions=InMemoryDecisions(),
        events=RecordedEvents(),
        directory=directory or InMemoryDirectory([demo_commune()], [demo_dialogue()]),
        rules=FixedRules(RULES),
        review_threshold=0.5,
        metrics=metrics,
    )
    return deps, deps.decisions, deps.events


def received(
    submission_id: str, text: str, hamlet: str | None = None
) -> tuple[Envelope, SubmissionReceivedV1]:
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


async def route_all(deps, items=ITEMS) -> list[SubmissionRoutedV1]:
    decisions = []
    for submission_id, hamlet, text in items:
        envelope, payload = received(submission_id, text, hamlet)
        decisions.append((await route(deps, envelope, payload)).decision)
    return decisions


async def test_route_decides_stores_and_publishes_once():
    registry = CollectorRegistry()
    deps, store, events = make_deps(metrics=RoutingMetrics(registry))
    envelope, payload = received("T1", THEFT, "ấp Chợ")
    assert await route_received(deps, envelope, payload) is True
    [stored] = events.published
    decision = SubmissionRoutedV1.model_validate(stored)
    assert (decision.topic, decision.office_id, decision.cluster_id) == (5, "cong-an-xa", "T1")
    assert decision.years_raised == (2017,) and decision.times_raised == 1
    assert "Office: topic 5 default." in decision.explanation
    # the received facts reporting's read model takes from the routed event
    assert (decision.source, decision.organisation, decision.received_at) == (
        Source.CITIZEN,
        None,
        payload.received_at,
    )
    assert stored["source_event_id"] == envelope.event_id and stored["match_keys"]
    labels = {"commune_id": "demo", "topic": "5", "authority_level": "commune", "outcome": "auto"}
    assert registry.get_sample_value("doithoai_routing_submissions_routed_total", labels) == 1

    # A redelivery stores nothing: the stored decision's own event is flushed instead.
    assert await route_received(deps, envelope, payload) is False
    assert len(events.published) == 1 and events.flushed == [("demo", "T1")]
    assert len(store) == 1


async def members(store: InMemoryDecisions, cluster_id: str) -> list[str]:
    """The items the repeat index lists for a cluster, in the order they joined it."""
    cluster = await store.cluster("demo", cluster_id)
    return [] if cluster is None else [c.submission_id for c in cluster.members]


async def test_a_repeat_joins_the_cluster_of_the_earliest_item_with_the_production_explanation():
    deps, store, _ = make_deps()
    first, _, second, *_ = await route_all(deps)
    assert first.duplicate_of is None and first.cluster_id == "A1"
    assert (second.duplicate_of, second.cluster_id, second.times_raised) == ("A1", "A1", 2)
    assert [e.submission_id for e in second.earlier] == ["A1"]
    assert second.explanation.endswith("Raised before: 1 time(s), cluster A1.")
    assert await members(store, "A1") == ["A1", "A2", "A3"]


async def test_unknown_commune_or_dialogue_is_permanent():
    deps, store, _ = make_deps(directory=InMemoryDirectory([demo_commune()]))
    envelope, payload = received("X", THEFT)
    with pytest.raises(PermanentError):
        await route(deps, envelope, payload)
    assert len(store) == 0


async def test_batch_classification_and_the_consumer_make_the_same_decisions():
    """The same items, through `doithoai classify`'s path and through the consumer's use case:
    the same topic, office, authority, repeats and explanation for each."""
    deps, _, events = make_deps()
    for submission_id, hamlet, text in ITEMS:
        envelope, payload = received(submission_id, text, hamlet)
        assert await route_received(deps, envelope, payload)
    online = {doc["_id"]: SubmissionRoutedV1.model_validate(doc) for doc in events.published}
    lines = [{"id": i, "hamlet": h, "text": t} for i, h, t in ITEMS]
    batch = list(classify_stream(lines, commune=demo_commune(), dialogue=demo_dialogue(), rules=RULES))
    office_name = {o.id: o.name for o in demo_commune().offices}
    assert [out["id"] for out in batch] == [i for i, _, _ in ITEMS]
    for out in batch:
        decision = online[out["id"]]
        assert out == {
            "id": decision.submission_id,
            "topic": decision.topic,
            "secondary_topic": decision.secondary_topic,
            "office": decision.office_name,
            "coordinating_offices": [office_name[o] for o in decision.coordinating_office_ids],
            "authority_level": decision.authority_level,
            "authority_body": decision.authority_body,
            "duplicate_of": decision.duplicate_of,
            "recurring": decision.recurring_claim or decision.duplicate_of is not None,
            "times_raised": decision.times_raised,
            "confidence": decision.confidence,
            "explanation": decision.explanation,
        }
    assert [out["duplicate_of"] for out in batch] == [None, None, "A1", None, None, "A1"]
    assert {out["authority_level"] for out in batch} >= {AuthorityLevel.COMMUNE, AuthorityLevel.CENTRAL}


def change(action: str, **fields) -> ChangeIn:
    return ChangeIn(action=action, reason="Đã xem xét lại", by="ignored", **fields)


async def test_reassign_is_a_new_audited_revision_and_its_event_goes_out():
    deps, store, events = make_deps()
    await route_all(deps, [("T1", "ấp Chợ", THEFT)])
    revised = await apply_routing_change(
        deps, "demo", "T1", change("reassign", office_id="phong-kinh-te"), "Hoa"
    )
    assert (revised.revision, revised.change, revised.changed_by) == (1, RoutingChange.REASSIGNED, "Hoa")
    assert (revised.office_id, revised.previous_office_id) == ("phong-kinh-te", "cong-an-xa")
    assert events.flushed == [("demo", "T1")]
    doc, [audit] = await decision_with_changes(deps, "demo", "T1")
    assert (doc["revision"], doc["office_id"], doc["needs_review"]) == (1, "phong-kinh-te", False)
    assert (audit["action"], audit["by"], audit["reason"]) == ("reassign", "Hoa", "Đã xem xét lại")
    assert (audit["before"]["office_id"], audit["after"]["office_id"]) == ("cong-an-xa", "phong-kinh-te")

    revised = await apply_routing_change(
        deps, "demo", "T1", change("reclassify", topic=3, authority_level="province"), "Hoa"
    )
    assert (revised.revision, revised.topic, revised.authority_level) == (2, 3, AuthorityLevel.PROVINCE)
    assert revised.office_id == "phong-kinh-te" and revised.change is RoutingChange.RECLASSIFIED


async def test_changes_that_do_not_fit_are_rejected_and_store_nothing():
    deps, store, _ = make_deps()
    await route_all(deps, [("T1", "ấp Chợ", THEFT)])
    for bad in (
        change("reclassify", topic=9),
        change("reassign", office_id="no-such-office"),
        change("merge"),
    ):
        with pytest.raises(ChangeRejected):
            await apply_routing_change(deps, "demo", "T1", bad, "Hoa")
    with pytest.raises(NotFound):
        await apply_routing_change(deps, "demo", "nope", change("confirm"), "Hoa")
    with pytest.raises(NotFound):
        await apply_routing_change(deps, "elsewhere", "T1", change("confirm"), "Hoa")
    assert store.changes == [] and (await store.get("demo", "T1"))["revision"] == 0


async def test_a_decision_revised_meanwhile_or_of_a_gone_dialogue_is_a_conflict():
    class RevisedMeanwhile(InMemoryDecisions):
        async def revise(self, decision, envelope, expected_revision, audit):
            return await super().revise(decision, envelope, expected_revision + 1, audit)

    deps, _, _ = make_deps()
    deps = RoutingDeps(**{**deps.__dict__, "decisions": RevisedMeanwhile()})
    await route_all(deps, [("T1", "ấp Chợ", THEFT)])
    with pytest.raises(Conflict) as conflict:
        await apply_routing_change(deps, "demo", "T1", change("confirm"), "Hoa")
    assert conflict.value.code == "decision_changed"

    deps, _, _ = make_deps()
    await route_all(deps, [("T1", "ấp Chợ", THEFT)])
    gone = RoutingDeps(**{**deps.__dict__, "directory": InMemoryDirectory([demo_commune()])})
    with pytest.raises(Conflict) as conflict:
        await apply_routing_change(gone, "demo", "T1", change("confirm"), "Hoa")
    assert conflict.value.code == "dialogue_gone"


async def test_merge_joins_a_cluster_with_its_history_and_split_leaves_it():
    deps, store, _ = make_deps()
    await route_all(deps, [("A1", "ấp Rạch Tràm", ROAD), ("T1", "ấp Rạch Tràm", THEFT)])
    merged = await apply_routing_change(deps, "demo", "T1", change("merge", into="A1"), "Hoa")
    assert (merged.cluster_id, merged.duplicate_of, merged.times_raised) == ("A1", "A1", 2)
    assert [e.submission_id for e in merged.earlier] == ["A1"] and merged.change is RoutingChange.MERGED
    assert "Raised before: 1 time(s), cluster A1." in merged.explanation
    assert sorted(await members(store, "A1")) == ["A1", "T1"]

    split = await apply_routing_change(deps, "demo", "T1", change("split"), "Hoa")
    assert (split.cluster_id, split.duplicate_of, split.times_raised, split.earlier) == ("T1.2", None, 1, ())
    assert await members(store, "A1") == ["A1"]
    with pytest.raises(ChangeRejected):
        await apply_routing_change(deps, "demo", "T1", change("merge", into="T1"), "Hoa")


async def test_office_staff_see_and_answer_only_their_office_items():
    deps, store, _ = make_deps()
    await route_all(deps, [("T1", "ấp Chợ", THEFT)])
    police, economy = OfficeScope("cong-an-xa"), OfficeScope("phong-kinh-te")
    with pytest.raises(NotFound):
        await decision_with_changes(deps, "demo", "T1", economy)
    with pytest.raises(NotFound):
        await record_answer(deps, "demo", "T1", "Đã tăng cường tuần tra", "Công an xã", economy)
    await record_answer(deps, "demo", "T1", "Đã tăng cường tuần tra", "Công an xã", police)
    doc, [entry] = await decision_with_changes(deps, "demo", "T1", police)
    assert (doc["answer"], doc["answered_by"]) == ("Đã tăng cường tuần tra", "Công an xã")
    assert (entry["action"], entry["by"]) == ("answer", "Công an xã")
    # A later repeat carries the answer given.
    envelope, payload = received("T2", THEFT + " Vẫn còn trộm.", "ấp Chợ")
    later = (await route(deps, envelope, payload)).decision
    assert [(e.submission_id, e.answer) for e in later.earlier] == [("T1", "Đã tăng cường tuần tra")]
