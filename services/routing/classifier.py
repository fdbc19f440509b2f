"""Rule-based topic classifier for residents' submissions (pure: no I/O when classifying).

The Party office must classify every opinion into the plan's topics and propose who answers
(BRIEF.md IV.3). This module gives a first, explainable suggestion that a person confirms:
each topic has weighted Vietnamese terms, the submission is normalised with
:func:`shared.text.normalize_for_matching` (so "ko dc xay" and "không được xây", "ĐT741" and
"đường tỉnh 741" match alike) and terms are matched as whole words or phrases over tokens,
never as substrings inside words. Terms in the resident's (last) request ("đề nghị …", the rules'
``asks``) weigh ``ask_bonus`` times more than the context before it. The authority map
(:mod:`services.routing.authority`) says who owns what the item is about, with a Vietnamese
reason; recurring phrases flag issues "raised many times" (BRIEF.md IV.6). The result keeps
every topic's score and the authority rule, so a learned model can be blended with it.

Rule sets are data (topics differ per commune and year): :meth:`RuleSet.from_dict` builds one
from the JSON shape of ``rules/default.json``; :meth:`RuleSet.load_default` loads the built-in
one. Build a rule set once and reuse it; :func:`classify` only does dictionary look-ups.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from itertools import islice
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping

from services.routing.authority import AuthorityDecision, AuthorityRule, decide_authority, topics_in_play
from services.routing.explain import original_spelling
from services.routing.recurrence import clauses
from shared.contracts import AuthorityLevel
from shared.text import normalize_for_matching

__all__ = ["AuthorityDecision", "AuthorityRule", "Classification", "RuleSet", "classify"]

OTHER_TOPIC = 0
COMMUNE = AuthorityLevel.COMMUNE
LEVELS = frozenset({AuthorityLevel.PROVINCE, AuthorityLevel.CENTRAL})  # a rule puts an item above the commune
_DEFAULT_RULES = "rules/default.json"
# "#" in a phrase matches one number token: digits or a Vietnamese number word (folded).
_WILDCARD = "#"
_NUMBER_WORDS = frozenset("mot hai ba bon tu nam sau bay tam chin muoi may nhieu vai".split())


def _is_number(token: str) -> bool:
    return token.isdigit() or token in _NUMBER_WORDS


def _normalize_phrase(raw: str) -> str:
    """Normalise a rule phrase like the text it is matched against, keeping "#" wildcards."""
    parts = (normalize_for_matching(part) for part in raw.split(_WILDCARD))
    return " ".join(f" {_WILDCARD} ".join(parts).split())


# A trie node: the next token -> its node; `_END` -> the phrase that ends here.
_Node = dict[str, Any]
_END = ""  # no token is empty: the key of a node's phrase


@dataclass(frozen=True, eq=False)
class _PhraseIndex:
    """Phrases (tuples of folded tokens) in a trie of their tokens ("#" a branch of its own).

    Looking phrases up token by token keeps word boundaries for free, and the phrases fitting
    at a position are found in one walk down the trie, a few dictionary look-ups per token.
    """

    root: _Node

    @classmethod
    def build(cls, phrases: Iterable[str]) -> _PhraseIndex:
        root: _Node = {}
        for phrase in phrases:
            tokens = tuple(phrase.split())
            if tokens:
                node = root
                for token in tokens:
                    node = node.setdefault(token, {})
                node[_END] = tokens
        return cls(root)

    def _may_start(self, token: str) -> bool:
        """Whether a phrase may begin with `token` (most tokens begin none)."""
        root = self.root
        return token in root or (_WILDCARD in root and token != _WILDCARD and _is_number(token))

    def _fitting(self, tokens: list[str], start: int) -> list[tuple[str, ...]]:
        """Every phrase that fits the tokens from `start` on ("#" fits a number token)."""
        found: list[tuple[str, ...]] = []
        frontier = [self.root]
        for token in islice(tokens, start, None):
            reached = []
            for node in frontier:
                if (child := node.get(token)) is not None:
                    reached.append(child)
                if _WILDCARD in node and token != _WILDCARD and _is_number(token):
                    reached.append(node[_WILDCARD])
            if not reached:
                break
            found += [node[_END] for node in reached if _END in node]
            frontier = reached
        return found

    @staticmethod
    def _order(phrase: tuple[str, ...]) -> tuple[int, bool, tuple[str, ...]]:
        """Preference among phrases fitting at one position: the longest; among as long ones, a
        phrase whose first token is the text's before one led by "#", then in token order."""
        return -len(phrase), phrase[0] == _WILDCARD, phrase

    def longest(self, tokens: list[str]) -> Iterator[str]:
        """Non-overlapping matches, left to right, the longest phrase at each position."""
        return (phrase for _, phrase in self.longest_at(tokens))

    def longest_at(self, tokens: list[str]) -> Iterator[tuple[int, str]]:
        """Like :meth:`longest`, with the index of each match's first token."""
        i = 0
        while i < len(tokens):
            if not self._may_start(tokens[i]):
                i += 1
            elif fitting := self._fitting(tokens, i):
                phrase = min(fitting, key=self._order)
                yield i, " ".join(phrase)
                i += len(phrase)
            else:
                i += 1

    def all(self, tokens: list[str]) -> set[str]:
        """Every phrase that occurs, overlaps included."""
        return {phrase for _, _, phrase in self.occurrences(tokens)}

    def occurrences(self, tokens: list[str]) -> Iterator[tuple[int, int, str]]:
        """Every occurrence as (first token, end token, phrase), overlaps included."""
        for i in (i for i, token in enumerate(tokens) if self._may_start(token)):
            for phrase in sorted(self._fitting(tokens, i), key=self._order):
                yield i, i + len(phrase), " ".join(phrase)

    def all_unmasked(self, tokens: list[str], masks: frozenset[str]) -> set[str]:
        """Like :meth:`all`, but a phrase counts only where it does not lie inside an occurrence
        of a mask phrase ("lên tỉnh" inside the question "có phải lên tỉnh không"); the masks
        themselves are not returned."""
        if not masks:
            return self.all(tokens)
        found = list(self.occurrences(tokens))
        spans = [(start, end) for start, end, phrase in found if phrase in masks]
        return {
            phrase
            for start, end, phrase in found
            if phrase not in masks and not any(a <= start and end <= b for a, b in spans)
        }


@dataclass(frozen=True, eq=False)
class RuleSet:
    """A loaded rule set: folded terms with weights per topic, authority and recurring rules.

    Immutable and compared by identity, so it can key a cache; build it once per commune.
    """

    topic_names: Mapping[int, str]
    terms: Mapping[str, tuple[tuple[int, float], ...]]  # folded term -> ((topic, weight), ...)
    authority_rules: tuple[AuthorityRule, ...] = ()
    recurring_phrases: tuple[str, ...] = ()
    not_recurring_phrases: tuple[str, ...] = ()  # longer phrases that cancel a recurring one
    neutral_phrases: tuple[str, ...] = ()  # matched but score nothing ("yeu cau" hides "cau")
    # Authority phrases that hide the signals inside them and name no owner themselves: the
    # question "có phải lên tỉnh không" asks where to go, it does not ask the province.
    authority_masks: tuple[str, ...] = ()
    secondary_ratio: float = 0.5
    secondary_min_score: float = 3.0
    repeat_bonus: float = 0.5
    max_repeat_factor: float = 2.0
    min_score: float = 2.0  # below this the best topic is only a hint: classify as other
    # An authority rule for topic t applies when t wins or scores at least this share of the winner.
    authority_topic_ratio: float = 1.0
    # Terms inside the request ("đề nghị …") weigh this many times more (1.0: no difference).
    ask_bonus: float = 1.0
    ask_phrases: tuple[tuple[str, ...], ...] = ()
    _terms_index: _PhraseIndex = field(init=False, repr=False, compare=False)
    _authority_index: _PhraseIndex = field(init=False, repr=False, compare=False)
    _recurring_index: _PhraseIndex = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        signals = tuple(p for rule in self.authority_rules for p in rule.signals()) + self.authority_masks
        recurring = self.recurring_phrases + self.not_recurring_phrases
        terms = tuple(self.terms) + self.neutral_phrases
        object.__setattr__(self, "_terms_index", _PhraseIndex.build(terms))
        object.__setattr__(self, "_authority_index", _PhraseIndex.build(signals))
        object.__setattr__(self, "_recurring_index", _PhraseIndex.build(recurring))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RuleSet:
        """Build a rule set from the JSON shape of ``rules/default.json``; terms are folded."""
        names: dict[int, str] = {}
        weights: dict[str, dict[int, float]] = defaultdict(dict)

        def add_terms(topic: int, terms: Mapping[str, float]) -> None:
            for raw, weight in terms.items():
                if not float(weight) > 0:
                    raise ValueError(f"weight of {raw!r} must be positive")
                term = normalize_for_matching(raw)
                if term:  # two spellings may fold together: keep the stronger weight
                    weights[term][topic] = max(float(weight), weights[term].get(topic, 0.0))

        for key, spec in data.get("topics", {}).items():
            topic = int(key)
            if topic < 0:
                raise ValueError(f"topic ids are >= 0, got {topic}")
            names[topic] = spec["name"]
            add_terms(topic, spec.get("terms", {}))
        off_topic = data.get("off_topic", {})
        names.setdefault(OTHER_TOPIC, off_topic.get("name", "Khác"))
        add_terms(OTHER_TOPIC, off_topic.get("terms", {}))

        rules = []
        for spec in data.get("authority", []):
            if spec["level"] not in LEVELS:
                raise ValueError(f"authority level must be one of {sorted(map(str, LEVELS))}: {spec}")
            rules.append(
                AuthorityRule(
                    name=spec.get("name", spec["body"]),
                    phrases=tuple(normalize_for_matching(p) for p in spec["phrases"]),
                    level=AuthorityLevel(spec["level"]),
                    body=spec["body"],
                    topics=frozenset(int(t) for t in spec.get("topics", ())),
                    requires_any=tuple(normalize_for_matching(p) for p in spec.get("requires_any", ())),
                    unless_any=tuple(normalize_for_matching(p) for p in spec.get("unless_any", ())),
                    reason=str(spec.get("reason", "")),
                    near_topics=bool(spec.get("near_topics", False)),
                )
            )
        scoring = data.get("scoring", {})
        return cls(
            topic_names=MappingProxyType(dict(sorted(names.items()))),
            terms=MappingProxyType(
                {term: tuple(sorted(by_topic.items())) for term, by_topic in weights.items()}
            ),
            authority_rules=tuple(rules),
            ask_phrases=tuple(
                tuple(normalize_for_matching(p).split()) for p in data.get("asks", ()) if p.strip()
            ),
            recurring_phrases=tuple(_normalize_phrase(p) for p in data.get("recurring", ())),
            authority_masks=tuple(
                p for p in (normalize_for_matching(raw) for raw in data.get("not_authority", ())) if p
            ),
            not_recurring_phrases=tuple(_normalize_phrase(p) for p in data.get("not_recurring", ())),
            neutral_phrases=tuple(
                p
                for p in (normalize_for_matching(raw) for raw in data.get("neutral", ()))
                if p not in weights
            ),
            **{k: float(v) for k, v in scoring.items() if k in _SCORING_KEYS},
        )

    @classmethod
    def load_default(cls) -> RuleSet:
        """The built-in Vietnamese rule set shipped next to this module."""
        text = resources.files(__package__).joinpath(_DEFAULT_RULES).read_text(encoding="utf-8")
        return cls.from_dict(json.loads(text))


_SCORING_KEYS = frozenset(
    {
        "secondary_ratio",
        "secondary_min_score",
        "repeat_bonus",
        "max_repeat_factor",
        "min_score",
        "authority_topic_ratio",
        "ask_bonus",
    }
)


@dataclass(frozen=True)
class Classification:
    """A suggested classification with the evidence behind it, for a person to confirm."""

    topic: int  # 0..6; 0 = other (ngoài 6 nội dung)
    secondary_topic: int | None
    confidence: float  # 0..1, from the winning score and its margin over the runner-up
    matched_terms: tuple[str, ...]  # the folded terms that fired, for the explanation
    authority_level: AuthorityLevel
    authority_body: str | None
    recurring_claim: bool
    explanation: str  # short English sentence naming the terms that fired per topic
    # The same evidence, structured (folded terms), for the Vietnamese explanation (explain.py).
    terms_by_topic: Mapping[int, tuple[str, ...]] = field(default_factory=dict, compare=False)
    authority_trigger: str | None = field(default=None, compare=False)
    recurring_phrases: tuple[str, ...] = field(default=(), compare=False)
    # For blending with a learned model: every topic's rule score, and the authority decision
    # (rule name and the Vietnamese reason "Ngoài thẩm quyền xã: …").
    topic_scores: Mapping[int, float] = field(default_factory=dict, compare=False)
    authority_rule: str | None = field(default=None, compare=False)
    authority_reason: str | None = field(default=None, compare=False)


def _last_ask(tokens: list[str], asks: tuple[tuple[str, ...], ...]) -> int:
    """Index of the first token of the last request phrase (the request a petition ends with),
    or len(tokens) when there is none."""
    if () in asks:  # an empty phrase is found at every token
        return max(len(tokens) - 1, 0)
    by_first: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for ask in asks:
        by_first[ask[0]].append(ask)
    for i in range(len(tokens) - 1, -1, -1):
        if any(tuple(tokens[i : i + len(ask)]) == ask for ask in by_first.get(tokens[i], ())):
            return i
    return len(tokens)


def _confidence(top: float, runner_up: float) -> float:
    if top <= 0:
        return 0.0
    strength = top / (top + 4.0)  # one strong phrase (~5) gives about 0.55
    margin = (top - runner_up) / top
    return round(strength * (0.4 + 0.6 * margin), 3)


def _explain(
    rules: RuleSet,
    topic: int,
    by_topic: Mapping[int, list[str]],
    authority: tuple[AuthorityLevel, str | None, str | None],
    recurring: list[str],
) -> str:
    if not by_topic:
        parts = [f"No topic terms matched, so topic {topic} ({rules.topic_names.get(topic)})."]
    elif topic not in by_topic:
        weak = ", ".join(f"'{term}'" for terms in by_topic.values() for term in terms)
        name = rules.topic_names.get(topic)
        parts = [f"Only weak terms matched ({weak}), so topic {topic} ({name})."]
    else:
        quoted = {t: ", ".join(f"'{term}'" for term in terms) for t, terms in by_topic.items()}
        parts = [f"Topic {topic} ({rules.topic_names.get(topic)}) from {quoted[topic]}"]
        others = [f"topic {t}: {q}" for t, q in sorted(quoted.items()) if t != topic]
        parts[0] += f"; also {'; '.join(others)}." if others else "."
    level, body, trigger = authority
    if level != COMMUNE:
        parts.append(f"Beyond commune authority ({level}, {body}) because of '{trigger}'.")
    if recurring:
        parts.append(f"Says it was raised before ({', '.join(repr(p) for p in recurring)}).")
    return " ".join(parts)


def _recurring(rules: RuleSet, tokens: list[str]) -> list[str]:
    """The phrases saying it was raised before. Longest match first, so "di lai nhieu lan" (not
    recurring) swallows "nhieu lan"."""
    recurring_set = frozenset(rules.recurring_phrases)
    return list(dict.fromkeys(p for p in rules._recurring_index.longest(tokens) if p in recurring_set))


def classify(text: str, rules: RuleSet) -> Classification:
    """Suggest topic, secondary topic, authority and recurring flag for one submission."""
    tokens = normalize_for_matching(text).split()

    counts: dict[str, int] = defaultdict(int)
    # What the resident asks for ("đề nghị …", "xin …") names the topic more surely than the
    # context before it: terms from the last request phrase on weigh `ask_bonus` times more.
    ask_from = _last_ask(tokens, rules.ask_phrases)
    asked: set[str] = set()
    for start, term in rules._terms_index.longest_at(tokens):
        if term in rules.terms:  # neutral phrases only hide the words inside them
            counts[term] += 1
            if start >= ask_from:
                asked.add(term)
    scores: dict[int, float] = defaultdict(float)
    by_topic: dict[int, list[str]] = defaultdict(list)
    for term, count in counts.items():
        factor = min(1.0 + rules.repeat_bonus * (count - 1), rules.max_repeat_factor)
        if term in asked:
            factor *= rules.ask_bonus
        for topic, weight in rules.terms[term]:
            scores[topic] += weight * factor
            by_topic[topic].append(term)

    # Highest score wins; on a tie a plan topic beats "other", then more distinct terms win.
    ranked = sorted(scores, key=lambda t: (-scores[t], t == OTHER_TOPIC, -len(by_topic[t]), t))
    best = ranked[0] if ranked else OTHER_TOPIC
    top = scores.get(best, 0.0)
    runner_up = scores[ranked[1]] if len(ranked) > 1 else 0.0
    if top < rules.min_score:
        # Only generic words fired ("can bo", "huong dan"): too weak to name a plan topic.
        topic, secondary, confidence = OTHER_TOPIC, None, 0.0
    else:
        topic, confidence = best, _confidence(top, runner_up)
        secondary = next(
            (
                t
                for t in ranked[1:]
                if t != OTHER_TOPIC
                and scores[t] >= rules.secondary_min_score
                and scores[t] >= rules.secondary_ratio * top
            ),
            None,
        )

    found = rules._authority_index.all_unmasked(tokens, frozenset(rules.authority_masks))
    near = topics_in_play(scores, topic, rules.authority_topic_ratio)
    decision: AuthorityDecision = decide_authority(
        rules.authority_rules,
        found,
        frozenset({topic}),
        tokens,
        lambda term: original_spelling(text, term),
        near=near,
    )
    authority = (decision.level, decision.body, decision.trigger)
    recurring = _recurring(rules, tokens)
    if recurring:  # a claim lies within one clause: "… nhiều. Lần này …", "nhiều, lần này" are none
        recurring = list(
            dict.fromkeys(
                p for part in clauses(text) for p in _recurring(rules, normalize_for_matching(part).split())
            )
        )

    return Classification(
        topic=topic,
        secondary_topic=secondary,
        confidence=confidence,
        matched_terms=tuple(counts),
        authority_level=authority[0],
        authority_body=authority[1],
        recurring_claim=bool(recurring),
        explanation=_explain(rules, topic, by_topic, authority, recurring),
        terms_by_topic=MappingProxyType({t: tuple(terms) for t, terms in by_topic.items()}),
        authority_trigger=authority[2],
        recurring_phrases=tuple(recurring),
        topic_scores=MappingProxyType({t: round(v, 3) for t, v in sorted(scores.items())}),
        authority_rule=decision.rule,
        authority_reason=decision.reason_vi,
    )
