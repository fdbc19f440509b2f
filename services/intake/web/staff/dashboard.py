"""The commune dashboard (timeline of the plan's deadlines, charts, items with filters), the
operator's counts across communes, and one item's page with the actions the user's role allows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from services.intake.logic import hamlet_display
from services.intake.plan_logic import deadline_views
from services.intake.raised import issue_raised, raised_totals
from services.intake.reporting_api import EarlierRound, earlier_followup
from services.intake.tracking import era_named, vn_dates
from services.intake.web.pages import AUTHORITY_VI, KIND_LABELS_VI, WHOLE_COMMUNE, vn_datetime
from services.intake.web.staff.charts import bars, stacked, timeline
from services.intake.web.staff.kit import (
    ANSWERERS,
    IMPORTERS,
    MANAGERS,
    StaffKit,
    item_scope,
    own_hamlet,
    projection,
    topic_choices,
)
from services.intake.web.staff.users import StaffUser
from shared.clock import as_utc, utcnow
from shared.contracts import FollowUpStatus, SubmissionStatus
from shared.directory import COMMUNES, Commune, Dialogue

LISTED = 200  # items listed under the filters, newest first
# `?ap=toan-xa`: the items of no one hamlet, the per-hamlet chart's "Toàn xã" bar
WHOLE_COMMUNE_ID = "toan-xa"
WHOLE_COMMUNE_CHOICE_VI = "Toàn xã (không riêng ấp nào)"
WHOLE_COMMUNE_VI = "ý kiến chung của toàn xã (không riêng ấp nào)"
STATUS_LABELS_VI = SubmissionStatus.labels_vi()  # value -> label, in the order statuses are reached
F = FollowUpStatus
FOLLOWUP_ORDER = (F.ASSIGNED, F.IN_PROGRESS, F.ESCALATED, F.AWAITING_HIGHER_LEVEL, F.RESOLVED, F.REJECTED)
CHANGE_LABELS_VI = {
    "reclassify": "Phân loại lại",
    "reassign": "Giao cơ quan khác",
    "confirm": "Xác nhận phân loại",
    "merge": "Gộp với ý kiến trùng",
    "split": "Tách khỏi nhóm trùng",
    "answer": "Chuẩn bị nội dung trả lời",
}
DEADLINE_STATE_VI = {"pending": "Chưa đến hạn", "overdue": "Quá hạn", "done": "Đã xong"}
ENTRY_KIND = {"opinion": "y kien", "petition": "kien nghi", "complaint": "phan anh"}  # entry.html's values
NOTE_TO_RESIDENT_MAX = 500  # routing's ChangeIn.note_to_resident
ROUTING_WAIT = timedelta(minutes=5)  # routing answers within seconds; past this the page stops waiting


def topic_label(dialogue: Dialogue | None, topic: Any, name: str | None = None) -> str:
    if topic is None:
        return "Chưa phân loại"
    label = name or (dialogue.topic_name(int(topic)) if dialogue else f"Nội dung {topic}")
    return f"{topic}. {label}" if topic else label


def _era_day(dialogue: Dialogue | None) -> date:
    return dialogue.meeting_date if dialogue else utcnow().date()


def era_titles(commune: Commune, dialogue: Dialogue | None) -> dict[str, str]:
    """Each office's id and today's name -> its title for `dialogue`'s era, as the dialogue's
    documents print it (today's names without a dialogue)."""
    return commune.office_titles_on(_era_day(dialogue))


def renamed_offices(commune: Commune, dialogue: Dialogue | None) -> dict[str, str]:
    """Today's name -> the era's title (`era_titles`) of each office whose title differs: what
    `era_named` replaces in a line routing or follow-up wrote with today's names."""
    return commune.office_renames_on(_era_day(dialogue))


def item_row(
    user: StaffUser, dialogue: Dialogue | None, doc: dict, titles: Mapping[str, str] | None = None
) -> dict:
    """One item as the staff pages show it; the submitter only for who may see it; its office by
    `titles` (`era_titles`), as stored without them."""
    submitter = (doc.get("submitter") or {}) if user.sees_identity else {}
    return {
        "id": doc["_id"],
        "code": doc["tracking_code"],
        "received": vn_datetime(doc.get("received_at")),
        "kind": KIND_LABELS_VI.get(doc.get("kind", ""), doc.get("kind", "")),
        "hamlet": doc.get("hamlet") or WHOLE_COMMUNE,
        "topic": topic_label(dialogue, doc.get("topic"), doc.get("topic_name")),
        "topic_number": doc.get("topic"),
        "office": (titles or {}).get(doc.get("office_id") or "") or doc.get("office_name") or "Chưa giao",
        "office_id": doc.get("office_id"),
        "status": doc.get("status", ""),
        "status_label": STATUS_LABELS_VI.get(doc.get("status", ""), doc.get("status", "")),
        "name": submitter.get("name"),
        "contact": submitter.get("contact"),
        "needs_review": bool(doc.get("needs_review")),
        "times_raised": doc.get("times_raised") or 1,
        "dialogue_id": doc.get("dialogue_id"),
    }


def seen_by(user: StaffUser, entries: list[dict]) -> list[dict]:
    """Earlier items of the same issue (text and answer) as `StaffUser.text_seen` shows them."""
    return [
        {**e, "text": user.text_seen(e.get("text")), "answer": user.text_seen(e.get("answer")) or None}
        for e in entries
    ]


def filters_from(
    request: Request, commune: Commune, dialogue: Dialogue | None
) -> tuple[dict, dict[str, str]]:
    """The query's filters that name something real (others are ignored): Mongo match, chosen values."""
    query = request.query_params
    match: dict[str, Any] = {}
    chosen: dict[str, str] = {}
    topic = query.get("chu_de", "")
    if topic.isdigit() and (dialogue is None or int(topic) in {t.number for t in dialogue.topics} | {0}):
        match["topic"], chosen["chu_de"] = int(topic), topic
    office = query.get("co_quan", "")
    if commune.office(office) is not None:
        match["office_id"], chosen["co_quan"] = office, office
    status = query.get("trang_thai", "")
    if status in STATUS_LABELS_VI:
        match["status"], chosen["trang_thai"] = status, status
    hamlet = next((h.name for h in commune.hamlets if h.id == query.get("ap")), None)
    if hamlet:
        match["hamlet"], chosen["ap"] = hamlet, query["ap"]
    elif query.get("ap") == WHOLE_COMMUNE_ID:  # the items of no one hamlet
        match["hamlet"], chosen["ap"] = {"$in": [None, ""]}, WHOLE_COMMUNE_ID
    if query.get("xem_lai") == "1":
        match["needs_review"] = {"$in": [True, 1]}
        chosen["xem_lai"] = "1"
    return match, chosen


def hamlet_link(hamlet: str | None) -> str | None:
    """The per-hamlet chart's link of a bar that is no hamlet of the commune: the items of no
    one hamlet ("Toàn xã") have theirs; a hamlet name the commune no longer lists has none."""
    return f"/staff/?ap={WHOLE_COMMUNE_ID}" if not hamlet else None


def whole_commune_link(commune: Commune, chosen: Mapping[str, str]) -> dict[str, str] | None:
    """Back from one hamlet's items to the whole commune's, the other filters kept: the hamlet
    chosen and the link; None while no hamlet is chosen."""
    hamlet = next((hamlet_display(h.name) for h in commune.hamlets if h.id == chosen.get("ap")), None)
    if hamlet is None and chosen.get("ap") == WHOLE_COMMUNE_ID:
        hamlet = WHOLE_COMMUNE_VI
    if hamlet is None:
        return None
    rest = {k: v for k, v in chosen.items() if k != "ap"}
    return {"hamlet": hamlet, "href": "/staff/" + (f"?{urlencode(rest)}" if rest else "")}


def add_dashboard_routes(staff: APIRouter, kit: StaffKit) -> None:
    repo = kit.repo

    async def counts(match: dict, facets: dict[str, list[dict]]) -> dict[str, dict[Any, int]]:
        """Several counts of the same items in one round trip: facet name -> {group key: count}.
        (`$facet` of `$group`s: nx-27017 takes no compound group key, real MongoDB needs none.)"""
        cursor = await repo.submissions.aggregate([{"$match": match}, {"$facet": facets}])
        [row] = await cursor.to_list()
        return {name: {g["_id"]: int(g["n"]) for g in row.get(name, [])} for name in facets}

    def by(field: str) -> list[dict]:
        return [{"$group": {"_id": f"${field}", "n": {"$sum": 1}}}]

    async def followup_progress(
        request: Request, user: StaffUser, commune: Commune, dialogue: Dialogue | None
    ) -> dict | None:
        if dialogue is None or user.role not in ANSWERERS:
            return None
        # reporting counts the tasks the user sees (an office its own): one task is sent, not all
        reply = await kit.reporting(request).follow_up(commune.id, dialogue.id, limit=1)
        if not reply.ok:
            return {"error": reply.reason_vi(), "segments": [], "total": 0}
        counts: dict[str, int] = reply.body.get("counts", {})
        parts = [(s, FollowUpStatus.label_of(s), int(counts.get(s, 0))) for s in FOLLOWUP_ORDER]
        return {
            "error": None,
            "segments": stacked(parts),
            "legend": [p for p in parts if p[2]],
            "total": int(reply.body.get("total", 0)),
            "overdue": int(reply.body.get("overdue", 0)),
        }

    async def deadline_timeline(commune: Commune, dialogue: Dialogue | None):
        if dialogue is None:
            return None, []
        today = utcnow().astimezone(ZoneInfo(dialogue.timezone)).date()
        views = deadline_views(
            commune, dialogue, await kit.directory.deadline_marks(commune.id, dialogue.id), today
        )
        line = timeline(views, today)
        states = {v["key"]: v for v in views}
        return line, [
            {**states[m.key], "number": m.number, "state_label": DEADLINE_STATE_VI[m.state]}
            for m in (line.marks if line else ())
        ]

    @staff.get("/staff/", response_class=HTMLResponse)
    async def dashboard(request: Request):
        user: StaffUser = request.state.staff_user
        if user.role == "operator":
            return await operator_dashboard(request)
        commune = await kit.commune_of(user)
        if commune is None:
            return kit.not_found(request)
        dialogue = await kit.current_dialogue(commune) or await kit.after_meeting_plan(commune)
        scope = item_scope(user, commune)
        if dialogue is not None:
            scope["dialogue_id"] = dialogue.id
        match, chosen = filters_from(request, commune, dialogue)
        counted = await counts(
            scope,
            {
                "status": by("status"),
                "topic": by("topic"),
                "hamlet": by("hamlet"),
                "review": [{"$match": {"needs_review": {"$in": [True, 1]}}}, *by("needs_review")],
            },
        )
        by_status, by_topic, by_hamlet = counted["status"], counted["topic"], counted["hamlet"]
        topic_rows = sorted(by_topic.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
        hamlet_ids = {h.name: h.id for h in commune.hamlets}
        docs = (
            await repo.submissions.find({**match, **scope}, projection(user))
            .sort("received_at", -1)
            .limit(LISTED)
            .to_list()
        )
        line, deadlines = await deadline_timeline(commune, dialogue)
        raised = await raised_totals(repo.submissions, commune.id, docs, dialogue.year if dialogue else None)
        titles = era_titles(commune, dialogue)  # offices as the plan's documents name them
        return kit.render(
            request,
            "dashboard.html",
            title=f"Tổng quan – {commune.display_name}",
            commune_=commune,
            dialogue=dialogue,
            # the user's own office, by the plan's era's title as the list names it
            office_title=titles.get(user.office_id) if user.office_id else None,
            hamlet=own_hamlet(user, commune),
            total=sum(by_status.values()),
            statuses=[
                (STATUS_LABELS_VI.get(k, k), k, n)
                for k, n in sorted(by_status.items(), key=lambda kv: str(kv[0]))
            ],
            topic_bars=bars(
                (topic_label(dialogue, k), n, f"/staff/?chu_de={k}" if k is not None else None)
                for k, n in topic_rows
            ),
            hamlet_bars=bars(
                (
                    hamlet_display(k) if k else WHOLE_COMMUNE,
                    n,
                    f"/staff/?ap={hamlet_ids[k]}" if k in hamlet_ids else hamlet_link(k),
                )
                for k, n in sorted(by_hamlet.items(), key=lambda kv: -kv[1])
            ),
            timeline=line,
            deadlines=deadlines,
            followup=await followup_progress(request, user, commune, dialogue),
            review_count=sum(counted["review"].values()),
            # each item's issue counted as the documents count it, not the item's count on arrival
            items=[item_row(user, dialogue, d, titles) | {"times_raised": raised[d["_id"]]} for d in docs],
            listed=LISTED,
            chosen=chosen,
            filtered=bool(chosen),
            topic_choices=topic_choices(dialogue),
            office_choices=[(o.id, titles[o.id]) for o in commune.offices],
            status_choices=list(STATUS_LABELS_VI.items()),
            hamlet_choices=[(h.id, h.name) for h in commune.hamlets],
            whole_commune_choice=(WHOLE_COMMUNE_ID, WHOLE_COMMUNE_CHOICE_VI),
            whole_commune=whole_commune_link(commune, chosen),
            managers=MANAGERS,
        )

    async def operator_dashboard(request: Request) -> HTMLResponse:
        communes = (
            await kit.rt.db[COMMUNES].find({}, {"name": 1, "kind": 1, "province": 1}).sort("_id", 1).to_list()
        )
        per_status = await counts(
            {},
            {"_all": by("commune_id")}
            | {s: [{"$match": {"status": s}}, *by("commune_id")] for s in STATUS_LABELS_VI},
        )
        totals = per_status["_all"]
        rows = [
            {
                "id": c["_id"],
                "name": f"{c.get('kind', 'xã')} {c.get('name', '')}",
                "province": c.get("province", ""),
                "total": totals.get(c["_id"], 0),
                "by_status": [per_status[s].get(c["_id"], 0) for s in STATUS_LABELS_VI],
            }
            for c in communes
        ]
        return kit.render(
            request,
            "operator.html",
            title="Tổng quan các xã",
            rows=rows,
            status_labels=list(STATUS_LABELS_VI.values()),
        )

    @staff.get("/staff/items/{submission_id}", response_class=HTMLResponse)
    async def item(request: Request, submission_id: str):
        found = await kit.item_for(request, submission_id)
        done = request.query_params.get("xong", "")
        notice = {
            "1": "Đã lưu thay đổi. Các cơ quan liên quan sẽ được báo tự động.",
            "moi": "Đã tiếp nhận ý kiến. Hệ thống sẽ phân loại và báo cơ quan chuẩn bị trả lời.",
        }.get(done)
        user, _, doc = found
        # After entering one opinion, the next one: same hamlet and kind already chosen.
        enter_next = next_entry_url(doc) if done == "moi" and user.role in IMPORTERS else None
        return await render_item(kit, request, *found, notice=notice, enter_next=enter_next)


def next_entry_url(doc: dict) -> str:
    """The entry form with the hamlet and kind of `doc` chosen."""
    chosen = {"ap": doc.get("hamlet") or WHOLE_COMMUNE, "loai": ENTRY_KIND.get(doc.get("kind", ""), "")}
    return "/staff/y-kien-moi?" + urlencode({k: v for k, v in chosen.items() if v})


def routing_view(doc: dict, decision: dict | None) -> dict:
    """The headline reads intake's copy of the routing, written with the history entries, so the
    two never disagree. `pending` while intake has not yet recorded routing's newest decision
    (just entered, or just changed): the page says so and refreshes itself."""
    known = doc.get("routing_revision")
    known = -1 if known is None else int(known)
    behind = decision is not None and int(decision.get("revision", 0)) > known
    if doc.get("topic") is None:
        received = doc.get("received_at")
        if received is not None and utcnow() - as_utc(received) > ROUTING_WAIT:
            return {"pending": False}  # "Chưa phân loại / Chưa giao", as the history says too
        return {"pending": True, "topic": "Đang phân loại…", "office": "Đang phân loại…"}
    return {"pending": behind}


def split_repeats(
    earlier: list[dict], dialogue_of: Mapping[str, str | None], dialogue_id: str | None, year: int | None
) -> tuple[list[dict], list[dict]]:
    """(raised in this item's dialogue, raised in earlier dialogues): routing's earlier items of
    a repeat, sorted by the dialogue intake stored each one in (`dialogue_of`, submission id to
    dialogue id), or by year for one intake does not hold (a history imported into routing only)."""
    this_round: list[dict] = []
    earlier_rounds: list[dict] = []
    for entry in earlier:
        stored = dialogue_of.get(str(entry.get("submission_id")))
        same = stored == dialogue_id if stored is not None else year is not None and entry.get("year") == year
        (this_round if same else earlier_rounds).append(entry)
    return this_round, earlier_rounds


def with_followup(entries: list[dict], rounds: Mapping[str, EarlierRound] | None) -> list[dict]:
    """Earlier rounds with how each ended, as the documents say it (`outcome`: "Đợt năm 2016: kết
    luận “…”; kết quả: …"), or, when reporting has no follow-up of the round on record, the answer
    given then and that no follow-up is known. Without reporting's answer (`rounds` None) the
    entries stay as they are: the answer then, and nothing said about the follow-up."""
    if rounds is None:
        return entries
    out = []
    for e in entries:
        found = rounds.get(str(e.get("submission_id")))
        if found is not None and found.line_vi:
            out.append({**e, "outcome": found.line_vi})
            continue
        answered = f"đã trả lời “{e['answer'].strip().rstrip('.')}”; " if e.get("answer") else ""
        out.append({**e, "outcome": f"Đợt năm {e.get('year')}: {answered}chưa có kết quả theo dõi."})
    return out


async def render_item(
    kit: StaffKit,
    request: Request,
    user: StaffUser,
    commune: Commune,
    doc: dict,
    *,
    status: int = 200,
    notice: str | None = None,
    enter_next: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """One item with its history, its routing decision (for who acts on it) and the forms the role allows."""
    dialogue = (
        await kit.directory.dialogue(commune.id, doc["dialogue_id"]) if doc.get("dialogue_id") else None
    )
    titles = era_titles(commune, dialogue)
    renamed = renamed_offices(commune, dialogue)
    history = [
        {
            "at": vn_datetime(h["at"]),
            "note": era_named(vn_dates(h.get("note_vi", "")), renamed),
            "staff_note": h.get("staff_note_vi"),  # a change's reason: staff pages only
            "by": h.get("by"),
        }
        for h in await kit.repo.history(doc)
    ]
    decision, routing_error = None, None
    # an item intake has not classified yet shows no decision (the headline says so): routing is
    # not asked, so its stall does not hold the page
    if user.role in ANSWERERS and doc.get("topic") is not None:
        reply = await kit.routing(request).decision(commune.id, doc["_id"])
        decision = reply.body if reply.ok else None
        if isinstance(decision, dict):  # offices named for the plan's era, in its reasons too
            decision = {
                **decision,
                "office_name": titles.get(decision.get("office_id") or "") or decision.get("office_name"),
                "explanation_vi": [era_named(line, renamed) for line in decision.get("explanation_vi") or ()],
            }
        routing_error = None if reply.ok or reply.status == 404 else reply.reason_vi()
    earlier = list((decision or {}).get("earlier") or ())
    stored = (
        await kit.repo.submissions.find(
            {"commune_id": commune.id, "_id": {"$in": [str(e.get("submission_id")) for e in earlier]}},
            {"dialogue_id": 1},
        ).to_list()
        if earlier
        else []
    )
    repeats_now, repeats_before = split_repeats(
        earlier,
        {d["_id"]: d.get("dialogue_id") for d in stored},
        doc.get("dialogue_id"),
        dialogue.year if dialogue else None,
    )
    repeats_now, repeats_before = seen_by(user, repeats_now), seen_by(user, repeats_before)
    if repeats_before and doc.get("dialogue_id"):
        rounds = await earlier_followup(
            kit.reporting(request),
            commune.id,
            doc["dialogue_id"],
            [str(e["submission_id"]) for e in repeats_before if e.get("submission_id")],
        )
        repeats_before = with_followup(repeats_before, rounds)
    view = {
        **item_row(user, dialogue, doc, titles),
        "text": user.text_seen(doc.get("text")),
        "authority": AUTHORITY_VI.get(doc.get("authority_level") or ""),
        "source": doc.get("source"),
        "organisation": doc.get("organisation"),
    }
    view |= routing_view(doc, decision)
    # the issue's count as the documents print it, not the item's count on arrival
    view["raised"] = await issue_raised(
        kit.repo.submissions, doc, dialogue.year if dialogue else None, earlier
    )
    return kit.render(
        request,
        "item.html",
        status=status,
        title=f"Ý kiến {doc['tracking_code']}",
        commune_=commune,
        item=view,
        history=history,
        decision=decision,
        repeats_now=repeats_now,
        repeats_before=repeats_before,
        routing_error=routing_error,
        change_labels=CHANGE_LABELS_VI,
        notice=notice,
        enter_next=enter_next,
        pending=view["pending"],
        change_notes=NOTE_TO_RESIDENT_MAX,
        can_manage=user.role in MANAGERS,
        can_answer=user.role in ANSWERERS,
        topic_choices=topic_choices(dialogue, with_other=True),
        office_choices=[(o.id, titles[o.id]) for o in commune.offices],
        errors=errors or {},
        values=values or {},
    )
