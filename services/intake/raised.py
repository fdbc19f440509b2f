"""How many times an item's issue was raised, counted as the documents count it ("[Nêu 3 lần]",
reporting's `raised.times_raised`): this dialogue's submissions of the issue (the items sharing the
item's `cluster_id` in its dialogue) plus the issue's distinct mentions in dialogues before it (one
per year and text). Every page that shows the count (the staff item page, the resident's tracking
page and API) reads it here, so three merged items of one issue all say 3.

An item's own `times_raised` is routing's count when it arrived: the first item of an issue says 1
whatever joins it later, so no page shows it as the issue's count. The earlier years' mentions are
those routing named with each decision (`SubmissionRoutedV1.earlier`), kept on the submission as
`EARLIER_MENTIONS` (the year and a digest of the text: the count needs to tell texts apart, not to
read them again)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

EARLIER_MENTIONS = "earlier_mentions"  # [[year, text digest], ...] of routing's earlier items


class Cursor(Protocol):
    async def to_list(self) -> list[dict[str, Any]]: ...


class Submissions(Protocol):
    def find(self, filter: Mapping[str, Any], projection: Mapping[str, Any]) -> Cursor: ...


def mention_key(text: str | None) -> str:
    """A text told apart from others without keeping it (a resident's words stay in one place)."""
    return hashlib.sha256(str(text or "").strip().encode()).hexdigest()[:16]


def earlier_mentions(earlier: Iterable[Any]) -> list[list[Any]]:
    """What a submission keeps of routing's earlier items (`EarlierItem`s or their dicts): each
    one's year and text digest, once, in a stable order."""
    pairs = set()
    for e in earlier:
        year = e.get("year") if isinstance(e, Mapping) else e.year
        text = e.get("text") if isinstance(e, Mapping) else e.text
        if year is not None:
            pairs.add((int(year), mention_key(text)))
    return [list(p) for p in sorted(pairs)]


def raised_view(petitions: int, earlier: list[dict], year: int | None) -> dict[str, Any]:
    """How many times the item's issue was raised: this dialogue's petitions merged into the issue
    (`petitions`, the items of its cluster) plus its distinct mentions in dialogues before `year`
    (`earlier`: entries with a `year` and a `text`, one per year and text). `this_year` and
    `before` keep the two apart, so this year's petitions are never "trước đây"."""
    mentions = {
        (int(e["year"]), str(e.get("text") or ""))
        for e in earlier
        if year is not None and e.get("year") is not None and int(e["year"]) < year
    }
    this_year = max(petitions, 1)
    return {
        "total": this_year + len(mentions),
        "this_year": this_year,
        "before": len(mentions),
        "years": sorted({y for y, _ in mentions}),
        "year": year,
    }


async def issue_raised(
    submissions: Submissions, doc: Mapping[str, Any], year: int | None, earlier: Iterable[Mapping] = ()
) -> dict[str, Any]:
    """`raised_view` of the issue of `doc` (a stored submission) in its dialogue of `year`: its
    cluster's items there, read by (commune, cluster), with the earlier mentions each keeps and
    those in `earlier` (routing's decision, when the caller has it). An item not yet routed is its
    own issue. A cluster none of whose items keeps its mentions (stored before they were kept)
    counts at least what routing counted for `doc` on arrival (`total` only)."""
    cluster, dialogue = doc.get("cluster_id"), doc.get("dialogue_id")
    members: list[dict[str, Any]] = [dict(doc)]
    if cluster and dialogue and doc.get("topic") is not None:
        found = await submissions.find(
            {"commune_id": doc["commune_id"], "cluster_id": cluster},
            {"dialogue_id": 1, EARLIER_MENTIONS: 1},
        ).to_list()
        members = [m for m in found if m.get("dialogue_id") == dialogue] or members
    kept = [{"year": y, "text": k} for m in members for y, k in m.get(EARLIER_MENTIONS) or ()]
    given = [{"year": y, "text": k} for y, k in earlier_mentions(earlier)]
    view = raised_view(len(members), kept + given, year)
    if not given and not any(EARLIER_MENTIONS in m for m in members):
        view["total"] = max(view["total"], int(doc.get("times_raised") or 1))
    return view
