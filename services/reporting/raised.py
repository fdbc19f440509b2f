"""How many times an issue was raised (pure): the one count the conclusion notice and the report
print for an issue ("(5 lần)") and the follow-up tasks, open data ("Số lần nêu") and public views
show: the dialogue's petitions merged into the issue plus its mentions in earlier years.

The count each item was given when it arrived (its own `times_raised`) is not used: it counts the
cluster as the repeat finder saw it then, before later petitions joined and before staff moved
items between issues, so two items of one issue disagree and neither is the issue's count."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# Reporting's own source: an unresolved conclusion of an earlier dialogue carried into this one,
# its `times_raised` the count it was concluded with there.
CARRIED_OVER = "carried_over"


def earlier_mentions(members: Iterable[Mapping[str, Any]], year: int) -> int:
    """The issue's mentions in dialogues before `year`: the distinct (year, text) earlier items its
    members carry (`earlier`, from the repeat finder; an entry without a year is of this
    dialogue), and at least one for each earlier year they name (`years_raised`)."""
    listed = list(members)
    texts = {
        (int(e["year"]), str(e.get("text", "")))
        for m in listed
        for e in m.get("earlier") or ()
        if e.get("year", year) < year
    }
    years = {int(y) for m in listed for y in m.get("years_raised") or () if int(y) < year}
    return len(texts) + len(years - {y for y, _ in texts})


def times_raised(members: Iterable[Mapping[str, Any]], year: int) -> int:
    """How many times the issue whose items in the dialogue of `year` are `members` was raised:
    its petitions there plus its earlier years' mentions (`earlier_mentions`), or, when larger, the
    count an unresolved conclusion carried over among `members` was concluded with. At least 1."""
    listed = list(members)
    petitions = [m for m in listed if m.get("source") != CARRIED_OVER]
    carried = max(
        (int(m.get("times_raised") or 1) for m in listed if m.get("source") == CARRIED_OVER), default=0
    )
    return max(len(petitions) + max(earlier_mentions(petitions, year), carried), 1)
