"""Who owns what an item is about: the commune, the province or the centre (pure, no I/O).

After the 2025 reform (two-level government, DOMAIN.md §1) the commune answers for its own
roads, lanes, drains, markets, household land matters and local order; the province owns
provincial roads, land recovery and compensation (NĐ 49/2026), project and industrial plans,
large polluters, the land-registration office, utilities and social insurance; the centre owns
national highways, railways, national systems and laws.

An :class:`AuthorityRule` names one such object of ownership ("provincial road", "land
recovery") by the phrases that say the item is about it. The map is data (the ``authority`` list
of the rules JSON, stored per commune), tried in order: the first rule that applies decides.
A rule applies when

- one of its ``phrases`` occurs (folded words, "#" for a number, see the classifier),
- the item is about one of its ``topics`` (empty: any): the winning topic or, for a rule with
  ``near_topics``, any topic scoring at least ``authority_topic_ratio`` of the winner, so a
  road-compensation item counted as a road item still reaches the compensation rule (while a
  dump at a highway junction does not become the highway's business),
- one of ``requires_any`` occurs, if given (signs on a provincial road, not patrols on it),
- none of ``unless_any`` occurs (a hamlet's own cultural house is the commune's plan).

The decision keeps the phrase that fired and a Vietnamese reason ("Ngoài thẩm quyền xã: quốc
lộ 1A do Bộ Xây dựng / Cục Đường bộ Việt Nam quản lý") for the explanation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from shared.contracts import AuthorityLevel

__all__ = ["AuthorityDecision", "AuthorityRule", "COMMUNE_DECISION", "decide_authority"]

COMMUNE = AuthorityLevel.COMMUNE
OUTSIDE_PREFIX = "Ngoài thẩm quyền xã"


def _is_road_number(token: str) -> bool:
    return token[:1].isdigit() and len(token) <= 5


@dataclass(frozen=True)
class AuthorityRule:
    """One object of ownership above the commune and the phrases that name it."""

    name: str
    phrases: tuple[str, ...]
    level: AuthorityLevel
    body: str
    topics: frozenset[int] = frozenset()
    requires_any: tuple[str, ...] = ()
    unless_any: tuple[str, ...] = ()
    reason: str = ""  # Vietnamese, may hold "{trigger}" (the words as the resident wrote them)
    near_topics: bool = False  # also applies when one of `topics` comes close to the winner

    def signals(self) -> tuple[str, ...]:
        return self.phrases + self.requires_any + self.unless_any

    def applies(self, found: set[str], topics: frozenset[int] | int) -> str | None:
        """The phrase that triggers this rule, or None. `topics`: what the item is about."""
        about = frozenset({topics}) if isinstance(topics, int) else topics
        if self.topics and not (self.topics & about):
            return None
        if self.requires_any and not any(p in found for p in self.requires_any):
            return None
        if any(p in found for p in self.unless_any):
            return None
        return next((p for p in self.phrases if p in found), None)


@dataclass(frozen=True)
class AuthorityDecision:
    """The level that owns the item, the body that answers and why (structured for blending)."""

    level: AuthorityLevel
    body: str | None = None
    trigger: str | None = None  # folded phrase that fired, with a road number when one follows
    rule: str | None = None  # the rule's name ("national_road_works")
    reason_vi: str | None = None  # "Ngoài thẩm quyền xã: …", None for the commune

    @property
    def beyond_commune(self) -> bool:
        return self.level != COMMUNE


COMMUNE_DECISION = AuthorityDecision(COMMUNE)


def topics_in_play(scores: Mapping[int, float], topic: int, ratio: float) -> frozenset[int]:
    """The winning topic and every topic scoring at least `ratio` of the best score."""
    top = max(scores.values(), default=0.0)
    near = {t for t, s in scores.items() if top > 0 and s >= ratio * top}
    return frozenset({topic} | near)


def _trigger_with_number(tokens: Sequence[str], phrase: str) -> str:
    """ "quoc lo" -> "quoc lo 1a" when a road number follows the phrase in the text."""
    words = phrase.split()
    n = len(words)
    for i in range(len(tokens) - n):
        if list(tokens[i : i + n]) == words and _is_road_number(tokens[i + n]):
            return f"{phrase} {tokens[i + n]}"
    return phrase


def decide_authority(
    rules: Sequence[AuthorityRule],
    found: set[str],
    about: frozenset[int],
    tokens: Sequence[str],
    spell: Callable[[str], str] | None = None,
    *,
    near: frozenset[int] = frozenset(),
) -> AuthorityDecision:
    """The first rule that applies, or the commune. `about`: the winning topic(s); `near`: the
    topics close to it, for rules with `near_topics`. `spell` turns a folded phrase back into the
    resident's words for the reason (default: the folded phrase)."""
    for rule in rules:
        trigger = rule.applies(found, about | near if rule.near_topics else about)
        if trigger is None:
            continue
        trigger = _trigger_with_number(tokens, trigger)
        words = spell(trigger) if spell else trigger
        detail = rule.reason.format(trigger=words) if rule.reason else f"“{words}”: {rule.body}"
        return AuthorityDecision(
            level=rule.level,
            body=rule.body,
            trigger=trigger,
            rule=rule.name,
            reason_vi=f"{OUTSIDE_PREFIX}: {detail}",
        )
    return COMMUNE_DECISION
