"""Báo cáo tổng hợp (BC): the summary of opinions before the meeting, every issue in its table by
topic (1-6, then khác) under its number in the conclusion notice (`common.by_topic_as_notice`),
counts by source, kind, hamlet and topic, the plan's reporting deadlines, proposals to the
Standing Committee and bar charts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from services.reporting.documents.common import (
    by_topic_as_notice,
    carried_only,
    group_issues,
    received,
    short_topic,
    source_label,
    topic_order,
    within_commune,
)
from services.reporting.documents.kinds.base import Body, BuildContext, DocumentKindSpec, party_office
from services.reporting.documents.model import Chart, CountRow, DeadlineRow, Issue, ReportPart
from services.reporting.documents.record import reviewed
from shared.clock import VIETNAM_TZ
from shared.contracts import DocumentKind, Kind, Source
from shared.directory import Commune, Dialogue
from shared.plan_deadlines import body_name, plan_deadlines

_DEADLINE_FAMILIES = ("reports", "front_reports", "organisation_reports", "hamlet_reports")


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


def _deadline_key(commune: Commune, item: Mapping[str, Any]) -> str | None:
    source = item.get("source")
    if source == Source.PEOPLES_COMMITTEE:
        return "reports"
    if source == Source.FATHERLAND_FRONT:
        return "front_reports"
    if source == Source.MASS_ORGANISATION:
        return (
            f"organisation_reports:{item.get('organisation')}"
            if item.get("organisation")
            else "organisation_reports"
        )
    if source == Source.HAMLET_PARTY_CELL:
        hamlet = next((h for h in commune.hamlets if h.name == item.get("hamlet")), None)
        return f"hamlet_reports:{hamlet.id}" if hamlet else "hamlet_reports"
    return None


def _deadline_rows(
    commune: Commune,
    dialogue: Dialogue,
    items: Sequence[Mapping[str, Any]],
    duties_done: Mapping[str, Mapping[str, Any]],
) -> tuple[DeadlineRow, ...]:
    """One row per reporting duty of the plan: the items each body sent and whether in time,
    or, when none came in through the system, whether the Party office recorded its report as
    received (`duties_done`: the plan's duties marked done, by deadline key)."""
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
                recorded=_recorded(duties_done.get(d.key)),
            )
        )
    return tuple(rows)


def _recorded(mark: Mapping[str, Any] | None) -> str | None:
    if mark is None:
        return None
    return " ".join(str(mark.get("note") or "").split())


def _proposals(issues: Sequence[Issue], pending: int, options: Mapping[str, Any]) -> tuple[str, ...]:
    within = [i for i in issues if within_commune(i)]
    above = [i for i in issues if not within_commune(i)]
    per_office = Counter(i.office for i in within)
    out = [
        f"Đề nghị Thường trực Đảng ủy giao {office} chuẩn bị nội dung trả lời {count:02d} vấn đề "
        "tại buổi đối thoại."
        for office, count in per_office.most_common()
    ]
    if above:
        out.append(
            f"Đối với {len(above):02d} vấn đề vượt thẩm quyền cấp xã (mục 3), đề nghị Thường trực Đảng ủy "
            "chỉ đạo tham mưu văn bản kiến nghị cấp trên xem xét, giải quyết."
        )
    long_running = [i for i in issues if i.long_running]
    if long_running:
        out.append(
            f"Ưu tiên giải quyết dứt điểm {len(long_running):02d} vấn đề nhân dân đã kiến nghị nhiều lần "
            "từ các năm trước; cơ quan được giao báo cáo rõ nguyên nhân chưa giải quyết."
        )
    if pending:
        out.append(
            f"Còn {pending:02d} ý kiến đang phân loại; Văn phòng Đảng ủy tiếp tục tổng hợp, báo cáo bổ sung."
        )
    out.extend(options.get("proposals") or ())
    return tuple(out)


def _report(
    commune: Commune,
    dialogue: Dialogue,
    items: Sequence[Mapping[str, Any]],
    options: Mapping[str, Any],
    meeting: Mapping[str, Any] | None = None,
    issued_on: date | None = None,
    duties_done: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[ReportPart, tuple[Chart, ...]]:
    issues, pending = group_issues(commune, dialogue, items, issued_on)
    issues = reviewed(issues, meeting)  # each issue with the summary staff reviewed, like the notice
    # every issue under its number in the conclusion notice (the meeting's conclusions decide its
    # section there), so the report, the minutes, the notice and the pages name it alike
    groups = by_topic_as_notice(dialogue, issues, meeting)
    numbered = sorted((i for g in groups for i in g.issues), key=lambda i: i.number)
    whole = f"Toàn {commune.kind}"

    def rows(counter: Counter[Any], order: Sequence[str] | None = None) -> tuple[CountRow, ...]:
        keys = list(order) if order else [k for k, _ in counter.most_common()]
        return tuple(CountRow(k, counter[k]) for k in keys if counter[k])

    kind_labels = Kind.labels_vi()
    sent = received(items)  # what this dialogue received: the counts leave carried-over issues out
    routed = [i for i in sent if i.get("topic") is not None]
    by_source = Counter(source_label(i) for i in sent)
    by_kind = Counter(kind_labels.get(i.get("kind") or Kind.OPINION, i.get("kind")) for i in sent)
    hamlet_order = [h.name for h in commune.hamlets] + [whole]
    by_hamlet = Counter(i.get("hamlet") or whole for i in sent)
    topic_labels = {n: short_topic(dialogue, n, 200) for n in topic_order(dialogue)}
    by_topic = Counter(topic_labels.get(i["topic"], str(i["topic"])) for i in routed)
    deadlines = _deadline_rows(commune, dialogue, items, duties_done or {})
    report = ReportPart(
        total_items=len(sent),
        total_issues=len(numbered),
        carried_issues=carried_only(items, numbered),
        pending=pending,
        by_source=rows(by_source),
        by_kind=rows(by_kind, list(kind_labels.values())),
        by_hamlet=rows(by_hamlet, hamlet_order + sorted(set(by_hamlet) - set(hamlet_order))),
        by_topic=rows(by_topic, [topic_labels[n] for n in topic_order(dialogue)]),
        groups=groups,
        above=tuple(i for i in numbered if not within_commune(i)),
        long_running=tuple(i for i in numbered if i.long_running),
        repeated=tuple(i for i in numbered if i.repeated),
        deadlines=deadlines,
        proposals=_proposals(numbered, pending, options),
    )
    charts: tuple[Chart, ...] = ()
    if options.get("charts", True):
        charts = _charts(dialogue, routed, numbered, report)
    return report, charts


def _charts(
    dialogue: Dialogue, routed: Sequence[Mapping[str, Any]], numbered: Sequence[Issue], report: ReportPart
) -> tuple[Chart, ...]:
    from services.reporting.documents.charts import bar_chart  # matplotlib loads only when drawing

    topic_counts = Counter(i["topic"] for i in routed)
    topics = [n for n in topic_order(dialogue) if topic_counts[n]]
    repeats = Counter(
        "Kéo dài từ năm trước"
        if i.long_running
        else ("Nêu nhiều lần trong năm" if i.count > 1 else "Nêu một lần")
        for i in numbered
    )
    repeat_labels = [
        k for k in ("Nêu một lần", "Nêu nhiều lần trong năm", "Kéo dài từ năm trước") if repeats[k]
    ]
    deadlines = report.deadlines

    def chart(
        name: str, title: str, labels: list[str], series: list[tuple[str, list[int]]], **kw: Any
    ) -> Chart | None:
        if not any(value for _, values in series for value in values):
            return None  # a chart of nothing (no report sent in, no repeat) is left out

        def draw(fmt: str) -> bytes:
            return bar_chart(title, labels, series, fmt=fmt, **kw)

        return Chart(name, title.split(" (")[0], draw)

    drawn = (
        chart(
            "topics",
            "Số ý kiến theo nội dung",
            [short_topic(dialogue, n, 200) for n in topics],
            [("Ý kiến", [topic_counts[n] for n in topics])],
        ),
        chart(
            "hamlets",
            "Số ý kiến theo ấp",
            [r.label for r in report.by_hamlet],
            [("Ý kiến", [r.count for r in report.by_hamlet])],
        ),
        chart(
            "sources",
            "Số ý kiến theo nguồn tiếp nhận",
            [r.label for r in report.by_source],
            [("Ý kiến", [r.count for r in report.by_source])],
        ),
        chart(
            "repeats",
            "Vấn đề nêu lặp lại",
            repeat_labels,
            [("Vấn đề", [repeats[k] for k in repeat_labels])],
            horizontal=False,
        ),
        chart(
            "deadlines",
            "Báo cáo gửi đúng hạn theo kế hoạch (số ý kiến)",
            [r.body for r in deadlines],
            [("Đúng hạn", [r.on_time for r in deadlines]), ("Trễ hạn", [r.late for r in deadlines])],
        ),
    )
    return tuple(c for c in drawn if c is not None)


def build(ctx: BuildContext) -> Body:
    dialogue = ctx.dialogue
    report, charts = _report(
        ctx.commune, dialogue, ctx.items, ctx.options, ctx.meeting, ctx.issued_on, ctx.duties_done
    )
    return Body(
        subject="Tổng hợp ý kiến, kiến nghị, phản ánh của nhân dân phục vụ Hội nghị đối thoại giữa "
        f"Bí thư Đảng ủy với nhân dân năm {dialogue.year}",
        parts={"report": report},
        charts=charts,
        intro=(
            f"Thực hiện {dialogue.title}, Văn phòng Đảng ủy đã tổng hợp, phân loại các ý kiến, kiến nghị, "
            "phản ánh của nhân dân qua báo cáo của UBND xã, Ủy ban MTTQ, các đoàn thể, chi ủy các chi bộ ấp "
            "và ý kiến trực tiếp của nhân dân, báo cáo Thường trực Đảng ủy như sau:",
        ),
    )


def recipients(commune: Commune) -> Sequence[str]:
    """The Party office reports to the Standing Committee (seed IV.3), not to the province."""
    return ["Thường trực Đảng ủy (b/c)"]


SPEC = DocumentKindSpec(
    kind=DocumentKind.SUMMARY_REPORT,
    code="BC",
    type_title="BÁO CÁO",
    build=build,
    recipients=recipients,
    options=frozenset({"proposals", "charts"}),
    signers=party_office,
)
