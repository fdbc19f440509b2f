"""Learning from the office (issue 18): the commune's model, its blend with the rules, its
versions and rollback, and that a commune's corrections never change another commune's routing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest

from services.demo.seed import demo_commune, demo_dialogue
from services.routing.changes import ChangeIn
from services.routing.classifier import RuleSet
from services.routing.handlers import (
    NoModel,
    RoutingDeps,
    activate_model,
    apply_routing_change,
    learn_from_revision,
    model_status,
    record_answer,
    retrain,
    retrain_due,
    rollback_model,
    route,
)
from services.routing.learning import Learning, ModelCache, Policy
from services.routing.learning.blend import blend
from services.routing.learning.model import CommuneModel, Example, _fit, _matrix, features_text, fit
from services.routing.learning.store import InMemoryLearningStore
from services.routing.memory import FixedRules, InMemoryDecisions, InMemoryDirectory, RecordedEvents
from shared.contracts import Envelope, Kind, Source, SubmissionReceivedV1, SubmissionRoutedV1

CORPUS = Path(__file__).resolve().parents[1] / "data" / "corpus"
ITEMS = [json.loads(line) for p in sorted(CORPUS.glob("*.jsonl")) for line in p.open(encoding="utf-8")]
RULES = RuleSet.load_default()


def _examples(n: int) -> list[Example]:
    return [Example(i["id"], i["text"], i["topic"]) for i in ITEMS[:: max(1, len(ITEMS) // n)][:n]]


def test_stored_model_predicts_exactly_what_scikit_learn_predicts():
    examples = _examples(60)
    model = fit("demo", 1, examples)
    assert model is not None
    texts = [features_text(e.text) for e in examples]
    fitted = _fit(texts, [e.rules_topic for e in examples], [str(e.topic) for e in examples], None)
    assert fitted is not None
    unseen = [i["text"] for i in ITEMS[1::7][:20]]
    probs = fitted.topic.predict_proba(
        _matrix(fitted.char, fitted.word, [features_text(t) for t in unseen], [0] * len(unseen), fit=False)
    )
    stored = CommuneModel.from_doc(model.to_doc())  # through its stored form: lists and float32 bytes
    for text, row in zip(unseen, probs, strict=True):
        prediction, _ = stored.predict(text, 0)
        best = int(row.argmax())
        assert prediction.label == str(fitted.topic.classes_[best])
        assert prediction.probability == pytest.approx(float(row[best]), abs=1e-4)


def test_a_stored_model_is_plain_data():
    model = fit("demo", 1, _examples(40))
    assert model is not None
    doc = model.to_doc()
    assert doc["commune_id"] == "demo" and doc["format"] == 1
    assert isinstance(doc["topic"]["coef"], bytes) and not doc["topic"]["coef"].startswith(
        b"\x80"
    )  # no pickle
    json.dumps({k: v for k, v in doc.items() if k not in {"topic", "office"}})
    with pytest.raises(ValueError):
        CommuneModel.from_doc(doc | {"format": 99})


def _decision(text: str, commune_id: str = "demo") -> SubmissionRoutedV1:
    from services.routing.logic import decide

    received = SubmissionReceivedV1(
        submission_id="s1",
        dialogue_id="demo-2017",
        tracking_code="s1",
        source=Source.CITIZEN,
        kind=Kind.OPINION,
        text=text,
        received_at=datetime.now(timezone.utc),
    )
    commune = demo_commune() if commune_id == "demo" else demo_commune().model_copy(update={"id": commune_id})
    return decide(received, commune, demo_dialogue(), RULES, review_threshold=0.5)


TEXT = "Đề nghị xã xử lý tình trạng cơ sở chăn nuôi heo xả nước thải ra kênh gây hôi thối."


def _model_saying(topic: int, n: int = 40) -> CommuneModel:
    """A model trained on examples that all put such texts under `topic` (and one other topic)."""
    examples = [Example(f"x{i}", TEXT + f" Lần {i}.", topic) for i in range(n)]
    examples += [Example(f"y{i}", f"Cấp giấy khai sinh cho cháu bị chậm {i} ngày.", 6) for i in range(n)]
    model = fit("demo", 3, examples)
    assert model is not None
    return model


def test_rules_decide_until_enough_examples_and_say_so():
    decision = _decision(TEXT)
    out = blend(
        decision, None, 12, Policy(min_examples=30), demo_commune(), demo_dialogue(), review_threshold=0.5
    )
    assert out.topic == decision.topic
    assert out.explanation_vi[-1].startswith("Theo quy tắc") and "12 lần" in out.explanation_vi[-1]


def test_a_confident_model_with_enough_examples_speaks_and_says_on_how_many():
    decision = _decision(TEXT)
    other = 5 if decision.topic != 5 else 3
    model = _model_saying(other)
    out = blend(
        decision, model, 80, Policy(min_examples=30), demo_commune(), demo_dialogue(), review_threshold=0.5
    )
    assert out.topic == other
    assert out.topic_name == demo_dialogue().topic_name(other)
    assert (
        out.explanation_vi[0].startswith("Mô hình học từ 80 lần")
        and f"nội dung {decision.topic}" in (out.explanation_vi[0])
    )
    # Not confident enough: the rules keep the decision.
    unsure = blend(
        decision,
        model,
        80,
        Policy(min_examples=30, confidence=0.999),
        demo_commune(),
        demo_dialogue(),
        review_threshold=0.5,
    )
    assert unsure.topic == decision.topic and unsure.explanation_vi[-1].startswith("Theo quy tắc")


def test_a_model_is_never_applied_to_another_commune():
    with pytest.raises(ValueError):
        blend(
            _decision(TEXT, "other"),
            _model_saying(5),
            80,
            Policy(),
            demo_commune().model_copy(update={"id": "other"}),
            demo_dialogue(),
            review_threshold=0.5,
        )


def _deps(store: InMemoryLearningStore, *communes: str, policy: Policy | None = None) -> RoutingDeps:
    commune = demo_commune()
    dialogue = demo_dialogue()
    all_communes = [commune.model_copy(update={"id": c}) for c in communes]
    dialogues = [dialogue.model_copy(update={"commune_id": c}) for c in communes]
    return RoutingDeps(
        decisions=InMemoryDecisions(),
        events=RecordedEvents(),
        directory=InMemoryDirectory(all_communes, dialogues),
        rules=FixedRules(RULES),
        review_threshold=0.5,
        learning=Learning(
            store, ModelCache(store, state_ttl_s=0), policy or Policy(min_examples=20), debounce_s=0
        ),
    )


async def _route(deps: RoutingDeps, commune_id: str, submission_id: str, text: str) -> SubmissionRoutedV1:
    received = SubmissionReceivedV1(
        submission_id=submission_id,
        dialogue_id="demo-2017",
        tracking_code=submission_id,
        source=Source.CITIZEN,
        kind=Kind.OPINION,
        text=text,
        received_at=datetime.now(timezone.utc),
    )
    envelope = Envelope.wrap(received, commune_id=commune_id, correlation_id=submission_id)
    return (await route(deps, envelope, received)).decision


async def _correct(deps: RoutingDeps, commune_id: str, submission_id: str, topic: int) -> None:
    change = ChangeIn(action="reclassify", topic=topic, reason="Sửa phân loại")
    await apply_routing_change(deps, commune_id, submission_id, change, "staff")  # stores the example


async def test_a_communes_corrections_never_change_another_communes_routing():
    store = InMemoryLearningStore()
    deps = _deps(store, "xa-a", "xa-b")
    probes = [i["text"] for i in ITEMS[5::9][:30]]
    before = [(await _route(deps, "xa-b", f"p{n}", t)).topic for n, t in enumerate(probes)]
    # Commune A's staff put every item they see under topic 5, many of them against the rules.
    for n, item in enumerate(ITEMS[:60]):
        await _route(deps, "xa-a", f"a{n}", item["text"])
        await _correct(deps, "xa-a", f"a{n}", 5 if n % 3 else 1)
    [trained] = await retrain_due(deps, now=10**12)
    assert trained.commune_id == "xa-a" and trained.version == 1
    # A's own routing listens to its model now...
    a_state = await model_status(deps, "xa-a")
    assert a_state["examples"] == 60 and len(a_state["models"]) == 1
    # ...B's routing is exactly what it was, with neither examples nor model of its own.
    after = [(await _route(deps, "xa-b", f"q{n}", t)).topic for n, t in enumerate(probes)]
    assert after == before
    b_state = await model_status(deps, "xa-b")
    assert (b_state["examples"], b_state["active_version"], b_state["models"]) == (0, None, [])
    assert await store.examples("xa-b", 1000) == []
    assert (await deps.learning.cache.get("xa-b")).model is None  # type: ignore[union-attr]


async def test_a_second_correction_or_a_redelivery_replaces_the_example():
    store = InMemoryLearningStore()
    deps = _deps(store, "demo")
    await _route(deps, "demo", "s1", TEXT)
    await _correct(deps, "demo", "s1", 3)
    await _correct(deps, "demo", "s1", 4)
    [example] = await store.examples("demo", 10)
    assert example.topic == 4 and (await store.state("demo")).examples == 1
    # An older revision delivered late does not undo the later correction.
    stale = Example("s1", TEXT, 3)
    assert not await store.put_example("demo", stale, revision=1, at=0.0)
    assert (await store.examples("demo", 10))[0].topic == 4


async def test_automatic_decisions_are_not_examples_answers_are():
    store = InMemoryLearningStore()
    deps = _deps(store, "demo")
    decision = await _route(deps, "demo", "s1", TEXT)
    assert not await learn_from_revision(deps, "demo", decision)
    assert await store.examples("demo", 10) == [] and (await store.state("demo")).pending_at is None
    # The office answered under the topic the item was left in: that is its word on the item.
    await record_answer(deps, "demo", "s1", "Xã đã kiểm tra và xử phạt cơ sở.", "staff")
    assert [e.topic for e in await store.examples("demo", 10)] == [decision.topic]
    assert (await store.state("demo")).pending_at is not None  # the commune waits for retraining


async def test_the_staff_change_stores_its_example_and_schedules_the_communes_retraining():
    store = InMemoryLearningStore()
    deps = _deps(store, "demo", "xa-b")
    await _route(deps, "demo", "s1", TEXT)
    change = ChangeIn(action="reclassify", topic=3, reason="Sửa phân loại")
    revised = await apply_routing_change(deps, "demo", "s1", change, "staff")
    [example] = await store.examples("demo", 10)
    assert (example.submission_id, example.text, example.topic) == ("s1", TEXT, 3)
    assert example.office_id == revised.office_id
    state = await store.state("demo")
    assert state.examples == 1 and state.pending_at is not None
    assert [s.commune_id for s in await store.pending(arrived_before=10**12)] == ["demo"]
    # The same revision learnt again (a retried call) changes nothing more.
    assert await learn_from_revision(deps, "demo", revised)
    assert (await store.state("demo")).examples == 1


class _DownStore(InMemoryLearningStore):
    async def put_example(self, commune_id: str, example: Example, revision: int, at: float) -> bool:
        raise ConnectionError("store unreachable")


async def test_a_change_stands_when_its_example_cannot_be_stored():
    deps = _deps(_DownStore(), "demo")
    await _route(deps, "demo", "s1", TEXT)
    change = ChangeIn(action="reclassify", topic=3, reason="Sửa phân loại")
    revised = await apply_routing_change(deps, "demo", "s1", change, "staff")
    stored = await deps.decisions.get("demo", "s1")
    assert stored is not None and (stored["topic"], stored["revision"]) == (3, revised.revision) == (3, 1)
    assert deps.events.flushed == [("demo", "s1")]  # type: ignore[attr-defined]


async def test_a_model_worse_than_the_rules_on_held_out_examples_is_not_activated():
    store = InMemoryLearningStore()
    # Each text twice, once as the rules put it and once elsewhere: a model that always speaks
    # learns each text's twin and is wrong where the rules are right half of the time.
    deps = _deps(store, "demo", policy=Policy(min_examples=20, confidence=0.0))
    texts = [i["text"] for i in ITEMS[:30]]
    for n, text in enumerate(texts):
        topic = (await _route(deps, "demo", f"r{n}", text)).topic
        await _correct(deps, "demo", f"r{n}", topic)
        await _route(deps, "demo", f"w{n}", text)
        await _correct(deps, "demo", f"w{n}", 6 if topic != 6 else 2)
    outcome = await retrain(deps, "demo", in_thread=False)
    assert outcome.version == 1 and not outcome.activated
    assert outcome.held_out_accuracy < outcome.rules_accuracy
    status = await model_status(deps, "demo")
    assert status["active_version"] is None and status["models"][0]["refused"] is True


async def test_rollback_returns_to_the_version_active_before_then_to_the_rules():
    store = InMemoryLearningStore()
    deps = _deps(store, "demo", policy=Policy(min_examples=20, confidence=0.5))
    for n, item in enumerate(ITEMS[:40]):
        await _route(deps, "demo", f"s{n}", item["text"])
        await _correct(deps, "demo", f"s{n}", item["topic"])
    first = await retrain(deps, "demo", in_thread=False)
    second = await retrain(deps, "demo", in_thread=False)
    assert (first.version, second.version) == (1, 2)
    await activate_model(deps, "demo", None)  # whatever the held-out figures decided
    await activate_model(deps, "demo", 1)
    await activate_model(deps, "demo", 2)
    assert (await deps.learning.cache.get("demo")).model.version == 2  # type: ignore[union-attr]
    assert await rollback_model(deps, "demo") == 1
    assert (await deps.learning.cache.get("demo")).model.version == 1  # type: ignore[union-attr]
    assert await rollback_model(deps, "demo") is None
    assert (await deps.learning.cache.get("demo")).model is None  # type: ignore[union-attr]
    with pytest.raises(NoModel):
        await rollback_model(deps, "demo")


async def test_the_cache_is_bounded_and_follows_the_active_version():
    store = InMemoryLearningStore()
    clock = [0.0]
    cache = ModelCache(store, max_communes=2, state_ttl_s=5, clock=lambda: clock[0])
    for c in ("a", "b", "c"):
        await cache.get(c)
    assert len(cache) == 2
    model = replace(_model_saying(5), commune_id="a")
    version = await store.save_model("a", {"examples": 80})
    await store.put_weights("a", version, replace(model, version=version).to_doc())
    await store.set_active("a", version, ())
    # "a" was evicted (the oldest of three): read again, with its new active model.
    assert (await cache.get("a")).model.version == version  # type: ignore[union-attr]
    await store.set_active("a", None, ())
    assert (await cache.get("a")).model is not None  # the loaded version is trusted for state_ttl_s
    clock[0] = 6
    assert (await cache.get("a")).model is None  # then the rollback is seen
    await store.set_active("a", version, ())
    cache.invalidate("a")  # a change made by this process is seen at once
    assert (await cache.get("a")).model.version == version  # type: ignore[union-attr]
