"""Score the offline classifier on a labelled JSON-lines file (``make eval``).

Usage: ``.venv/bin/python -m scripts.evaluate [path]``; the default path is the sample beside
the repository (``../shared/domain/sample-submissions.jsonl``). Lines are classified in file
order with :func:`services.routing.batch.classify_stream`, so earlier lines are history for
later ones, and one JSON object with the scores is printed.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Sequence

from services.demo.seed import demo_commune, demo_dialogue
from services.routing.batch import classify_stream
from services.routing.classifier import RuleSet

REPO = Path(__file__).resolve().parents[1]
DEFAULT_PATH = REPO.parent / "shared" / "domain" / "sample-submissions.jsonl"
LEVELS = {"xã": "commune", "tỉnh": "province", "trung ương": "central"}


def _ratio(hits: int, total: int) -> float | None:
    return round(hits / total, 4) if total else None


def _macro_f1(pairs: Sequence[tuple[int, int]]) -> float:
    labels = sorted({gold for gold, _ in pairs})
    scores = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return round(sum(scores) / len(scores), 4) if scores else 0.0


def evaluate(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    outputs = list(
        classify_stream(items, commune=demo_commune(), dialogue=demo_dialogue(), rules=RuleSet.load_default())
    )
    n = len(items)
    topics = [(gold["topic"], out.get("topic")) for gold, out in zip(items, outputs)]
    gold_dups = {(g["id"], g["duplicate_of"]) for g in items if g.get("duplicate_of")}
    found_dups = {(o["id"], o["duplicate_of"]) for o in outputs if o.get("duplicate_of")}
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
        "errors": sum(1 for o in outputs if "error" in o),
        "topic_accuracy": _ratio(sum(g == p for g, p in topics), n),
        "topic_macro_f1": _macro_f1(topics),
        "secondary_topic_accuracy": _ratio(
            sum(g.get("secondary_topic") == o.get("secondary_topic") for g, o in zip(items, outputs)), n
        ),
        "authority_accuracy": _ratio(
            sum(
                LEVELS.get(g.get("authority_level"), g.get("authority_level")) == o.get("authority_level")
                for g, o in zip(items, outputs)
            ),
            n,
        ),
        "office_accuracy": _ratio(
            sum(g.get("responsible_office") == o.get("office") for g, o in zip(items, outputs)), n
        ),
        "duplicate_pairs": len(gold_dups),
        "duplicate_precision": _ratio(len(gold_dups & found_dups), len(found_dups)),
        "duplicate_recall": _ratio(len(gold_dups & found_dups), len(gold_dups)),
        "recurring_accuracy": _ratio(
            sum(
                bool(g.get("recurring_claim") or g.get("duplicate_of")) == bool(o.get("recurring"))
                for g, o in zip(items, outputs)
            ),
            n,
        ),
        "per_topic": per_topic,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    path = Path(args[0]) if args else DEFAULT_PATH
    if not path.is_file():
        print(f"evaluate: no such file {path}", file=sys.stderr)
        return 2
    with path.open(encoding="utf-8") as handle:
        items = [json.loads(line) for line in handle if line.strip()]
    print(json.dumps(evaluate(items), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
