"""Which office prepares the answer: the commune's topic map refined by its sub-area rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from shared.directory import Commune
from shared.text import normalize_for_matching


@dataclass(frozen=True)
class Assignment:
    office_id: str
    coordinating_office_ids: tuple[str, ...]
    rule: str  # why this office, for the explanation
    sub_area_term: str | None = None  # the folded term of the sub-area rule that chose the office


@lru_cache(maxsize=4096)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern[str]:
    folded = sorted({normalize_for_matching(t) for t in terms if t.strip()}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(t) for t in folded) + r")\b")


def assign_office(commune: Commune, topic: int, matching_text: str) -> Assignment:
    """`matching_text` is the submission text after `normalize_for_matching`.

    Sub-area rules are tried in the commune's order; the first whose topic fits and whose terms
    occur decides the lead office (or, with no office, only adds coordinating offices)."""
    lead = commune.topic_offices.get(str(topic)) or commune.topic_offices.get("0") or commune.party_office_id
    coordinating: list[str] = []
    reason, term = f"topic {topic} default", None
    for rule in commune.office_rules:
        if rule.topic not in (None, topic):
            continue
        found = _term_pattern(rule.terms).search(matching_text)
        if not found:
            continue
        if rule.office_id:
            lead, reason, term = rule.office_id, f"sub-area rule '{found.group(0)}'", found.group(0)
        coordinating += [o for o in rule.coordinating_office_ids if o != lead and o not in coordinating]
        if rule.office_id:
            break
    return Assignment(lead, tuple(o for o in coordinating if o != lead), reason, term)
