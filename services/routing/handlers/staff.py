"""What staff do with routing's decisions: read them, change them (reclassify, reassign,
confirm, merge, split: each a new revision with its audit entry, its event and the commune's
learning example), record the answer (an example too), and edit the commune's rules."""

from __future__ import annotations

import logging
from typing import Any

from services.routing.changes import ChangeIn, apply_change
from services.routing.handlers.learning import learn_from_revision
from services.routing.handlers.ports import Doc, OfficeScope, RoutingDeps, RuleBook
from services.routing.logic import explained, with_recurrence
from services.routing.recurrence import Match, summarise
from services.routing.repeat_index import recurrence
from services.routing.repeats import candidate_from
from shared.clock import iso, utcnow
from shared.contracts import Envelope, RoutingChange, SubmissionRoutedV1
from shared.ids import new_id

log = logging.getLogger(__name__)

# Rule-set errors `RuleBook.replace` raises for a rule set it refuses.
INVALID_RULES = (ValueError, KeyError, TypeError, AttributeError)
# Attempts at recording an answer while the decision is being revised by someone else.
ANSWER_RACES = 5


class NotFound(LookupError):
    """Unknown commune or submission (or one outside the caller's office)."""


class Conflict(Exception):
    """The change cannot apply to the stored state; `code` names why."""

    def __init__(self, code: str, vi: str, en: str) -> None:
        super().__init__(en)
        self.code, self.vi, self.en = code, vi, en


DIALOGUE_GONE = (
    "dialogue_gone",
    "Đợt đối thoại của ý kiến này không còn.",
    "The submission's dialogue no longer exists.",
)
DECISION_CHANGED = (
    "decision_changed",
    "Quyết định vừa được người khác sửa; tải lại rồi thử lại.",
    "The decision changed meanwhile; reload and retry.",
)


async def review_queue(deps: RoutingDeps, commune_id: str) -> list[Doc]:
    """Classifications the Party office should look at (low confidence), oldest first."""
    return await with_explanations(deps, commune_id, await deps.decisions.review_queue(commune_id))


async def with_explanations(deps: RoutingDeps, commune_id: str, docs: list[Doc]) -> list[Doc]:
    """Decisions stored before they carried `explanation_vi` get one built from their text; the
    others are returned as stored."""
    if all(d.get("explanation_vi") for d in docs):
        return docs
    commune = await deps.directory.commune(commune_id)
    if commune is None:
        return docs
    rules = await deps.rules.for_commune(commune_id)
    out = []
    for doc in docs:
        dialogue = (
            None
            if doc.get("explanation_vi")
            else await deps.directory.dialogue(commune_id, doc["dialogue_id"])
        )
        out.append(explained(doc, commune, dialogue, rules) if dialogue is not None else doc)
    return out


async def decision_with_changes(
    deps: RoutingDeps, commune_id: str, submission_id: str, scope: OfficeScope | None = None
) -> tuple[Doc, list[Doc]]:
    """The stored decision and every change made to it, in order; NotFound outside `scope`."""
    doc = await deps.decisions.get(commune_id, submission_id)
    if doc is None or (scope is not None and not scope.admits(doc)):
        raise NotFound(submission_id)
    [doc] = await with_explanations(deps, commune_id, [doc])
    return doc, await deps.decisions.change_log(commune_id, submission_id)


async def apply_routing_change(
    deps: RoutingDeps, commune_id: str, submission_id: str, change: ChangeIn, author: str
) -> SubmissionRoutedV1:
    """The next revision of a decision after a staff change, stored with its audit entry and
    published. NotFound, `ChangeRejected` (the change does not fit the commune or plan) or
    Conflict (the dialogue is gone, or someone revised the decision meanwhile)."""
    change = change.model_copy(update={"by": author})
    doc = await deps.decisions.get(commune_id, submission_id)
    commune = await deps.directory.commune(commune_id)
    if doc is None or commune is None:
        raise NotFound(submission_id)
    dialogue = await deps.directory.dialogue(commune_id, doc["dialogue_id"])
    if dialogue is None:
        raise Conflict(*DIALOGUE_GONE)
    current = SubmissionRoutedV1.model_validate(doc)
    target_doc = None
    if change.action == "merge" and change.into and change.into != submission_id:
        target_doc = await deps.decisions.get(commune_id, change.into)
    target = SubmissionRoutedV1.model_validate(target_doc) if target_doc else None
    revised = apply_change(current, change, commune, dialogue, target=target)
    if target_doc is not None and change.action == "merge":
        cluster = await deps.decisions.cluster(commune_id, revised.cluster_id or submission_id)
        year = doc.get("year") or dialogue.year
        match = Match(candidate_from(target_doc), 1.0)
        repeat = (
            recurrence(submission_id, year, match, cluster)
            if cluster is not None
            else summarise(submission_id, year, match, ())
        )
        revised = with_recurrence(revised, repeat)
    envelope = Envelope.wrap(revised, commune_id=commune_id, correlation_id=new_id())
    before = {k: doc.get(k) for k in ("topic", "office_id", "authority_level", "cluster_id")}
    audit: dict[str, Any] = {
        "action": change.action,
        "by": change.by,
        "reason": change.reason,
        "note_to_resident": change.note_to_resident,
        "at": iso(utcnow()),
        "revision": revised.revision,
        "before": before,
        "after": {k: getattr(revised, k) for k in before},
    }
    if not await deps.decisions.revise(revised, envelope, current.revision, audit):
        raise Conflict(*DECISION_CHANGED)
    await _learn(deps, commune_id, revised)
    try:
        await deps.events.flush(commune_id, submission_id)
    except Exception:  # stored: the outbox relay publishes it
        log.warning("routing change stored, event left to the relay", extra={"submission_id": submission_id})
    return revised


async def record_answer(
    deps: RoutingDeps,
    commune_id: str,
    submission_id: str,
    text: str,
    author: str,
    scope: OfficeScope | None = None,
) -> None:
    """Record the answer given: a new revision of the decision (change `answered`, the office
    kept) carrying it, stored with its event so that intake's tracking page and reporting's
    documents learn it; later repeats of the issue carry it too. NotFound outside `scope`;
    Conflict when the decision keeps changing meanwhile."""
    for _ in range(ANSWER_RACES):
        doc = await deps.decisions.get(commune_id, submission_id)
        if doc is None or (scope is not None and not scope.admits(doc)):
            raise NotFound(submission_id)
        current = SubmissionRoutedV1.model_validate(doc)
        revised = current.model_copy(
            update={
                "answer": text,
                "revision": current.revision + 1,
                "change": RoutingChange.ANSWERED,
                "changed_by": author,
                "reason": None,
                "note_to_resident": None,
                "previous_office_id": None,
            }
        )
        envelope = Envelope.wrap(revised, commune_id=commune_id, correlation_id=new_id())
        if await deps.decisions.record_answer(revised, envelope, current.revision, author):
            break
    else:
        raise Conflict(*DECISION_CHANGED)
    await _learn(deps, commune_id, revised)
    try:
        await deps.events.flush(commune_id, submission_id)
    except Exception:  # stored: the outbox relay publishes it
        log.warning("answer stored, event left to the relay", extra={"submission_id": submission_id})


async def _learn(deps: RoutingDeps, commune_id: str, revised: SubmissionRoutedV1) -> None:
    """The stored revision becomes the commune's example. The revision stands whatever happens
    here: a store error loses this example only, and is logged."""
    try:
        await learn_from_revision(deps, commune_id, revised)
    except Exception:
        log.warning(
            "routing change stored, its learning example not",
            extra={"submission_id": revised.submission_id, "revision": revised.revision},
            exc_info=True,
        )


async def replace_rules(deps: RoutingDeps, book: RuleBook, commune_id: str, rules: Doc, author: str) -> int:
    """Store a new version of the commune's rules (a refused rule set raises one of
    INVALID_RULES); its number."""
    if await deps.directory.commune(commune_id) is None:
        raise NotFound(commune_id)
    return await book.replace(commune_id, rules, author)


async def reset_rules(book: RuleBook, commune_id: str) -> None:
    """Back to the built-in rules."""
    await book.reset(commune_id)


async def rules_document(book: RuleBook, commune_id: str) -> Doc:
    """The commune's rules (or the built-in default), with their version and author."""
    return await book.document(commune_id)
