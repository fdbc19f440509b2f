"""Learning from the office: each staff change to a decision (confirm, reclassify, reassign,
merge, split) and each answer recorded on it (the office answered under the topic it left)
becomes a labelled example of its commune, stored by the staff use case that made the
revision (`handlers/staff.py`: routed items that no person touched are not examples, so the
learning takes no message per item); the commune is retrained once its corrections pause
(`retrain_due`, run by the service's background loop); a model is activated
only if, held out on the commune's own examples, it routes at least as well as the rules; staff
can roll the active model back. Nothing here reads or writes another commune's data."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from typing import Any

from services.routing.classifier import RuleSet, classify
from services.routing.handlers.ports import Doc, RoutingDeps
from services.routing.learning import Learning, Policy
from services.routing.learning.blend import blend
from services.routing.learning.model import CommuneModel, Example, fit, held_out, speaking
from shared.contracts import RoutingChange, SubmissionRoutedV1
from shared.directory import Commune, Dialogue

log = logging.getLogger(__name__)

# Every revision made by a person: the topic and office it carries are the office's word.
LEARNED = frozenset(
    {
        RoutingChange.ANSWERED,
        RoutingChange.CONFIRMED,
        RoutingChange.RECLASSIFIED,
        RoutingChange.REASSIGNED,
        RoutingChange.MERGED,
        RoutingChange.SPLIT,
    }
)


class NoModel(LookupError):
    """No model to roll back to or activate."""


@dataclass(frozen=True)
class Training:
    commune_id: str
    examples: int
    version: int | None  # None: too few examples or topics, nothing stored
    activated: bool
    rules_accuracy: float
    held_out_accuracy: float  # the blend's accuracy on examples the model was not trained on
    model_accuracy: float  # the model alone, held out


async def blended(
    learning: Learning,
    commune: Commune,
    dialogue: Dialogue,
    decision: SubmissionRoutedV1,
    *,
    review_threshold: float,
) -> SubmissionRoutedV1:
    """The rules' decision, unless the commune's own model has learnt enough to decide."""
    active = await learning.cache.get(commune.id)
    return blend(
        decision,
        active.model,
        active.state.examples,
        learning.policy,
        commune,
        dialogue,
        review_threshold=review_threshold,
    )


async def learn_from_revision(deps: RoutingDeps, commune_id: str, revised: SubmissionRoutedV1) -> bool:
    """A revision made by a person (`LEARNED`), just stored by a staff use case -> the
    commune's example for that submission (replacing the one of an earlier revision; an older
    revision never replaces a later one) and a pending retraining, which the background job
    (`retrain_due`) runs once the commune's corrections pause. False: nothing stored (an
    automatic decision, learning off, or a later revision already learnt)."""
    learning = deps.learning
    if learning is None or revised.change not in LEARNED:
        return False
    example = Example(revised.submission_id, revised.text, revised.topic, revised.office_id)
    return await learning.store.put_example(commune_id, example, revised.revision, time.time())


async def retrain_due(deps: RoutingDeps, now: float | None = None) -> list[Training]:
    """Retrain every commune whose corrections paused for the debounce time."""
    learning = deps.learning
    if learning is None:
        return []
    now = time.time() if now is None else now
    done = []
    for state in await learning.store.pending(arrived_before=now - learning.debounce_s):
        if await learning.store.claim(state):
            try:
                done.append(await retrain(deps, state.commune_id))
            except Exception:
                log.exception("retraining failed", extra={"commune_id": state.commune_id})
    return done


def _evaluate(examples: list[Example], policy: Policy) -> tuple[float, float, float]:
    """Accuracy on the examples of the rules, the blend (model held out) and the model alone."""
    rules_topics = [e.rules_topic for e in examples]
    predictions = held_out(examples)
    rules_ok = blend_ok = model_ok = 0
    for example, rules_topic, p in zip(examples, rules_topics, predictions, strict=True):
        rules_ok += rules_topic == example.topic
        spoke = speaking(p, policy.confidence)  # as `blend` decides
        chosen = int(spoke.label) if spoke is not None else rules_topic
        blend_ok += chosen == example.topic
        model_ok += p is not None and int(p.label) == example.topic
    n = len(examples) or 1
    return rules_ok / n, blend_ok / n, model_ok / n


def _train(
    commune_id: str, examples: list[Example], rules: RuleSet, policy: Policy
) -> tuple[CommuneModel | None, tuple[float, float, float]]:
    examples = [replace(e, rules_topic=classify(e.text, rules).topic) for e in examples]
    return fit(commune_id, 0, examples), _evaluate(examples, policy)


async def retrain(deps: RoutingDeps, commune_id: str, *, in_thread: bool = True) -> Training:
    """Train the commune's model on its examples, store it as a new version, and activate it if
    its held-out accuracy is not below the rules' on the same examples."""
    learning = deps.learning
    if learning is None:
        raise NoModel(commune_id)
    examples = await learning.store.examples(commune_id, learning.max_examples)
    rules = await deps.rules.for_commune(commune_id)
    if len(examples) < learning.policy.min_examples:
        return Training(commune_id, len(examples), None, False, 0.0, 0.0, 0.0)
    args = (commune_id, examples, rules, learning.policy)
    model, (rules_acc, blend_acc, model_acc) = (
        await asyncio.to_thread(_train, *args) if in_thread else _train(*args)
    )
    if model is None:
        return Training(commune_id, len(examples), None, False, rules_acc, blend_acc, model_acc)
    activate = blend_acc >= rules_acc
    doc: dict[str, Any] = {
        "examples": len(examples),
        "digest": model.digest,
        "trained_at": time.time(),
        "rules_accuracy": round(rules_acc, 4),
        "held_out_accuracy": round(blend_acc, 4),
        "model_accuracy": round(model_acc, 4),
        "refused": not activate,
    }
    version = await learning.store.save_model(commune_id, doc | {"model": None})
    stored = replace(model, version=version)
    await learning.store.put_weights(commune_id, version, stored.to_doc())
    if activate:
        state = await learning.store.state(commune_id)
        previous = state.previous + ((state.active_version,) if state.active_version is not None else ())
        await learning.store.set_active(commune_id, version, previous[-20:])
        learning.cache.invalidate(commune_id)
    log.info(
        "commune model trained",
        extra={
            "commune_id": commune_id,
            "version": version,
            "activated": activate,
            "examples": len(examples),
        },
    )
    return Training(commune_id, len(examples), version, activate, rules_acc, blend_acc, model_acc)


async def rollback_model(deps: RoutingDeps, commune_id: str) -> int | None:
    """Back to the version active before the current one (None: the rules alone)."""
    learning = deps.learning
    if learning is None:
        raise NoModel(commune_id)
    state = await learning.store.state(commune_id)
    if state.active_version is None:
        raise NoModel(commune_id)
    back = state.previous[-1] if state.previous else None
    await learning.store.set_active(commune_id, back, state.previous[:-1])
    learning.cache.invalidate(commune_id)
    return back


async def activate_model(deps: RoutingDeps, commune_id: str, version: int | None) -> None:
    """Make a stored version active (None: the rules alone), whatever its held-out figures."""
    learning = deps.learning
    if learning is None:
        raise NoModel(commune_id)
    state = await learning.store.state(commune_id)
    if version is not None and await learning.store.model(commune_id, version) is None:
        raise NoModel(f"{commune_id} v{version}")
    previous = state.previous + ((state.active_version,) if state.active_version is not None else ())
    await learning.store.set_active(commune_id, version, previous[-20:])
    learning.cache.invalidate(commune_id)


async def model_status(deps: RoutingDeps, commune_id: str) -> Doc:
    """The commune's examples count, active version, rollback path and stored versions."""
    learning = deps.learning
    if learning is None:
        raise NoModel(commune_id)
    state = await learning.store.state(commune_id)
    return {
        "commune_id": commune_id,
        "examples": state.examples,
        "active_version": state.active_version,
        "previous_versions": list(state.previous),
        "retraining_pending": state.pending_at is not None,
        "min_examples": learning.policy.min_examples,
        "confidence": learning.policy.confidence,
        "models": await learning.store.models(commune_id),
    }
