"""`build_data`: from the plan, the read-model items and the minutes to a `DocumentData` (pure:
no I/O, no clock; the same inputs give the same document, charts included).

Items are read-model dicts (see ``services/reporting/projection.py``). Items without a topic
are still being classified: they are counted ("đang phân loại") but get no conclusion.
Submissions of this dialogue raising the same issue (same ``cluster_id``, else the same
``duplicate_of``) are merged into one `Issue`, printed once with "(n lần)"; an issue also
raised in earlier years is "kéo dài" and carries the earlier answers.

Numbering of issues: the summary report numbers every issue 1..n in its table (topics 1-6, then
khác); the conclusion notice numbers the conclusions within commune authority 1..k by topic
and continues k+1..n with the recommendations to the higher level, so each issue has exactly
one number. Deadlines for offices are working days counted from the notice's issue date
(default 30, `options["resolution_working_days"]`, or per topic with
`options["resolution_working_days_by_topic"]`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any

from services.reporting.documents.model import (
    KINDS,
    PARTY_OFFICE_FILE_LINE,
    TYPE_CODES,
    TYPE_TITLES,
    BodyGroup,
    Chart,
    CountRow,
    DeadlineRow,
    DocumentData,
    Earlier,
    EscalationPart,
    InvitationPart,
    Issue,
    MinutesInput,
    MinutesPart,
    NoticePart,
    RadioPart,
    ReportPart,
    SignatureBlock,
    TopicGroup,
    check_kind,
)
from services.reporting.notice import CONCLUSION_DUE_WORKING_DAYS, RESOLUTION_WORKING_DAYS
from shared.clock import VIETNAM_TZ
from shared.directory import Commune, Dialogue, Signature
from shared.templates import vn_date, vn_weekday

SOURCE_LABELS = {
    "citizen": "Người dân",
    "hamlet_party_cell": "Chi ủy chi bộ ấp",
    "fatherland_front": "Ủy ban MTTQ xã",
    "mass_organisation": "Đoàn thể xã",
    "peoples_committee": "UBND xã",
    "carried_over": "Tồn đọng từ năm trước",  # unresolved conclusions carried into this dialogue
}
ORGANISATION_LABELS = {
    "womens_union": "Hội Liên hiệp Phụ nữ xã",
    "farmers_union": "Hội Nông dân xã",
    "veterans_association": "Hội Cựu chiến binh xã",
    "youth_union": "Đoàn Thanh niên xã",
}
ITEM_KIND_LABELS = {"opinion": "Ý kiến", "petition": "Kiến nghị", "complaint": "Phản ánh"}
AUTHORITY_LABELS = {"commune": "Cấp xã", "province": "Cấp tỉnh", "central": "Trung ương"}
OPTIONS = frozenset(
    {
        "numbered",
        "signature",
        "recipients",
        "place",
        "addressees",
        "invitees",
        "resolution_working_days",
        "resolution_working_days_by_topic",
        "proposals",
        "charts",
        "registration_hint",
    }
)
_AUTHORITY_PREFIXES = (("TM.", "T/M"), ("KT.", "K/T"), ("TL.", "T/L"), ("TUQ.", "TUQ."))


# --- small helpers --------------------------------------------------------------------------


def when_text(day: date, at: time) -> str:
    """``07 giờ 30, thứ Bảy, ngày 25/03/2017``."""
    return f"{at.hour:02d} giờ {at.minute:02d}, {vn_weekday(day)}, ngày {vn_date(day)}"


def clock_text(at: time) -> str:
    return f"{at.hour:02d} giờ {at.minute:02d}"


def party_signature(signature: Signature | Mapping[str, str]) -> SignatureBlock:
    """The commune's signature in Party style: ``T/M``, ``K/T``, ``T/L`` (a slash, upper case);
    state-style ``TM.``/``KT.``/``TL.`` are converted."""
    if isinstance(signature, Mapping):
        signature = Signature(**signature)
    authority = " ".join(signature.authority.split()).upper()
    for state, party in _AUTHORITY_PREFIXES:
        if authority.startswith(state):
            authority = party + authority[len(state) :]
            break
    return SignatureBlock(
        authority=authority, title=" ".join(signature.title.split()).upper(), name=signature.name.strip()
    )


def province_line(commune: Commune) -> str:
    province = commune.province.strip()
    if province.lower().startswith(("tỉnh ", "thành phố ")):
        return f"ĐẢNG BỘ {province.upper()}"
    return f"ĐẢNG BỘ TỈNH {province.upper()}"


def _received_day(item: Mapping[str, Any]) -> date | None:
    value = item.get("received_at")
    if isinstance(value, datetime):
        return value.astimezone(VIETNAM_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed.astimezone(VIETNAM_TZ).date() if parsed.tzinfo else parsed.date()
    return None


def source_label(item: Mapping[str, Any]) -> str:
    source = item.get("source") or "citizen"
    if source == "mass_organisation" and item.get("organisation") in ORGANISATION_LABELS:
        return ORGANISATION_LABELS[item["organisation"]]
    return SOURCE_LABELS.get(source, source)


def _unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _join(values: Sequence[str], empty: str = "") -> str:
    return ", ".join(values) if values else empty


def short_topic(dialogue: Dialogue, number: int, width: int = 34) -> str:
    name = "Khác" if number == 0 else f"{number}. {dialogue.topic_name(number)}"
    return name if len(name) <= width else name[: width - 1].rstrip(" ,") + "…"


# --- issues ---------------------------------------------------------------------------------


def _issue_key(item: Mapping[str, Any], index: int) -> str:
    return str(
        item.get("cluster_id")
        or item.get("duplicate_of")
        or item.get("id")
        or item.get("tracking_code")
        or f"#{index}"
    )


def group_issues(
    commune: Commune, dialogue: Dialogue, items: Sequence[Mapping[str, Any]]
) -> tuple[list[Issue], int]:
    """Routed items merged into issues (in order of first appearance, numbers unset) and the
    count of items not routed yet."""
    office_name = {o.id: o.name for o in commune.offices}
    clusters: dict[str, list[Mapping[str, Any]]] = {}
    pending = 0
    for index, item in enumerate(items):
        if item.get("topic") is None:
            pending += 1
            continue
        clusters.setdefault(_issue_key(item, index), []).append(item)
    whole = f"Toàn {commune.kind}"
    issues = []
    for members in clusters.values():
        first = members[0]
        level = first.get("authority_level") or "commune"
        body = first.get("authority_body")
        years = sorted({y for m in members for y in (m.get("years_raised") or ())} | {dialogue.year})
        earlier: dict[tuple[int, str], Earlier] = {}
        for m in members:
            for e in m.get("earlier") or ():
                if e.get("year", dialogue.year) < dialogue.year:
                    earlier.setdefault(
                        (e["year"], e.get("text", "")), Earlier(e["year"], e.get("text", ""), e.get("answer"))
                    )
        earlier_years = tuple(
            sorted({y for y in years if y < dialogue.year} | {e.year for e in earlier.values()})
        )
        authority = AUTHORITY_LABELS.get(level, level)
        issues.append(
            Issue(
                number=0,
                topic=first["topic"],
                topic_name=first.get("topic_name") or dialogue.topic_name(first["topic"]),
                text=first["text"],
                hamlet=_join(_unique([m.get("hamlet") or whole for m in members])),
                submitters="; ".join(_unique([source_label(m) for m in members])),
                office=first.get("office_name")
                or office_name.get(first.get("office_id", ""), first.get("office_id", "")),
                coordinating=tuple(office_name.get(o, o) for o in first.get("coordinating_office_ids") or ()),
                authority_level=level,
                authority=f"{authority} ({body})" if body and level != "commune" else authority,
                authority_body=body,
                count=len(members),
                times_raised=max(
                    max((m.get("times_raised") or 1) for m in members), len(earlier) + len(members)
                ),
                years_raised=tuple(sorted(set(years) | set(earlier_years))),
                long_running=bool(earlier_years),
                earlier=tuple(sorted(earlier.values(), key=lambda e: e.year)),
                needs_review=any(m.get("needs_review") for m in members),
                other_texts=_unique([m["text"] for m in members[1:] if m["text"] != first["text"]]),
                earlier_years=earlier_years,
            )
        )
    return issues, pending


def _topic_order(dialogue: Dialogue) -> list[int]:
    return sorted(t.number for t in dialogue.topics) + [0]


def _topic_groups(
    dialogue: Dialogue, issues: Sequence[Issue], start: int = 1
) -> tuple[tuple[TopicGroup, ...], int]:
    groups, number = [], start
    for topic in _topic_order(dialogue):
        members = [i for i in issues if i.topic == topic]
        if not members:
            continue
        numbered = []
        for issue in members:
            numbered.append(replace(issue, number=number))
            number += 1
        heading = f"{topic}. {dialogue.topic_name(topic)}" if topic else "Khác (ngoài các nội dung trọng tâm)"
        groups.append(TopicGroup(topic, heading, tuple(numbered)))
    return tuple(groups), number


def _with_deadlines(
    commune: Commune, issues: Sequence[Issue], issued_on: date, options: Mapping[str, Any]
) -> list[Issue]:
    calendar = commune.working_calendar()
    default = int(options.get("resolution_working_days", RESOLUTION_WORKING_DAYS))
    by_topic = {int(k): int(v) for k, v in (options.get("resolution_working_days_by_topic") or {}).items()}
    deadlines: dict[int, date] = {}  # working days -> date: the calendar is slow to ask
    out = []
    for issue in issues:
        days = by_topic.get(issue.topic, default)
        if days not in deadlines:
            deadlines[days] = calendar.nth_working_day_after(issued_on, days)
        out.append(replace(issue, deadline=deadlines[days], deadline_working_days=days))
    return out


# --- per kind -------------------------------------------------------------------------------


def _hamlet_names(commune: Commune, dialogue: Dialogue) -> list[str]:
    return [h.name for hid in dialogue.hamlet_ids for h in commune.hamlets if h.id == hid]


def _meeting_sentence(commune: Commune, dialogue: Dialogue) -> str:
    return (
        f"Ngày {vn_date(dialogue.meeting_date)}, tại {dialogue.venue}, Ban Thường vụ Đảng ủy {commune.display_name} "
        f"tổ chức Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year} với chủ đề: “{dialogue.theme}”."
    )


def _invitation(
    commune: Commune, dialogue: Dialogue, options: Mapping[str, Any]
) -> tuple[InvitationPart, tuple[str, ...]]:
    hamlets = _hamlet_names(commune, dialogue)
    invitees = tuple(options.get("invitees") or ())
    if not invitees:
        invitees = tuple(f"Đồng chí {d.name}" for d in dialogue.delegates) + (
            (
                f"Chi ủy chi bộ, Ban công tác Mặt trận, Ban quản lý tổ tự quản và đại diện nhân dân {', '.join(hamlets)}",
            )
            if hamlets
            else ()
        )
    content = (
        f"Dự Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year}, chủ đề: “{dialogue.theme}”.",
        f"Nội dung đối thoại tập trung vào {len(dialogue.topics):02d} vấn đề trọng tâm: "
        + "; ".join(t.name[0].lower() + t.name[1:] for t in sorted(dialogue.topics, key=lambda t: t.number))
        + ".",
    )
    part = InvitationPart(
        invitees=invitees,
        when=when_text(dialogue.meeting_date, dialogue.meeting_time),
        venue=dialogue.venue
        if commune.display_name in dialogue.venue
        else f"{dialogue.venue} {commune.display_name}",
        content=content,
        closing="Đề nghị các đồng chí, đại biểu sắp xếp thời gian đến dự đúng giờ. Trân trọng kính mời./.",
    )
    intro = (f"Ban Thường vụ Đảng ủy {commune.display_name} trân trọng kính mời:",)
    return part, intro


_DEADLINE_FAMILIES = ("reports", "front_reports", "organisation_reports", "hamlet_reports")


def _deadline_key(commune: Commune, item: Mapping[str, Any]) -> str | None:
    source = item.get("source")
    if source == "peoples_committee":
        return "reports"
    if source == "fatherland_front":
        return "front_reports"
    if source == "mass_organisation":
        return (
            f"organisation_reports:{item.get('organisation')}"
            if item.get("organisation")
            else "organisation_reports"
        )
    if source == "hamlet_party_cell":
        hamlet = next((h for h in commune.hamlets if h.name == item.get("hamlet")), None)
        return f"hamlet_reports:{hamlet.id}" if hamlet else "hamlet_reports"
    return None


def _deadline_rows(
    commune: Commune, dialogue: Dialogue, items: Sequence[Mapping[str, Any]]
) -> tuple[DeadlineRow, ...]:
    from shared.plan_deadlines import body_name, plan_deadlines

    deadlines = [d for d in plan_deadlines(commune, dialogue) if d.key.split(":", 1)[0] in _DEADLINE_FAMILIES]
    by_key = {d.key: d for d in deadlines}
    received: dict[str, list[date | None]] = {d.key: [] for d in deadlines}
    for item in items:
        key = _deadline_key(commune, item)
        if key is None:
            continue
        if key not in by_key:  # a shared duty not split per body in this plan
            key = next((k for k in by_key if k.split(":", 1)[0] == key.split(":", 1)[0]), None)
        if key is not None:
            received[key].append(_received_day(item))
    rows = []
    for d in deadlines:
        days = received[d.key]
        on_time = sum(1 for day in days if day is None or day <= d.due)
        rows.append(
            DeadlineRow(
                body=body_name(commune, d.responsible),
                due=d.printed,
                received=len(days),
                on_time=on_time,
                late=len(days) - on_time,
            )
        )
    return tuple(rows)


def _proposals(issues: Sequence[Issue], pending: int, options: Mapping[str, Any]) -> tuple[str, ...]:
    within = [i for i in issues if i.authority_level == "commune"]
    above = [i for i in issues if i.authority_level != "commune"]
    per_office = Counter(i.office for i in within)
    out = [
        f"Đề nghị Thường trực Đảng ủy giao {office} chuẩn bị nội dung trả lời {count:02d} vấn đề tại buổi đối thoại."
        for office, count in per_office.most_common()
    ]
    if above:
        out.append(
            f"Đối với {len(above):02d} vấn đề vượt thẩm quyền cấp xã (mục 3), đề nghị Thường trực Đảng ủy chỉ đạo tham mưu văn bản kiến nghị cấp trên xem xét, giải quyết."
        )
    long_running = [i for i in issues if i.long_running]
    if long_running:
        out.append(
            f"Ưu tiên giải quyết dứt điểm {len(long_running):02d} vấn đề nhân dân đã kiến nghị nhiều lần từ các năm trước; cơ quan được giao báo cáo rõ nguyên nhân chưa giải quyết."
        )
    if pending:
        out.append(
            f"Còn {pending:02d} ý kiến đang phân loại; Văn phòng Đảng ủy tiếp tục tổng hợp, báo cáo bổ sung."
        )
    out.extend(options.get("proposals") or ())
    return tuple(out)


def _report(
    commune: Commune, dialogue: Dialogue, items: Sequence[Mapping[str, Any]], options: Mapping[str, Any]
) -> tuple[ReportPart, tuple[Chart, ...]]:
    issues, pending = group_issues(commune, dialogue, items)
    groups, _ = _topic_groups(dialogue, issues)
    numbered = [i for g in groups for i in g.issues]
    whole = f"Toàn {commune.kind}"

    def rows(counter: Counter, order: Sequence[str] | None = None) -> tuple[CountRow, ...]:
        keys = list(order) if order else [k for k, _ in counter.most_common()]
        return tuple(CountRow(k, counter[k]) for k in keys if counter[k])

    routed = [i for i in items if i.get("topic") is not None]
    by_source = Counter(source_label(i) for i in items)
    by_kind = Counter(ITEM_KIND_LABELS.get(i.get("kind") or "opinion", i.get("kind")) for i in items)
    hamlet_order = [h.name for h in commune.hamlets] + [whole]
    by_hamlet = Counter(i.get("hamlet") or whole for i in items)
    topic_labels = {n: short_topic(dialogue, n, 200) for n in _topic_order(dialogue)}
    by_topic = Counter(topic_labels.get(i["topic"], str(i["topic"])) for i in routed)
    deadlines = _deadline_rows(commune, dialogue, items)
    report = ReportPart(
        total_items=len(items),
        total_issues=len(numbered),
        pending=pending,
        by_source=rows(by_source),
        by_kind=rows(by_kind, list(ITEM_KIND_LABELS.values())),
        by_hamlet=rows(by_hamlet, hamlet_order + sorted(set(by_hamlet) - set(hamlet_order))),
        by_topic=rows(by_topic, [topic_labels[n] for n in _topic_order(dialogue)]),
        groups=groups,
        above=tuple(i for i in numbered if i.authority_level != "commune"),
        long_running=tuple(i for i in numbered if i.long_running),
        deadlines=deadlines,
        proposals=_proposals(numbered, pending, options),
    )
    charts: tuple[Chart, ...] = ()
    if options.get("charts", True):
        from services.reporting.documents.charts import bar_chart

        topic_counts = Counter(i["topic"] for i in routed)
        topics = [n for n in _topic_order(dialogue) if topic_counts[n]]
        repeats = Counter(
            "Kéo dài từ năm trước"
            if i.long_running
            else ("Nêu nhiều lần trong năm" if i.count > 1 else "Nêu một lần")
            for i in numbered
        )
        repeat_labels = [
            k for k in ("Nêu một lần", "Nêu nhiều lần trong năm", "Kéo dài từ năm trước") if repeats[k]
        ]
        charts = (
            Chart(
                "topics",
                "Số ý kiến theo nội dung",
                bar_chart(
                    "Số ý kiến theo nội dung",
                    [short_topic(dialogue, n) for n in topics],
                    [("Ý kiến", [topic_counts[n] for n in topics])],
                ),
            ),
            Chart(
                "hamlets",
                "Số ý kiến theo ấp",
                bar_chart(
                    "Số ý kiến theo ấp",
                    [r.label for r in report.by_hamlet],
                    [("Ý kiến", [r.count for r in report.by_hamlet])],
                ),
            ),
            Chart(
                "sources",
                "Số ý kiến theo nguồn tiếp nhận",
                bar_chart(
                    "Số ý kiến theo nguồn tiếp nhận",
                    [r.label for r in report.by_source],
                    [("Ý kiến", [r.count for r in report.by_source])],
                ),
            ),
            Chart(
                "repeats",
                "Vấn đề nêu lặp lại",
                bar_chart(
                    "Vấn đề nêu lặp lại",
                    repeat_labels,
                    [("Vấn đề", [repeats[k] for k in repeat_labels])],
                    horizontal=False,
                ),
            ),
            Chart(
                "deadlines",
                "Báo cáo gửi đúng hạn theo kế hoạch",
                bar_chart(
                    "Báo cáo gửi đúng hạn theo kế hoạch (số ý kiến)",
                    [r.body for r in deadlines],
                    [("Đúng hạn", [r.on_time for r in deadlines]), ("Trễ hạn", [r.late for r in deadlines])],
                ),
            ),
        )
    return report, charts


def _minutes(
    commune: Commune, dialogue: Dialogue, minutes: MinutesInput | None
) -> tuple[MinutesPart, SignatureBlock, SignatureBlock]:
    dots = "…………………………"
    if minutes is None:  # a blank form for the minute-taker, with the plan's parts filled in
        part = MinutesPart(
            opening=f"Vào lúc …… giờ ……, {vn_weekday(dialogue.meeting_date)}, ngày {vn_date(dialogue.meeting_date)}, tại {dialogue.venue}, Ban Thường vụ Đảng ủy {commune.display_name} tổ chức Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year}, chủ đề: “{dialogue.theme}”.",
            chair=f"Chủ trì: {dots}",
            secretary=f"Thư ký: {dots}",
            attendance="Tổng số đại biểu tham dự: ………… người.",
            delegates=tuple(dialogue.participants),
            agenda=tuple(dialogue.agenda),
            speeches=(),
            conclusion=(dots,),
            closing="Hội nghị kết thúc vào lúc …… giờ …… cùng ngày.",
        )
        return part, SignatureBlock("", "THƯ KÝ", ""), SignatureBlock("", "CHỦ TRÌ HỘI NGHỊ", "")
    day = minutes.meeting_date or dialogue.meeting_date
    venue = minutes.venue or dialogue.venue
    detail = "; ".join(f"{h}: {n} người" for h, n in minutes.attendance_by_hamlet.items())
    part = MinutesPart(
        opening=f"Vào lúc {when_text(day, minutes.started_at)}, tại {venue}, Ban Thường vụ Đảng ủy {commune.display_name} tổ chức Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year}, chủ đề: “{dialogue.theme}”.",
        chair=f"Chủ trì: {minutes.chair}",
        secretary=f"Thư ký: {minutes.secretary}",
        attendance=f"Tổng số đại biểu tham dự: {minutes.attendance} người"
        + (f" (trong đó {detail})" if detail else "")
        + ".",
        delegates=tuple(minutes.delegates_present or dialogue.participants),
        agenda=tuple(dialogue.agenda),
        speeches=tuple(minutes.speeches),
        conclusion=tuple(minutes.conclusion),
        closing=f"Hội nghị kết thúc vào lúc {clock_text(minutes.ended_at)} cùng ngày. Biên bản đã được thông qua tại hội nghị.",
    )
    return (
        part,
        SignatureBlock("", "THƯ KÝ", minutes.secretary_name),
        SignatureBlock("", "CHỦ TRÌ HỘI NGHỊ", minutes.chair_name),
    )


def _notice(
    commune: Commune,
    dialogue: Dialogue,
    items: Sequence[Mapping[str, Any]],
    issued_on: date,
    options: Mapping[str, Any],
) -> tuple[NoticePart, tuple[str, ...]]:
    issues, pending = group_issues(commune, dialogue, items)
    issues = _with_deadlines(commune, issues, issued_on, options)
    within = [i for i in issues if i.authority_level == "commune"]
    above = [i for i in issues if i.authority_level != "commune"]
    groups, next_number = _topic_groups(dialogue, within)
    escalations = tuple(replace(i, number=n) for n, i in enumerate(above, start=next_number))
    due = commune.working_calendar().nth_working_day_after(dialogue.meeting_date, CONCLUSION_DUE_WORKING_DAYS)
    intro = (
        _meeting_sentence(commune, dialogue)
        + f" Tại hội nghị và qua tổng hợp trước hội nghị, nhân dân đã nêu {len(items)} ý kiến, kiến nghị, phản ánh về {len(issues)} vấn đề"
        + (f" ({pending} ý kiến đang phân loại)" if pending else "")
        + ". Sau khi nghe ý kiến của nhân dân và phần trả lời của các cơ quan, đơn vị, Ban Thường vụ Đảng ủy kết luận như sau:",
    )
    follow_up = (
        "Các cơ quan, đơn vị được giao chủ trì chủ động phối hợp giải quyết, trả lời bằng văn bản cho nhân dân và báo cáo kết quả về Ban Thường vụ Đảng ủy (qua Văn phòng Đảng ủy) đúng thời hạn nêu trên.",
        f"Chi ủy các chi bộ ấp thông báo nội dung kết luận này trên hệ thống truyền thanh của ấp để nhân dân biết; Ủy ban MTTQ Việt Nam {commune.display_name} và các đoàn thể giám sát việc thực hiện.",
        "Giao Văn phòng Đảng ủy theo dõi, đôn đốc các cơ quan, đơn vị thực hiện và tham mưu văn bản kiến nghị cấp trên đối với các vấn đề tại mục II.",
    )
    return NoticePart(groups=groups, escalations=escalations, conclusion_due=due, follow_up=follow_up), intro


def _escalation(
    commune: Commune, dialogue: Dialogue, items: Sequence[Mapping[str, Any]], options: Mapping[str, Any]
) -> tuple[EscalationPart, tuple[str, ...]]:
    issues, _ = group_issues(commune, dialogue, items)
    above = [i for i in issues if i.authority_level != "commune"]
    bodies: dict[str, list[Issue]] = {}
    for issue in above:
        body = issue.authority_body or (
            "Cơ quan có thẩm quyền cấp tỉnh"
            if issue.authority_level == "province"
            else "Cơ quan Trung ương có thẩm quyền"
        )
        bodies.setdefault(body, []).append(issue)
    number, groups = 1, []
    for body, members in bodies.items():
        numbered = []
        for issue in members:
            numbered.append(replace(issue, number=number))
            number += 1
        groups.append(BodyGroup(body, tuple(numbered)))
    intro = (
        _meeting_sentence(commune, dialogue)
        + f" Qua đối thoại, nhân dân nêu {len(above):02d} vấn đề vượt thẩm quyền giải quyết của cấp xã. Ban Thường vụ Đảng ủy {commune.display_name} kính đề nghị xem xét, chỉ đạo các cơ quan có thẩm quyền giải quyết các nội dung sau:",
    )
    closing = (
        f"Ban Thường vụ Đảng ủy {commune.display_name} kính đề nghị quan tâm xem xét, chỉ đạo giải quyết và thông tin kết quả để địa phương trả lời cho nhân dân được biết./.",
    )
    return EscalationPart(groups=tuple(groups), closing=closing), intro


def _radio(
    commune: Commune, dialogue: Dialogue, options: Mapping[str, Any]
) -> tuple[RadioPart, str, tuple[str, ...]]:
    from services.reporting.radio import environment, radio_announcement
    from shared.plan_deadlines import plan_deadlines

    due = next(
        (
            d.plan_date
            for d in plan_deadlines(commune, dialogue)
            if d.key.split(":", 1)[0] == "hamlet_reports"
        ),
        None,
    )
    text = radio_announcement(
        environment(), commune, dialogue, registration_hint=options.get("registration_hint"), opinions_due=due
    )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # The template opens with "THÔNG BÁO", "Về việc …", "(Phát trên …)": the layout prints the
    # first two as type and subject.
    if lines and lines[0] == "THÔNG BÁO":
        lines = lines[1:]
    subject = (
        lines.pop(0)
        if lines and lines[0].startswith("Về việc")
        else f"Về việc tổ chức Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {dialogue.year}"
    )
    intro = (lines.pop(0),) if lines and lines[0].startswith("(") else ()
    return RadioPart(paragraphs=tuple(lines)), subject, intro


# --- entry point ----------------------------------------------------------------------------


def _recipients(
    kind: str, commune: Commune, dialogue: Dialogue, options: Mapping[str, Any]
) -> tuple[str, ...]:
    given = options.get("recipients")
    if given is not None:
        lines = [str(r).strip().lstrip("-").strip() for r in given]
    elif kind == "giay-moi":
        lines = ["Như thành phần mời", "Thường trực Đảng ủy (b/c)"]
    elif kind == "kien-nghi-cap-tren":
        lines = ["Như trên", "Thường trực Đảng ủy", f"UBND {commune.display_name}", "Chi bộ các ấp liên quan"]
    elif kind == "bien-ban":
        lines = ["Thường trực Đảng ủy", "Các cơ quan, đơn vị liên quan"]
    elif kind == "thong-bao-truyen-thanh":
        lines = [f"Đài truyền thanh {commune.display_name}", "Chi bộ các ấp"]
    else:
        lines = list(commune.recipients)
    lines = [
        line.rstrip(",;.").rstrip()
        for line in lines
        if line and line.rstrip(".") != PARTY_OFFICE_FILE_LINE.rstrip(".")
    ]
    return tuple(f"{line}," for line in lines) + (PARTY_OFFICE_FILE_LINE,)


def build_data(
    kind: str,
    commune: Commune,
    dialogue: Dialogue,
    items: Sequence[Mapping[str, Any]],
    *,
    number: int | None,
    issued_on: date,
    minutes: MinutesInput | None = None,
    options: Mapping[str, Any] = {},  # noqa: B006 - read only
) -> DocumentData:
    """Everything a template needs for one document of `kind` (pure).

    `number` is the next number in the committee term's register for the kind's type code;
    None prints a draft. `options` (all optional): ``numbered`` (False: no number line, for the
    invitation or the radio announcement), ``signature`` (a `Signature` or a mapping with
    authority/title/name, overriding the commune's), ``recipients`` (lines before "Lưu Văn
    phòng Đảng ủy."), ``place``, ``addressees`` (letter), ``invitees`` (invitation),
    ``resolution_working_days`` and ``resolution_working_days_by_topic`` (conclusion notice),
    ``proposals`` (extra report proposals), ``charts`` (False: no charts), ``registration_hint``
    (radio)."""
    check_kind(kind)
    unknown = set(options) - OPTIONS
    if unknown:
        raise ValueError(f"unknown document options: {', '.join(sorted(unknown))}")
    if number is not None and number < 1:
        raise ValueError("a document number starts at 1")
    signature = party_signature(options.get("signature") or commune.signature)
    left_signature = None
    type_title = TYPE_TITLES[kind]
    year = dialogue.year
    parts: dict[str, Any] = {}
    addressees: tuple[str, ...] = ()
    intro: tuple[str, ...] = ()
    closing: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()

    if kind == "giay-moi":
        subject = f"Dự Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {year}"
        parts["invitation"], intro = _invitation(commune, dialogue, options)
    elif kind == "bao-cao-tong-hop":
        subject = f"Tổng hợp ý kiến, kiến nghị, phản ánh của nhân dân phục vụ Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {year}"
        parts["report"], charts = _report(commune, dialogue, items, options)
        intro = (
            f"Thực hiện {dialogue.title}, Văn phòng Đảng ủy đã tổng hợp, phân loại các ý kiến, kiến nghị, phản ánh của nhân dân qua báo cáo của UBND xã, Ủy ban MTTQ, các đoàn thể, chi ủy các chi bộ ấp và ý kiến trực tiếp của nhân dân, báo cáo Thường trực Đảng ủy như sau:",
        )
    elif kind == "bien-ban":
        subject = f"Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {year}"
        parts["minutes"], left_signature, signature = _minutes(commune, dialogue, minutes)
    elif kind == "thong-bao-ket-luan":
        subject = f"Kết luận của Ban Thường vụ Đảng ủy tại Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân năm {year}"
        parts["notice"], intro = _notice(commune, dialogue, items, issued_on, options)
    elif kind == "kien-nghi-cap-tren":
        subject = (
            f"kiến nghị giải quyết các vấn đề vượt thẩm quyền cấp xã qua đối thoại với nhân dân năm {year}"
        )
        province = commune.province
        addressees = tuple(
            options.get("addressees")
            or (f"Ban Thường vụ Tỉnh ủy {province}", f"Ủy ban nhân dân tỉnh {province}")
        )
        parts["escalation"], intro = _escalation(commune, dialogue, items, options)
    else:  # thong-bao-truyen-thanh
        parts["radio"], subject, intro = _radio(commune, dialogue, options)

    return DocumentData(
        kind=kind,
        code=TYPE_CODES[kind],
        province_line=province_line(commune),
        committee_line=f"ĐẢNG ỦY {commune.display_name.upper()}",
        number=number,
        numbered=bool(options.get("numbered", True)),
        issued_on=issued_on,
        place=options.get("place") or commune.name,
        type_title=type_title,
        subject=subject,
        addressees=addressees,
        intro=intro,
        closing=closing,
        signature=signature,
        left_signature=left_signature,
        recipients=_recipients(kind, commune, dialogue, options),
        charts=charts,
        **parts,
    )


assert set(TYPE_CODES) == set(KINDS)
