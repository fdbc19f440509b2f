"""What several document kinds share (pure): header lines, the Party signature, how items are
merged into issues and numbered by topic, and the printed labels of an item's facts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, time
from typing import Any

from services.reporting.documents.assignee import era_renames, era_text
from services.reporting.documents.model import Earlier, Issue, MinutesInput, SignatureBlock, TopicGroup
from services.reporting.notice import RESOLUTION_WORKING_DAYS
from services.reporting.printed_text import one_paragraph, printed
from services.reporting.raised import CARRIED_OVER, times_raised
from shared.contracts import AuthorityLevel, ConclusionKind, Organisation, Source
from shared.directory import REFORM_DAY, Commune, Dialogue, Signature
from shared.templates import vn_date, vn_weekday

CARRIED_OVER_LABEL = "Tồn đọng từ năm trước"
_AUTHORITY_PREFIXES = (("TM.", "T/M"), ("KT.", "K/T"), ("TL.", "T/L"), ("TUQ.", "TUQ."))
# The two-level reform (Luật 72/2025/QH15, NĐ 150/2025): a dialogue held before this day prints
# the commune's offices by their titles of that time (`Office.legacy_name`).


def before_reform(dialogue: Dialogue) -> bool:
    return dialogue.meeting_date < REFORM_DAY


def office_titles(commune: Commune, dialogue: Dialogue) -> dict[str, str]:
    """Each office's id and today's name -> the title a document of this dialogue prints: the
    pre-reform title for a dialogue held before 1 July 2025 (today's name when it has none)."""
    return commune.office_titles_on(dialogue.meeting_date)


def of_era(
    commune: Commune,
    dialogue: Dialogue,
    items: Sequence[Mapping[str, Any]],
    meeting: Mapping[str, Any] | None,
    minutes: MinutesInput | None = None,
) -> tuple[Commune, list[Mapping[str, Any]], Mapping[str, Any] | None, MinutesInput | None]:
    """The commune, items, meeting record and minutes with every office named as of the dialogue's
    meeting date: offices, an item's office, a conclusion's office, an answer given by an office
    and a "Nơi nhận" line naming an office; the offices named inside staff-typed text (a
    conclusion, an answer at the meeting, an office's prepared answer) by the era's titles too
    (`assignee.era_text`). The one place where a document's era is decided."""
    renames = era_renames(commune, before_reform(dialogue))
    if not before_reform(dialogue):
        return commune, list(items), _era_record(meeting, renames, lambda name: name), minutes
    titles = office_titles(commune, dialogue)

    def title(name: Any) -> Any:
        return titles.get(name, name) if isinstance(name, str) else name

    era_commune = commune.model_copy(
        update={
            "offices": tuple(o.model_copy(update={"name": titles[o.id]}) for o in commune.offices),
            "recipients": tuple(title(r) for r in commune.recipients_on(dialogue.meeting_date)),
        }
    )
    era_items: list[Mapping[str, Any]] = [
        {
            **i,
            "office_name": titles.get(i.get("office_id") or "", title(i.get("office_name"))),
            **({"answer": era_text(str(i["answer"]), renames)} if i.get("answer") else {}),
        }
        if i.get("office_name") or i.get("office_id")
        else i
        for i in items
    ]
    if minutes is not None:
        minutes = replace(
            minutes, speeches=tuple(replace(s, answered_by=title(s.answered_by)) for s in minutes.speeches)
        )
    return era_commune, era_items, _era_record(meeting, renames, title), minutes


def _era_record(
    meeting: Mapping[str, Any] | None, renames: Mapping[str, str], title: Callable[[Any], Any]
) -> Mapping[str, Any] | None:
    """The record with each answer's and conclusion's office titled by `title`, and the offices
    named in an answer's text and a conclusion's text and reason (typed by staff) renamed to the
    era's titles (`era_text`); a resident's words (a question) are never rewritten."""
    if meeting is None:
        return None
    interventions = [
        {
            **i,
            "answers": [
                {**a, "by": title(a.get("by")), "text": era_text(str(a.get("text") or ""), renames)}
                for a in i.get("answers") or ()
            ],
        }
        for i in meeting.get("interventions") or ()
    ]
    meeting = {**meeting, "interventions": interventions} if interventions else meeting
    if not meeting.get("conclusions"):
        return meeting
    conclusions = {}
    for key, c in meeting["conclusions"].items():
        changed = {f: era_text(str(c[f]), renames) for f in ("text", "reason") if c.get(f)}
        if c.get("office_name"):
            changed["office_name"] = title(c["office_name"])
        conclusions[key] = {**c, **changed}
    return {**meeting, "conclusions": conclusions}


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


def province_line(commune: Commune, dialogue: Dialogue) -> str:
    """The higher Party committee in the header: the district's before the 2025 reform (when the
    commune's district is known), the province's since."""
    if before_reform(dialogue) and commune.district:
        return f"ĐẢNG BỘ HUYỆN {commune.district.strip().upper()}"
    province = commune.province.strip()
    if province.lower().startswith(("tỉnh ", "thành phố ")):
        return f"ĐẢNG BỘ {province.upper()}"
    return f"ĐẢNG BỘ TỈNH {province.upper()}"


def source_label(item: Mapping[str, Any]) -> str:
    source = item.get("source") or Source.CITIZEN
    organisations = Organisation.labels_vi()
    if source == Source.MASS_ORGANISATION and item.get("organisation") in organisations:
        return organisations[item["organisation"]]
    if source == CARRIED_OVER:
        return CARRIED_OVER_LABEL
    return Source.labels_vi().get(source, source)


def unique(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _join(values: Sequence[str], empty: str = "") -> str:
    return ", ".join(values) if values else empty


def short_topic(dialogue: Dialogue, number: int, width: int = 34) -> str:
    name = "Khác" if number == 0 else f"{number}. {dialogue.topic_name(number)}"
    return name if len(name) <= width else name[: width - 1].rstrip(" ,") + "…"


def hamlet_names(commune: Commune, dialogue: Dialogue) -> list[str]:
    return [h.name for hid in dialogue.hamlet_ids for h in commune.hamlets if h.id == hid]


def meeting_sentence(commune: Commune, dialogue: Dialogue) -> str:
    return (
        f"Ngày {vn_date(dialogue.meeting_date)}, tại {dialogue.venue}, "
        f"Ban Thường vụ Đảng ủy {commune.display_name} "
        "tổ chức Hội nghị đối thoại giữa Bí thư Đảng ủy với nhân dân "
        f"năm {dialogue.year} với chủ đề: “{dialogue.theme}”."
    )


def authority_label(level: str, body: str | None) -> str:
    """``Cấp tỉnh (Sở Xây dựng)``; a body that carries its own parentheses is set off by a dash
    instead, so none nest: ``Cấp tỉnh – Sở Xây dựng (đường tỉnh)``."""
    if not body:
        return level
    return f"{level} – {body}" if "(" in body else f"{level} ({body})"


def within_commune(issue: Issue) -> bool:
    return issue.authority_level == AuthorityLevel.COMMUNE


# --- issues ---------------------------------------------------------------------------------


def issue_key(item: Mapping[str, Any], index: int = 0) -> str:
    """An issue's stable key: its cluster id, else the submission it duplicates, else its own id."""
    return str(
        item.get("cluster_id")
        or item.get("duplicate_of")
        or item.get("id")
        or item.get("_id")
        or item.get("tracking_code")
        or f"#{index}"
    )


def _earlier(entry: Mapping[str, Any], as_of: date | None) -> Earlier:
    """One earlier round of an issue, with its follow-up when one is on record
    (`raised.with_earlier_followup` puts it on the entry)."""
    due = entry.get("followup_due")
    return Earlier(
        entry["year"],
        printed(entry.get("text", "")),
        entry.get("answer"),
        conclusion=one_paragraph(str(entry.get("conclusion") or "")),
        office=str(entry.get("followup_office") or ""),
        status=str(entry.get("followup_status") or ""),
        due=date.fromisoformat(due[:10]) if isinstance(due, str) else due,
        as_of=as_of,
    )


def received(items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The items sent in this dialogue: not the earlier dialogues' unresolved issues carried over."""
    return [i for i in items if i.get("source") != CARRIED_OVER]


def carried_only(items: Sequence[Mapping[str, Any]], issues: Sequence[Issue]) -> int:
    """How many of `issues` (grouped from `items`) only carry an earlier dialogue's unresolved
    issue over (kéo dài), no item of this dialogue raising it: the notice and the report count
    them apart from the issues this dialogue's opinions were about, so the two numbers agree."""
    raised = {issue_key(i, n) for n, i in enumerate(items) if i.get("source") != CARRIED_OVER}
    return sum(1 for issue in issues if issue.key not in raised)


def raised_sentence(items: Sequence[Mapping[str, Any]], issues: Sequence[Issue], pending: int) -> str:
    """ "nhân dân đã nêu 3 ý kiến, kiến nghị, phản ánh về 2 vấn đề; ngoài ra 2 vấn đề kéo dài từ
    các năm trước chưa được giải quyết dứt điểm được xem xét lại": the opinions this dialogue
    received and the issues they are about, then the carried-over issues no one raised again."""
    carried = carried_only(items, issues)
    raised = len(issues) - carried
    if carried and not received(items):
        return (
            "không có ý kiến, kiến nghị, phản ánh mới của nhân dân; "
            f"{carried} vấn đề kéo dài từ các năm trước chưa được giải quyết dứt điểm được xem xét lại"
        )
    return (
        f"nhân dân đã nêu {len(received(items))} ý kiến, kiến nghị, phản ánh về {raised} vấn đề"
        + (f" ({pending} ý kiến đang phân loại)" if pending else "")
        + (
            f"; ngoài ra {carried} vấn đề kéo dài từ các năm trước chưa được giải quyết dứt điểm "
            "được xem xét lại"
            if carried
            else ""
        )
    )


def group_issues(
    commune: Commune, dialogue: Dialogue, items: Sequence[Mapping[str, Any]], as_of: date | None = None
) -> tuple[list[Issue], int]:
    """Routed items merged into issues (in order of first appearance, numbers unset) and the
    count of items not routed yet. `as_of`: the day an earlier round's follow-up is read on
    (overdue or not), the document's issue date."""
    office_name = {o.id: o.name for o in commune.offices}
    clusters: dict[str, list[Mapping[str, Any]]] = {}
    pending = 0
    for index, item in enumerate(items):
        if item.get("topic") is None:
            pending += 1
            continue
        clusters.setdefault(issue_key(item, index), []).append(item)
    whole = f"Toàn {commune.kind}"
    issues = []
    for key, members in clusters.items():
        # this dialogue's first petition leads (its words are quoted, its office routed); an issue
        # only carried over from earlier years is led by what was raised then
        sent = received(members)
        first = sent[0] if sent else members[0]
        level = first.get("authority_level") or AuthorityLevel.COMMUNE.value
        body = first.get("authority_body")
        years = sorted({y for m in members for y in (m.get("years_raised") or ())} | {dialogue.year})
        earlier: dict[tuple[int, str], Earlier] = {}
        for m in members:
            for e in m.get("earlier") or ():
                if e.get("year", dialogue.year) < dialogue.year:
                    # one line per earlier round's follow-up task, else per earlier text
                    earlier.setdefault(
                        (e["year"], e.get("followup_task") or e.get("text", "")), _earlier(e, as_of)
                    )
        earlier_years = tuple(
            sorted({y for y in years if y < dialogue.year} | {e.year for e in earlier.values()})
        )
        authority = AuthorityLevel.label_of(level)
        issues.append(
            Issue(
                key=key,
                number=0,
                topic=first["topic"],
                topic_name=first.get("topic_name") or dialogue.topic_name(first["topic"]),
                text=printed(first["text"]),
                hamlet=_join(unique([m.get("hamlet") or whole for m in members])),
                submitters="; ".join(unique([source_label(m) for m in members])),
                office=first.get("office_name")
                or office_name.get(first.get("office_id", ""), first.get("office_id", "")),
                coordinating=tuple(office_name.get(o, o) for o in first.get("coordinating_office_ids") or ()),
                authority_level=level,
                authority=authority_label(authority, body if level != AuthorityLevel.COMMUNE else None),
                authority_body=body,
                count=max(1, len(sent)),
                times_raised=times_raised(members, dialogue.year),
                years_raised=tuple(sorted(set(years) | set(earlier_years))),
                long_running=bool(earlier_years),
                earlier=tuple(sorted(earlier.values(), key=lambda e: e.year)),
                needs_review=any(m.get("needs_review") for m in members),
                other_texts=unique([printed(m["text"]) for m in sent if m["text"] != first["text"]]),
                prepared_answer=next((str(m["answer"]) for m in members if m.get("answer")), ""),
                earlier_years=earlier_years,
            )
        )
    return issues, pending


def topic_order(dialogue: Dialogue) -> list[int]:
    return sorted(t.number for t in dialogue.topics) + [0]


def repeated_first(issues: Sequence[Issue]) -> list[Issue]:
    """`issues` with the repeated ones first, so a reader meets them before the rest: carried
    over from earlier years first, then raised several times this year, each the most raised
    first; otherwise in their order."""
    return sorted(issues, key=lambda i: (not i.long_running, not i.repeated, -i.times_raised))


def topic_groups(
    dialogue: Dialogue, issues: Sequence[Issue], start: int = 1
) -> tuple[tuple[TopicGroup, ...], int]:
    """The issues by the plan's topics (then khác), numbered from `start`, the repeated ones
    first within each topic (`repeated_first`)."""
    groups, number = [], start
    for topic in topic_order(dialogue):
        members = repeated_first([i for i in issues if i.topic == topic])
        if not members:
            continue
        numbered = []
        for issue in members:
            numbered.append(replace(issue, number=number))
            number += 1
        groups.append(TopicGroup(topic, topic_heading(dialogue, topic), tuple(numbered)))
    return tuple(groups), number


def topic_heading(dialogue: Dialogue, topic: int) -> str:
    return f"{topic}. {dialogue.topic_name(topic)}" if topic else "Khác (ngoài các nội dung trọng tâm)"


def in_section_one(issue: Issue) -> bool:
    """The notice's section I: what a commune office settles. The Secretary's conclusion decides
    (assigned to an office, or recommended upward); an issue without one goes by its authority."""
    if issue.conclusion_kind == ConclusionKind.ASSIGNED:
        return True
    return within_commune(issue) and issue.conclusion_kind != ConclusionKind.RECOMMENDED


def closed_at_meeting(issue: Issue) -> bool:
    """Answered, or explained, at the meeting: the notice's last section, no follow-up needed."""
    return bool(issue.conclusion_kind) and not ConclusionKind(issue.conclusion_kind).needs_action


def notice_sections(
    dialogue: Dialogue, issues: Sequence[Issue]
) -> tuple[tuple[TopicGroup, ...], tuple[Issue, ...], tuple[Issue, ...]]:
    """The one numbering of a dialogue's issues, the conclusion notice's: section I (what a
    commune office settles, `in_section_one`) by topic, numbered 1..k (`topic_groups`); section
    II (recommended to the higher level) k+1..m; section III (closed at the meeting) m+1..n;
    repeated issues first in each (`repeated_first`). Each issue carries its conclusion's kind
    when the Secretary concluded on it (`with_conclusion_kinds`), so a conclusion recorded at the
    meeting can move an issue to another section: the numbers are the notice's as it stands.
    The meeting page, the minutes and the report name an issue by this number (`notice_numbers`),
    as the follow-up tasks (`notice_number`) and the residents' pages do."""
    open_ones = [i for i in issues if not closed_at_meeting(i)]
    within = [i for i in open_ones if in_section_one(i)]
    above = [i for i in open_ones if not in_section_one(i)]
    groups, next_number = topic_groups(dialogue, within)
    escalations = tuple(replace(i, number=n) for n, i in enumerate(repeated_first(above), start=next_number))
    start = next_number + len(escalations)
    closed = [i for i in issues if closed_at_meeting(i)]
    answered = tuple(replace(i, number=n) for n, i in enumerate(repeated_first(closed), start=start))
    return groups, escalations, answered


def notice_numbers(dialogue: Dialogue, issues: Sequence[Issue]) -> dict[str, int]:
    """Each issue's key -> its number in the conclusion notice (`notice_sections`)."""
    groups, escalations, answered = notice_sections(dialogue, issues)
    return {i.key: i.number for i in (*(i for g in groups for i in g.issues), *escalations, *answered)}


def with_conclusion_kinds(issues: Sequence[Issue], meeting: Mapping[str, Any] | None) -> list[Issue]:
    """`issues` with the kind of the Secretary's conclusion on each (the meeting record's), all
    `notice_sections` needs to number them as the notice does."""
    conclusions: Mapping[str, Mapping[str, Any]] = (meeting or {}).get("conclusions") or {}
    return [
        replace(i, conclusion_kind=str(conclusions[i.key]["kind"]))
        if conclusions.get(i.key, {}).get("kind")
        else i
        for i in issues
    ]


def numbered_as_notice(
    dialogue: Dialogue, issues: Sequence[Issue], meeting: Mapping[str, Any] | None = None
) -> list[Issue]:
    """`issues`, in their order, each with its number in the conclusion notice; the conclusion
    kinds of `meeting` (the record) decide the sections, unless the issues carry them already."""
    numbers = notice_numbers(dialogue, with_conclusion_kinds(issues, meeting))
    return [replace(i, number=numbers[i.key]) for i in issues]


def by_topic_as_notice(
    dialogue: Dialogue, issues: Sequence[Issue], meeting: Mapping[str, Any] | None = None
) -> tuple[TopicGroup, ...]:
    """The issues by the plan's topics (then khác), as the summary report lists them, each with
    its number in the conclusion notice (`numbered_as_notice`), in that order within its topic:
    those the notice puts in section II or III come after the topic's section I issues."""
    numbered = numbered_as_notice(dialogue, issues, meeting)
    groups = []
    for topic in topic_order(dialogue):
        members = sorted((i for i in numbered if i.topic == topic), key=lambda i: i.number)
        if members:
            groups.append(TopicGroup(topic, topic_heading(dialogue, topic), tuple(members)))
    return tuple(groups)


def with_deadlines(
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
