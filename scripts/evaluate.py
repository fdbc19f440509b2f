"""Score the offline classifier on labelled JSON-lines sets (``make eval``).

Usage: ``.venv/bin/python -m scripts.evaluate [--misses] [path ...]``. Without paths it scores the shared
sample beside the repository (``../shared/domain/sample-submissions.jsonl``) and every
development-corpus file ``tests/data/corpus/*.jsonl`` (see tests/data/corpus/README.md).

Lines are classified with :func:`services.routing.batch.classify_stream`, so earlier lines are
history for later ones. A file whose lines carry ``split`` ("tune" / "test") is scored per split:
each split is its own stream (a repeat is linked only within its split) and the whole file's
figures pool the two splits' outputs. ``corpus`` pools the corpus files per split: the test
figures there are the ones issue 18's acceptance reads. One JSON object is printed.

Beside the rules-only ``corpus.test``, ``corpus.test_with_model`` routes the same test streams
through the rules blended with a per-commune model (services/routing/learning/) that the demo
commune learnt from its office's review of the tune items only: each tune item confirmed or
corrected to its label through routing's staff change, learnt and retrained by routing's own
use cases with the product's settings (DOITHOAI_LEARNING_*). No test label reaches training or
the settings; ``corpus.tune_cv`` is the tune part's cross-validation the settings are judged on.

Figures: topic accuracy (and macro F1), above-commune precision / recall / F1 (gold
``beyond_commune_authority`` against a predicted level other than the commune), authority-level
and office accuracy, repeats precision / recall. A repeat counts as found when the predicted
``duplicate_of`` lies in the same gold repeat group (an item and every item whose
``duplicate_of`` chain leads to it), so a triple linked to its middle item is still right.
``--misses`` adds, per set and split, the ids each figure got wrong (for reading the tune part;
the test part is for measuring, never for tuning).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from services.demo.seed import demo_commune, demo_dialogue
from services.routing.batch import REVIEW_THRESHOLD, classify_stream
from services.routing.changes import ChangeIn
from services.routing.classifier import RuleSet
from services.routing.classifier import classify as rules_classify
from services.routing.handlers import (
    RoutingDeps,
    Training,
    activate_model,
    apply_routing_change,
    retrain,
    route,
)
from services.routing.learning import Learning, ModelCache, Policy
from services.routing.learning.model import (
    MEMORY_THRESHOLD,
    Example,
    held_out_by_threshold,
    neighbour_agreement,
    speaking,
)
from services.routing.learning.store import InMemoryLearningStore
from services.routing.memory import FixedRules, InMemoryDecisions, InMemoryDirectory, RecordedEvents
from services.routing.settings import RoutingSettings
from shared.contracts import Envelope, Kind, Source, SubmissionReceivedV1

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PATH = REPO.parent / "shared" / "domain" / "sample-submissions.jsonl"
CORPUS_DIR = REPO / "tests" / "data" / "corpus"
SPLITS = ("tune", "test")
LEVELS = {"xã": "commune", "tỉnh": "province", "trung ương": "central"}

Item = dict[str, Any]
Scored = list[tuple[Item, Item]]  # (gold line, classifier output), in stream order


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _f1(precision: float | None, recall: float | None) -> float | None:
    if precision is None or recall is None:
        return None
    return round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0


def _macro_f1(pairs: Sequence[tuple[Any, Any]]) -> float:
    labels = sorted({gold for gold, _ in pairs})
    scores = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return round(sum(scores) / len(scores), 4) if scores else 0.0


def classify(items: Sequence[Item], learning: Learning | None = None) -> Scored:
    """Each gold line with the classifier's output, the lines routed as one stream in order
    (with `learning`: the rules blended with the commune's active model)."""
    outputs = classify_stream(
        items,
        commune=demo_commune(),
        dialogue=demo_dialogue(),
        rules=RuleSet.load_default(),
        learning=learning,
    )
    return list(zip(items, outputs, strict=True))


def repeat_groups(items: Iterable[Item]) -> dict[str, str]:
    """Gold repeat group of every id: the root reached by following ``duplicate_of``."""
    parent = {str(g["id"]): g.get("duplicate_of") for g in items}

    def root(item_id: str) -> str:
        seen: set[str] = set()
        while parent.get(item_id) and item_id not in seen:
            seen.add(item_id)
            item_id = str(parent[item_id])
        return item_id

    return {item_id: root(item_id) for item_id in parent}


def _gold_level(gold: Item) -> str | None:
    """The gold authority level in the classifier's vocabulary (commune / province / central)."""
    level = gold.get("authority_level")
    return LEVELS.get(level, level) if isinstance(level, str) else None


def _gold_above(gold: Item) -> bool:
    if "beyond_commune_authority" in gold:
        return bool(gold["beyond_commune_authority"])
    return _gold_level(gold) not in (None, "commune")


def score(scored: Scored) -> dict[str, Any]:
    """The figures of classified lines (one stream, or several streams pooled)."""
    n = len(scored)
    topics = [(gold["topic"], out.get("topic")) for gold, out in scored]
    above = [(_gold_above(gold), _predicted_above(out)) for gold, out in scored]
    tp = sum(1 for g, p in above if g and p)
    above_precision = _ratio(tp, sum(1 for _, p in above if p))
    above_recall = _ratio(tp, sum(1 for g, _ in above if g))
    groups = repeat_groups(gold for gold, _ in scored)
    gold_repeats = [gold for gold, _ in scored if gold.get("duplicate_of")]
    found = [(gold, out) for gold, out in scored if out.get("duplicate_of")]
    right = [
        (gold, out)
        for gold, out in found
        if groups.get(str(out["duplicate_of"]), str(out["duplicate_of"])) == groups[str(gold["id"])]
    ]
    per_topic: dict[str, dict[str, int]] = {}
    gold_count, pred_count = Counter(g for g, _ in topics), Counter(p for _, p in topics)
    for label in sorted(set(gold_count) | set(pred_count), key=lambda t: (t is None, t)):
        per_topic[str(label)] = {
            "gold": gold_count[label],
            "predicted": pred_count[label],
            "correct": sum(1 for g, p in topics if g == p == label),
        }
    return {
        "items": n,
        "errors": sum(1 for _, out in scored if "error" in out),
        "topic_accuracy": _ratio(sum(g == p for g, p in topics), n),
        "topic_macro_f1": _macro_f1(topics),
        "secondary_topic_accuracy": _ratio(
            sum(g.get("secondary_topic") == o.get("secondary_topic") for g, o in scored), n
        ),
        "above_commune_gold": sum(1 for g, _ in above if g),
        "above_commune_predicted": sum(1 for _, p in above if p),
        "above_commune_precision": above_precision,
        "above_commune_recall": above_recall,
        "above_commune_f1": _f1(above_precision, above_recall),
        "authority_accuracy": _ratio(sum(_gold_level(g) == o.get("authority_level") for g, o in scored), n),
        "office_accuracy": _ratio(sum(g.get("responsible_office") == o.get("office") for g, o in scored), n),
        "duplicate_pairs": len(gold_repeats),
        "duplicate_precision": _ratio(len(right), len(found)),
        "duplicate_recall": _ratio(
            sum(1 for gold, _ in right if gold.get("duplicate_of")), len(gold_repeats)
        ),
        "recurring_accuracy": _ratio(
            sum(
                bool(g.get("recurring_claim") or g.get("duplicate_of")) == bool(o.get("recurring"))
                for g, o in scored
            ),
            n,
        ),
        "per_topic": per_topic,
    }


def _predicted_above(out: Item) -> bool:
    return out.get("authority_level", "commune") != "commune"


def misses(scored: Scored) -> dict[str, list[Any]]:
    """The ids each figure got wrong: topic, above-commune both ways, office, repeats."""
    groups = repeat_groups(gold for gold, _ in scored)

    def linked_right(gold: Item, out: Item) -> bool:
        target = out.get("duplicate_of")
        return target is not None and groups.get(str(target), str(target)) == groups[str(gold["id"])]

    return {
        "topic": [g["id"] for g, o in scored if g["topic"] != o.get("topic")],
        "above_commune_missed": [g["id"] for g, o in scored if _gold_above(g) and not _predicted_above(o)],
        "above_commune_extra": [g["id"] for g, o in scored if not _gold_above(g) and _predicted_above(o)],
        "office": [g["id"] for g, o in scored if g.get("responsible_office") != o.get("office")],
        "repeat_missed": [g["id"] for g, o in scored if g.get("duplicate_of") and not linked_right(g, o)],
        "repeat_wrong": [g["id"] for g, o in scored if o.get("duplicate_of") and not linked_right(g, o)],
    }


def evaluate(items: Sequence[Item]) -> dict[str, Any]:
    """Figures of one labelled set routed as a single stream (a set without splits)."""
    return score(classify(items))


def classify_by_split(items: Sequence[Item]) -> dict[str, Scored]:
    """Each split of a set routed as its own stream (repeats link only within a split)."""
    return {split: classify([g for g in items if g.get("split") == split]) for split in SPLITS}


def evaluate_set(
    items: Sequence[Item], *, with_misses: bool = False
) -> tuple[dict[str, Any], dict[str, Scored]]:
    """Figures of one file: as one stream without splits; with splits, per split and pooled."""
    if not any("split" in g for g in items):
        scored = classify(items)
        figures = score(scored)
        if with_misses:
            figures["misses"] = misses(scored)
        return figures, {}
    streams = classify_by_split(items)
    unsplit = [g for g in items if g.get("split") not in SPLITS]
    figures = score([pair for split in SPLITS for pair in streams[split]])
    if unsplit:
        figures["without_split"] = len(unsplit)
    for split in SPLITS:
        figures[split] = score(streams[split])
        if with_misses:
            figures[split]["misses"] = misses(streams[split])
    return figures, streams


STAFF = "evaluate-office"
# Confidence thresholds the tune part's cross-validation compares (the product's default among them).
CV_CONFIDENCES = (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
# Similarity thresholds of the model's memory of corrections the cross-validation compares
# (above 1: no memory).
CV_MEMORY_THRESHOLDS = (0.3, 0.35, 0.4, 0.5, 0.6, 1.01)


@dataclass(frozen=True)
class Learned:
    """The demo commune after its office reviewed a stream: its learning (store, model cache,
    policy), the product's training outcome, and the examples the model was trained on."""

    learning: Learning
    deps: RoutingDeps
    training: Training
    examples: tuple[Example, ...]
    splits: dict[str, Any]  # the reviewed items' ``split``, by id


def default_policy() -> Policy:
    """When the model may speak: the product's settings (DOITHOAI_LEARNING_*)."""
    settings = RoutingSettings()
    return Policy(min_examples=settings.learning_min_examples, confidence=settings.learning_confidence)


async def _review(items: Sequence[Item], policy: Policy) -> Learned:
    commune, dialogue = demo_commune(), demo_dialogue()
    store = InMemoryLearningStore()
    learning = Learning(store, ModelCache(store, state_ttl_s=0), policy)
    # The office reviews the rules' decisions; its changes feed the commune's learning.
    deps = RoutingDeps(
        decisions=InMemoryDecisions(),
        events=RecordedEvents(),
        directory=InMemoryDirectory([commune], [dialogue]),
        rules=FixedRules(RuleSet.load_default()),
        review_threshold=REVIEW_THRESHOLD,
    )
    learner = replace(deps, learning=learning)
    office_ids = {o.name: o.id for o in commune.offices}
    for item in items:
        item_id = str(item["id"])
        hamlet = item.get("hamlet")
        received = SubmissionReceivedV1(
            submission_id=item_id,
            dialogue_id=dialogue.id,
            tracking_code=item_id,
            source=Source.CITIZEN,
            kind=Kind.OPINION,
            text=item["text"],
            hamlet=hamlet if isinstance(hamlet, str) and hamlet.strip() else None,
            received_at=datetime.now(timezone.utc),
        )
        envelope = Envelope.wrap(received, commune_id=commune.id, correlation_id=item_id)
        decision = (await route(deps, envelope, received)).decision
        office_id = office_ids.get(str(item.get("responsible_office")))
        if decision.topic == item["topic"] and office_id in (None, decision.office_id):
            change = ChangeIn(action="confirm", reason="Đúng phân loại")
        else:
            change = ChangeIn(
                action="reclassify", topic=item["topic"], office_id=office_id, reason="Sửa phân loại"
            )
        # The change, made with learning on, stores the commune's example (routing stays the rules').
        await apply_routing_change(learner, commune.id, item_id, change, STAFF)
    training = await retrain(learner, commune.id, in_thread=False)
    examples = await store.examples(commune.id, learning.max_examples)
    splits = {str(item["id"]): item.get("split") for item in items}
    return Learned(learning, learner, training, tuple(examples), splits)


def learn(items: Sequence[Item], policy: Policy | None = None) -> Learned:
    """The demo commune whose office confirmed or corrected every item of `items` (to its label)
    through routing's staff change, which stores each change as the commune's example,
    then retrained once (`handlers.retrain`, which activates the model only if, held out on these
    examples, the blend is not below the rules)."""
    return asyncio.run(_review(items, policy or default_policy()))


def with_model(learned: Learned, streams: Sequence[Sequence[Item]]) -> dict[str, Any]:
    """Figures of `streams` (each routed as its own stream, then pooled, as ``corpus.test``) by
    the rules blended with the commune's active model (`blend`, the product's path), or by the
    rules alone where no model is active; ``model`` says which and what it was trained on."""
    t = learned.training
    commune_id = demo_commune().id
    active = asyncio.run(learned.learning.cache.get(commune_id)).state.active_version
    figures = score([pair for items in streams for pair in classify(items, learned.learning)])
    figures["model"] = {
        "trained_on_splits": sorted({str(learned.splits[e.submission_id]) for e in learned.examples}),
        "examples": t.examples,
        "version": t.version,
        "activated_by_retraining": t.activated,
        "active_version": active,
        "min_examples": learned.learning.policy.min_examples,
        "confidence": learned.learning.policy.confidence,
        # The product's own held-out check on the training examples (5 folds), which decides
        # activation: the blend must not be below the rules.
        "tune_cv_rules_accuracy": round(t.rules_accuracy, 4),
        "tune_cv_blend_accuracy": round(t.held_out_accuracy, 4),
        "tune_cv_model_accuracy": round(t.model_accuracy, 4),
    }
    return figures


def activated(learned: Learned) -> Learned:
    """The same commune with its stored model made active anyway (what a manager can do with
    `POST …/routing/model/activate`): what the blend gives where the product refused it."""
    if learned.training.version is not None and not learned.training.activated:
        asyncio.run(activate_model(learned.deps, demo_commune().id, learned.training.version))
    return learned


def tune_cross_validation(learned: Learned) -> dict[str, Any]:
    """Topic accuracy on the training examples, each predicted by a model trained without it
    (the product's held-out check, 5 folds): the rules, the model alone, and the blend's rule (the
    model where it is at least as sure as the confidence, else a remembered correction at the
    product's similarity threshold, else the rules; `speaking`) per confidence; and per memory
    threshold,
    the blend at the product's confidence, how often the memory decided and was right, and how
    often an example's most similar other example shares its topic. Settings are chosen here,
    never on the test part. The rules were tuned on these items, so their figure here is
    optimistic."""
    rules = RuleSet.load_default()
    examples = [replace(e, rules_topic=rules_classify(e.text, rules).topic) for e in learned.examples]
    by_threshold = held_out_by_threshold(examples, sorted({MEMORY_THRESHOLD, *CV_MEMORY_THRESHOLDS}))
    predictions = by_threshold[MEMORY_THRESHOLD]
    n = len(examples) or 1
    confidence_now = learned.learning.policy.confidence

    def chosen(p: Any, e: Example, confidence: float) -> int:
        spoke = speaking(p, confidence)
        return int(spoke.label) if spoke is not None else e.rules_topic

    def blend_accuracy(confidence: float, preds: Sequence[Any] = predictions) -> float:
        right = sum(chosen(p, e, confidence) == e.topic for e, p in zip(examples, preds, strict=True))
        return round(right / n, 4)

    def memory(preds: Sequence[Any]) -> dict[str, int]:
        spoke = [(speaking(p, confidence_now), e) for p, e in zip(preds, examples, strict=True)]
        fired = [(s, e) for s, e in spoke if s is not None and s.neighbour is not None]
        return {"decided": len(fired), "right": sum(int(s.label) == e.topic for s, e in fired)}

    agreement = neighbour_agreement(examples, CV_MEMORY_THRESHOLDS)
    return {
        "examples": len(examples),
        "corrected_examples": sum(e.corrected for e in examples),
        "rules_accuracy": round(sum(e.rules_topic == e.topic for e in examples) / n, 4),
        "model_accuracy": round(
            sum(p is not None and int(p.label) == e.topic for e, p in zip(examples, predictions, strict=True))
            / n,
            4,
        ),
        "memory_threshold": MEMORY_THRESHOLD,
        "blend_accuracy_by_confidence": {str(c): blend_accuracy(c) for c in CV_CONFIDENCES},
        "by_memory_threshold": {
            str(t): {
                "blend_accuracy": blend_accuracy(confidence_now, by_threshold[t]),
                **memory(by_threshold[t]),
                "nearest_same_topic": list(agreement[t]),
            }
            for t in CV_MEMORY_THRESHOLDS
        },
    }


def load(path: Path) -> list[Item]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def corpus_paths() -> list[Path]:
    return sorted(CORPUS_DIR.glob("*.jsonl"))


def report(paths: Sequence[Path], *, with_misses: bool = False) -> dict[str, Any]:
    """``sets``: figures per file (and per split); ``corpus``: the split files pooled per split."""
    sets: dict[str, Any] = {}
    pooled: dict[str, Scored] = {split: [] for split in SPLITS}
    tests: list[list[Item]] = []  # each file's test stream, as ``corpus.test`` routes them
    for path in paths:
        figures, streams = evaluate_set(load(path), with_misses=with_misses)
        sets[path.stem] = figures
        for split, pairs in streams.items():
            pooled[split].extend(pairs)
        if streams.get("test"):
            tests.append([g for g, _ in streams["test"]])
    result: dict[str, Any] = {"sets": sets}
    if any(pooled.values()):
        result["corpus"] = {split: score(pairs) for split, pairs in pooled.items()}
    if pooled["tune"] and pooled["test"]:
        result["corpus"].update(model_figures([g for g, _ in pooled["tune"]], tests))
    return result


def model_figures(tune: Sequence[Item], tests: Sequence[Sequence[Item]]) -> dict[str, Any]:
    """The test streams routed by the rules and a model the demo commune learnt from its office's
    review of the tune items (never a test label), with the product's settings:
    ``test_with_model`` as the product does it (the model speaks only if retraining activated
    it), ``test_with_model_activated`` when retraining refused it but a manager activated it
    anyway, and ``tune_cv``, the tune part's cross-validation that settings are chosen on."""
    learned = learn(tune)
    figures = {"test_with_model": with_model(learned, tests), "tune_cv": tune_cross_validation(learned)}
    if learned.training.version is not None and not learned.training.activated:
        figures["test_with_model_activated"] = with_model(activated(learned), tests)
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    with_misses = "--misses" in args
    args = [a for a in args if a != "--misses"]
    paths = [Path(a) for a in args] if args else [DEFAULT_PATH, *corpus_paths()]
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"evaluate: no such file {missing[0]}", file=sys.stderr)
        return 2
    print(json.dumps(report(paths, with_misses=with_misses), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
