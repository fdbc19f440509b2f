"""The commune model's memory of corrections (issue 18): an item close to one the office put
under another topic than the rules gets that item's topic where the regression is unsure (instead
of the rules), the explanation names it, the memory is stored as plain data with the model, held
out like the regression, and stays the commune's."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from services.demo.seed import demo_commune, demo_dialogue
from services.routing.changes import ChangeIn
from services.routing.classifier import RuleSet, classify
from services.routing.handlers import RoutingDeps, activate_model, apply_routing_change, retrain
from services.routing.learning import Learning, ModelCache, Policy
from services.routing.learning.blend import blend
from services.routing.learning.model import CommuneModel, Example, fit, held_out, speaking
from services.routing.learning.store import InMemoryLearningStore
from services.routing.memory import FixedRules, InMemoryDecisions, InMemoryDirectory, RecordedEvents
from tests.unit.test_routing_learning import _decision, _route

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = [json.loads(line) for p in sorted((DATA / "corpus").glob("*.jsonl")) for line in p.open()]
RULES = RuleSet.load_default()
# The commune's landfill under its local name: the generic rules cannot place these texts.
DUMP = "Gò Sặt tối qua đốt nữa rồi, khói bay qua tới ấp Mới luôn, mấy đứa nhỏ ho sù sụ. Xã coi lại giùm."
LATER = "Gò Sặt lại đốt nữa, khói bay qua tới ấp Mới."
UNRELATED = "Đề nghị cấp lại giấy khai sinh cho cháu bị mất."


def _confirmed(n: int) -> list[Example]:
    """Items the rules placed right, as staff confirmed them (the rules' topic known)."""
    out = []
    for item in CORPUS:
        rules_topic = classify(item["text"], RULES).topic
        if rules_topic == item["topic"]:
            out.append(Example(item["id"], item["text"], item["topic"], None, rules_topic))
        if len(out) == n:
            return out
    raise AssertionError("not enough items the rules place right")


def _with_correction() -> list[Example]:
    rules_topic = classify(DUMP, RULES).topic
    assert rules_topic != 4  # the premise: the rules do not know the local name
    return [*_confirmed(40), Example("CY013", DUMP, 4, "phong-kinh-te", rules_topic)]


def test_a_text_close_to_a_corrected_item_takes_its_topic_and_names_it():
    model = fit("demo", 1, _with_correction())
    assert model is not None and model.memory is not None and "CY013" in model.memory.ids
    topic, office = model.predict(LATER, classify(LATER, RULES).topic)
    remembered = topic.remembered
    assert remembered is not None and (remembered.label, remembered.neighbour) == ("4", "CY013")
    assert 0.4 <= remembered.probability <= 1.0  # the cosine similarity
    assert office is not None and office.remembered is not None
    assert (office.remembered.label, office.remembered.neighbour) == ("phong-kinh-te", "CY013")
    # Where the regression is unsure the remembered item decides; where sure, the regression.
    assert speaking(topic, confidence=1.01) is remembered
    assert speaking(topic, confidence=0.0) is topic
    # Far from every correction: nothing remembered, the regression or the rules.
    other, _ = model.predict(UNRELATED, classify(UNRELATED, RULES).topic)
    assert other.remembered is None and speaking(other, confidence=1.01) is None
    # A correction speaks only for a text the rules put where they put the corrected one.
    moved, _ = model.predict(LATER, 4 if classify(DUMP, RULES).topic != 4 else 3)
    assert moved.remembered is None


def test_the_blend_follows_the_remembered_item_where_the_regression_is_unsure_and_says_which():
    model = fit("demo", 3, _with_correction())
    decision = _decision(LATER)
    assert decision.topic != 4
    out = blend(
        decision,
        model,
        41,
        Policy(min_examples=30, confidence=0.999),
        demo_commune(),
        demo_dialogue(),
        review_threshold=0.5,
    )
    assert out.topic == 4 and out.office_id == "phong-kinh-te"
    assert out.explanation_vi[0].startswith("Giống mục CY013 cán bộ xã đã xếp")
    assert "41 lần" in out.explanation_vi[0] and "phiên bản 3" in out.explanation_vi[0]
    assert "like item CY013" in out.explanation
    # A regression sure enough decides; it cites the remembered item when they agree.
    sure = blend(
        decision,
        model,
        41,
        Policy(min_examples=30, confidence=0.0),
        demo_commune(),
        demo_dialogue(),
        review_threshold=0.5,
    )
    regression, _ = model.predict(LATER, decision.topic)
    assert sure.topic == int(regression.label)
    assert ("giống mục CY013 cán bộ xã đã xếp)" in sure.explanation_vi[0]) == (regression.label == "4")
    # Too few examples: the rules decide, memory or not.
    early = blend(
        decision, model, 41, Policy(min_examples=60), demo_commune(), demo_dialogue(), review_threshold=0.5
    )
    assert early.topic == decision.topic


def test_the_memory_is_stored_as_plain_data_and_gives_the_same_answers():
    model = fit("demo", 1, _with_correction())
    assert model is not None
    doc = model.to_doc()
    json.dumps({k: v for k, v in doc["memory"].items() if k not in {"indptr", "indices", "data"}})
    stored = CommuneModel.from_doc(doc)
    for text in (LATER, DUMP, UNRELATED, CORPUS[3]["text"]):
        for rules_topic in range(7):
            a, _ = model.predict(text, rules_topic)
            b, _ = stored.predict(text, rules_topic)
            assert a.label == b.label and a.probability == pytest.approx(b.probability, abs=1e-4)
            ra, rb = a.remembered, b.remembered
            assert (ra is None) == (rb is None)
            if ra is not None and rb is not None:
                assert (ra.label, ra.neighbour) == (rb.label, rb.neighbour)
                assert ra.probability == pytest.approx(rb.probability, abs=1e-4)
    # A model stored before the memory existed loads without one.
    assert CommuneModel.from_doc({**doc, "memory": None}).memory is None


def test_no_memory_without_a_correction_of_the_rules():
    confirmed = fit("demo", 1, _confirmed(40))
    assert confirmed is not None and confirmed.memory is None
    unknown = fit("demo", 1, [replace(e, rules_topic=-1) for e in _with_correction()])
    assert unknown is not None and unknown.memory is None  # rules' topic unknown: nothing is a correction


def test_a_confirmed_item_near_a_correction_is_remembered_too():
    examples = _with_correction()
    near = "Gò Sặt tối qua đốt rác nữa rồi, khói bay qua tới ấp Mới, mấy đứa nhỏ ho. Xã coi lại."
    examples.append(Example("CY040", near, 4, None, 4))
    model = fit("demo", 1, examples)
    assert model is not None and model.memory is not None
    assert set(model.memory.ids) == {"CY013", "CY040"}


def test_held_out_predictions_use_the_folds_memory():
    again = "Gò Sặt tối nay đốt nữa rồi, khói bay qua tới ấp Mới, con nít ho. Xã coi lại giùm."
    examples = [*_with_correction(), Example("CY090", again, 4, None, classify(again, RULES).topic)]
    predictions = held_out(examples)
    by_id = {e.submission_id: p for e, p in zip(examples, predictions, strict=True)}
    # Whichever fold holds one of the two, the other (a correction too) may be in its training
    # part; what is remembered there is always the other one, under the office's topic.
    remembered = [by_id[i].remembered for i in ("CY013", "CY090")]  # type: ignore[union-attr]
    assert any(r is not None for r in remembered)
    for own, r in zip(("CY013", "CY090"), remembered, strict=True):
        assert r is None or (r.label == "4" and r.neighbour in {"CY013", "CY090"} - {own})


def _deps(store: InMemoryLearningStore, *communes: str) -> RoutingDeps:
    commune, dialogue = demo_commune(), demo_dialogue()
    return RoutingDeps(
        decisions=InMemoryDecisions(),
        events=RecordedEvents(),
        directory=InMemoryDirectory(
            [commune.model_copy(update={"id": c}) for c in communes],
            [dialogue.model_copy(update={"commune_id": c}) for c in communes],
        ),
        rules=FixedRules(RULES),
        review_threshold=0.5,
        learning=Learning(store, ModelCache(store, state_ttl_s=0), Policy(min_examples=20), debounce_s=0),
    )


async def test_a_retrained_commune_routes_its_local_name_by_its_own_correction_only():
    store = InMemoryLearningStore()
    deps = _deps(store, "xa-a", "xa-b")
    for n, item in enumerate(CORPUS[:30]):
        await _route(deps, "xa-a", f"a{n}", item["text"])
        change = ChangeIn(action="reclassify", topic=item["topic"], reason="Theo nhãn")
        await apply_routing_change(deps, "xa-a", f"a{n}", change, "staff")
    await _route(deps, "xa-a", "gs1", DUMP)
    await apply_routing_change(
        deps, "xa-a", "gs1", ChangeIn(action="reclassify", topic=4, reason="Bãi rác"), "staff"
    )
    outcome = await retrain(deps, "xa-a", in_thread=False)
    doc = await store.model("xa-a", 1)
    assert outcome.version == 1 and doc is not None
    stored = CommuneModel.from_doc(doc["model"])  # the stored version keeps its memory
    assert stored.memory is not None and "gs1" in stored.memory.ids
    # Active (by the retraining's own check or, as here whatever it decided, by a manager):
    await activate_model(deps, "xa-a", 1)
    later = await _route(deps, "xa-a", "gs2", LATER)
    assert later.topic == 4 and "gs1" in later.explanation_vi[0]
    # Another commune's routing of the same text is the rules' alone.
    elsewhere = await _route(deps, "xa-b", "gs2", LATER)
    assert elsewhere.topic == classify(LATER, RULES).topic != 4


def test_a_sure_regression_that_agrees_with_a_remembered_item_cites_it():
    dumps = [
        DUMP,
        "Gò Sặt lại đốt rác cả đêm, khói bay vô nhà, người già ho.",
        "Khói Gò Sặt bay qua ấp Mới, con nít ho hoài.",
        "Gò Sặt đốt rác nữa, xã coi lại giùm bà con.",
    ]
    examples = _confirmed(40) + [
        Example(f"GS{n}", text, 4, "phong-kinh-te", classify(text, RULES).topic)
        for n, text in enumerate(dumps)
    ]
    assert examples[40].corrected  # the rules did not place the first one
    model = fit("demo", 2, examples)
    decision = _decision(LATER)
    regression, _ = model.predict(LATER, decision.topic)  # type: ignore[union-attr]
    assert regression.label == "4" and regression.probability >= 0.5 and regression.remembered is not None
    out = blend(
        decision, model, 44, Policy(min_examples=30), demo_commune(), demo_dialogue(), review_threshold=0.5
    )
    assert out.topic == 4
    assert f"giống mục {regression.remembered.neighbour} cán bộ xã đã xếp)" in out.explanation_vi[0]
