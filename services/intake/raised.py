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


def _routed(doc: Mapping[str, Any]) -> bool:
    return bool(doc.get("cluster_id") and doc.get("dialogue_id") and doc.get("topic") is not None)


def _of_issue(
    doc: Mapping[str, Any], found: Iterable[Mapping[str, Any]], year: int | None, given: list[dict]
) -> dict[str, Any]:
    """`raised_view` of the issue of `doc` from the stored items `found` (at least its cluster's)."""
    members = [m for m in found if _routed(doc) and m.get("cluster_id") == doc["cluster_id"]]
    members = [m for m in members if m.get("dialogue_id") == doc["dialogue_id"]] or [doc]
    kept = [{"year": y, "text": k} for m in members for y, k in m.get(EARLIER_MENTIONS) or ()]
    view = raised_view(len(members), kept + given, year)
    if not given and not any(EARLIER_MENTIONS in m for m in members):
        view["total"] = max(view["total"], int(doc.get("times_raised") or 1))
    return view


_MEMBER_FIELDS = {"cluster_id": 1, "dialogue_id": 1, EARLIER_MENTIONS: 1}


async def issue_raised(
    submissions: Submissions, doc: Mapping[str, Any], year: int | None, earlier: Iterable[Mapping] = ()
) -> dict[str, Any]:
    """`raised_view` of the issue of `doc` (a stored submission) in its dialogue of `year`: its
    cluster's items there, read by (commune, cluster) on the cluster's index, with the earlier
    mentions each keeps and those in `earlier` (routing's decision, when the caller has it). An item
    not yet routed is its own issue. A cluster none of whose items keeps its mentions (stored before
    they were kept) counts at least what routing counted for `doc` on arrival (`total` only)."""
    found: list[dict[str, Any]] = []
    if _routed(doc):
        found = await submissions.find(
            {"commune_id": doc["commune_id"], "cluster_id": doc["cluster_id"]}, _MEMBER_FIELDS
        ).to_list()
    given = [{"year": y, "text": k} for y, k in earlier_mentions(earlier)]
    return _of_issue(doc, found, year, given)


async def raised_totals(
    submissions: Submissions, commune_id: str, docs: Iterable[Mapping[str, Any]], year: int | None
) -> dict[str, int]:
    """`issue_raised`'s total for each of `docs` (a list of one dialogue of `year`), by submission
    id, their clusters read in one request."""
    listed = list(docs)
    clusters = sorted({str(d["cluster_id"]) for d in listed if _routed(d)})
    found = (
        await submissions.find(
            {"commune_id": commune_id, "cluster_id": {"$in": clusters}}, _MEMBER_FIELDS
        ).to_list()
        if clusters
        else []
    )
    by_cluster: dict[str, list[dict[str, Any]]] = {}
    for member in found:
        by_cluster.setdefault(str(member.get("cluster_id")), []).append(member)
    return {
        str(d["_id"]): _of_issue(d, by_cluster.get(str(d.get("cluster_id")), []), year, [])["total"]
        for d in listed
    }
