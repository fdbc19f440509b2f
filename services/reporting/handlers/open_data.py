"""Open data: a dialogue's conclusions and how far each has got, without personal data.

Nothing a resident typed is published: an issue is shown by the summary the Party office
reviewed (the meeting record's `summaries`, by issue key), masked for personal data; an issue
without one shows only its topic and hamlet with `UNDER_REVIEW`. An issue the Party office keeps
out of public views (the record's `public` flag false: a family or land dispute, a complaint
about a named official) is left out entirely, row and all; issued documents still print it.

Once the conclusion notice is issued (the meeting record locked), each public output states what
the Secretary concluded (`public_outcome`): the office assigned, the higher-level body a
recommendation goes to, and for an issue answered or explained at the meeting its outcome, the
conclusion's own text masked; before the notice, routing's office and authority.

Every office is named as the dialogue's documents print it (`EraNames`: the titles of its era, so
a 2017 dialogue reads "Công chức Địa chính - …", never today's "Phòng Kinh tế"), and an issue lists
every hamlet that raised it, as the notice's "Ý kiến của nhân dân ấp Chợ, ấp Căn Cứ" does
(`HAMLETS_SEPARATOR` between them in one column, so the files keep their columns)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from services.reporting.documents.assignee import era_renames, era_text
from services.reporting.documents.common import before_reform, issue_key
from services.reporting.followup import past_due, raised_by_issue, with_times_raised
from services.reporting.handlers.errors import NotFound
from services.reporting.handlers.ports import Doc, FollowUpDeps, MeetingDeps
from services.reporting.meeting import withheld as withheld_keys
from services.reporting.printed_text import printed
from shared.contracts import AuthorityLevel, ConclusionKind, FollowUpStatus, PlanStatus
from shared.contracts.vocabulary import overdue_vi
from shared.directory import Commune, Dialogue
from shared.personal_data import mask_personal_data

NOT_CONCLUDED = "Đang tổng hợp"  # the status of a routed item before the conclusion notice
UNDER_REVIEW = "Nội dung đang được rà soát"  # an issue whose summary staff have not reviewed yet
HIGHER_LEVEL = "Cấp trên"  # the authority of an issue the Secretary recommended to a higher level
CLOSED_AT_MEETING = frozenset({ConclusionKind.ANSWERED, ConclusionKind.NO_ACTION})
HAMLETS_SEPARATOR = "; "  # between an issue's hamlets in the one "Ấp" column
WHOLE_COMMUNE = "Toàn xã"  # the hamlet of an item the whole commune raised (a phường's: "Toàn phường")


@dataclass(frozen=True)
class EraNames:
    """The commune's offices as one dialogue's documents name them: the titles of its era
    (`Commune.office_renames_on`, by today's name; a title of the other era is renamed too)
    and, inside staff-typed text (a conclusion, a reason), `assignee.era_text`. The documents
    decide the era (`before_reform`); public views only reuse it. Empty: names as stored."""

    titles: Mapping[str, str] = field(default_factory=dict)
    renames: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, commune: Commune, dialogue: Dialogue) -> EraNames:
        renames = era_renames(commune, before_reform(dialogue))
        return cls({**renames, **commune.office_renames_on(dialogue.meeting_date)}, renames)

    def office(self, name: str) -> str:
        return self.titles.get(name, name)

    def text(self, text: str) -> str:
        return era_text(text, self.renames)

    def by_name(self) -> dict[str, str]:
        """Each office name stored otherwise than this era prints it -> the era's title (what
        intake's pages apply to routing's office and a follow-up's office; empty after the reform)."""
        return dict(self.titles)


NAMED_AS_STORED = EraNames()


@dataclass(frozen=True)
class OpenData:
    commune: Commune
    dialogue: Dialogue
    rows: list[Doc]


@dataclass(frozen=True)
class PublicOutcome:
    """What a public view states of one issue: `office` who acts on it, `authority` the label of
    its level, `kind` the Secretary's conclusion (None: no published conclusion) and `text` the
    conclusion as published (masked, one paragraph; "" for none)."""

    office: str
    authority: str
    kind: ConclusionKind | None = None
    text: str = ""

    @property
    def closed_at_meeting(self) -> bool:
        """Answered and closed at the meeting, or explained with nothing to act on: no task opens."""
        return self.kind in CLOSED_AT_MEETING


def public_outcome(
    conclusion: Mapping[str, object] | None,
    office: str | None,
    authority_level: str | None,
    names: EraNames = NAMED_AS_STORED,
) -> PublicOutcome:
    """The issue as its published conclusion settles it (as the notice prints it): assigned, the
    office the Secretary named at the commune level; recommended, the named higher-level body;
    answered or explained, the office it names, else routing's. Without a conclusion: routing's
    `office` and `authority_level`. Offices, and offices named in the conclusion's text, by
    `names` (the dialogue's era)."""
    labels = AuthorityLevel.labels_vi()
    routed = labels.get(authority_level or AuthorityLevel.COMMUNE, "")
    office = names.office(office) if office else office
    if not conclusion:
        return PublicOutcome(office or "", routed)
    kind = ConclusionKind(str(conclusion["kind"]))
    text = names.text(str(conclusion.get("text") or ""))
    if kind is ConclusionKind.NO_ACTION:
        text = " ".join(t for t in (names.text(str(conclusion.get("reason") or "")), text) if t)
    named = names.office(str(conclusion.get("office_name") or ""))
    if kind is ConclusionKind.ASSIGNED:
        return PublicOutcome(named or office or "", labels[AuthorityLevel.COMMUNE], kind, printed(text))
    if kind is ConclusionKind.RECOMMENDED:
        body = str(conclusion.get("higher_body") or "")
        return PublicOutcome(body or office or "", HIGHER_LEVEL, kind, printed(text))
    return PublicOutcome(named or office or "", routed, kind, printed(text))


def published_conclusions(record: Mapping[str, object] | None) -> Mapping[str, Mapping[str, object]]:
    """The record's conclusions by issue key once the conclusion notice is issued (the record is
    locked then); none before: until then the public views show routing's office and authority."""
    if not record or not record.get("locked"):
        return {}
    conclusions = record.get("conclusions")
    return conclusions if isinstance(conclusions, Mapping) else {}


def public_text(key: str, summaries: Mapping[str, str]) -> str:
    """The reviewed summary of an issue, masked, or `UNDER_REVIEW`; never the text as typed."""
    return mask_personal_data(summaries.get(key)) or UNDER_REVIEW


def open_rows(
    tasks: list[Doc],
    items: list[Doc],
    summaries: Mapping[str, str] | None = None,
    withheld: frozenset[str] = frozenset(),
    raised: Mapping[str, int] | None = None,
    conclusions: Mapping[str, Mapping[str, object]] | None = None,
    names: EraNames = NAMED_AS_STORED,
    whole: str = WHOLE_COMMUNE,
    today: date | None = None,
) -> list[Doc]:
    """Once the conclusion notice is issued (there are tasks, or the published `conclusions` of
    the locked record: `published_conclusions`), its tasks and the issues answered or explained at
    the meeting, which open none (each by its first routed item, its status the conclusion's);
    before that, one row per issue (its first routed item: an issue raised 57 times is one row
    counting 57, not 57 rows). Each shows its issue's reviewed summary (tasks carry their issue's
    key as `cluster_id`), and its office, authority and conclusion as `public_outcome` states
    them; the issues whose key is `withheld` are left out. Once the notice is issued each row keeps
    the number the notice prints (`printed_numbers`: a withheld issue leaves a gap, as residents
    compare the page with the notice read out); before it, the rows are numbered in order. An
    item row shows its issue's count of times raised from `raised` (`followup.raised_by_issue`),
    a task row its own. Offices are named by `names` (`EraNames`); `hamlet` lists every hamlet
    of the issue's items (`whole` for an item of the whole commune), as the notice does. A task
    open after its due date on `today` (the commune's day) says so ("Đang giải quyết – quá hạn":
    `followup.past_due`, the staff board's "Quá hạn"), its note staying the staff's."""
    status, kinds = FollowUpStatus.labels_vi(), ConclusionKind.labels_vi()
    reviewed, published = summaries or {}, conclusions or {}

    firsts: dict[str, Doc] = {}
    hamlets: dict[str, list[str]] = {}
    for item in items:
        if item.get("topic") is not None:
            key = issue_key(item)
            firsts.setdefault(key, item)
            hamlets.setdefault(key, []).append(str(item.get("hamlet") or whole))
    keyed: list[tuple[str, Doc, bool]] = []  # (issue key, row, is a task)
    if tasks or published:
        keyed = [(str(t.get("cluster_id") or t["_id"]), t, True) for t in tasks]
        have = {key for key, _, _ in keyed}
        keyed += [
            (key, firsts[key], False)
            for key, conclusion in published.items()
            if key in firsts
            and key not in have
            and ConclusionKind(str(conclusion["kind"])) in CLOSED_AT_MEETING
        ]
    else:
        keyed = [(key, item, False) for key, item in firsts.items()]

    ordered = sorted(keyed, key=_public_order)
    numbers = printed_numbers(ordered) if tasks or published else {}
    shown = [entry for entry in ordered if entry[0] not in withheld]
    rows = []
    for n, (key, row, task) in enumerate(shown, start=1):
        outcome = public_outcome(
            published.get(key), row.get("office_name"), row.get("authority_level"), names
        )
        # closed at the meeting: no task before, or the task opened settled (not reopened since)
        settled = outcome.closed_at_meeting and not (task and int(row.get("revision") or 0))
        if settled and outcome.kind is not None:
            shown_status = kinds[outcome.kind]
        elif task:
            shown_status = status.get(row.get("status") or "", NOT_CONCLUDED)
            if today is not None and past_due(row, today):
                shown_status = overdue_vi(shown_status)
        else:
            shown_status = NOT_CONCLUDED
        rows.append(
            {
                "stt": numbers.get(key, n),
                "topic": row.get("topic_name") or "",
                "hamlet": hamlets_text(hamlets.get(key) or [str(row.get("hamlet") or whole)]),
                "issue": public_text(key, reviewed),
                "office": outcome.office,
                "authority": outcome.authority,
                "due": date.fromisoformat(row["due"]).strftime("%d/%m/%Y")
                if task and row.get("due") and not settled
                else "",
                "status": shown_status,
                "times_raised": (None if task else (raised or {}).get(key)) or row.get("times_raised") or 1,
                "conclusion": outcome.text,
            }
        )
    return rows


def printed_numbers(ordered: Sequence[tuple[str, Doc, bool]]) -> dict[str, int]:
    """Issue key -> its number on the public views once the notice is issued, withheld issues
    among `ordered` (in `_public_order`) included: the number the notice prints for it (its task's
    `notice_number`), so hiding an issue renumbers no other; an issue without one (a task opened
    before tasks kept it, an issue closed at the meeting without a task) the next one after the
    notice's, in order."""
    printed = (_number(row.get("notice_number")) for _, row, _ in ordered)
    after = max((n for n in printed if n is not None), default=0)
    numbers: dict[str, int] = {}
    for key, row, _ in ordered:
        number = _number(row.get("notice_number"))
        if number is None:
            after += 1
            number = after
        numbers[key] = number
    return numbers


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def hamlets_text(hamlets: Sequence[str]) -> str:
    """``ấp Chợ; ấp Căn Cứ``: each hamlet once, in the order the issue was raised there."""
    return HAMLETS_SEPARATOR.join(dict.fromkeys(h for h in hamlets if h))


def row_hamlets(row: Mapping[str, Any]) -> list[str]:
    """The hamlets of a public row (`hamlets_text` read back)."""
    return [h.strip() for h in str(row.get("hamlet") or "").split(HAMLETS_SEPARATOR.strip()) if h.strip()]


def _public_order(entry: tuple[str, Doc, bool]) -> tuple[int, int, str, str]:
    """The notice's order once it is issued (a task keeps the number the notice printed for it),
    so a resident finds "Kết luận số 5" where the notice has it; before that, by topic and hamlet."""
    _, row, _ = entry
    number = _number(row.get("notice_number"))
    if number is not None:
        return (0, number, "", str(row["_id"]))
    return (1, int(row.get("topic") or 99), str(row.get("hamlet") or ""), str(row["_id"]))


async def open_data(deps: FollowUpDeps, commune_id: str, dialogue_id: str) -> OpenData:
    """The dialogue's conclusions for the public; a draft plan is the commune's own work until it
    opens, so it is not there (NotFound, as an unknown one)."""
    commune = await deps.directory.commune(commune_id)
    dialogue = await deps.directory.dialogue(commune_id, dialogue_id) if commune else None
    if commune is None or dialogue is None or dialogue.status == PlanStatus.DRAFT:
        raise NotFound(dialogue_id)
    record = await deps.meetings.get(commune_id, dialogue_id) if deps.meetings else None
    items = await deps.items.for_dialogue(commune_id, dialogue_id)
    today = deps.clock().astimezone(ZoneInfo(dialogue.timezone)).date()  # as the staff board's
    rows = open_rows(
        with_times_raised(await deps.tasks.for_dialogue(commune_id, dialogue_id), items, dialogue.year),
        items,
        (record or {}).get("summaries") or {},
        withheld_keys(record),
        raised_by_issue(items, dialogue.year),
        published_conclusions(record),
        EraNames.of(commune, dialogue),
        f"Toàn {commune.kind}",
        today,
    )
    return OpenData(commune, dialogue, rows)


def published_outcomes(
    record: Mapping[str, Any] | None, items: Iterable[Mapping[str, Any]], names: EraNames = NAMED_AS_STORED
) -> Doc:
    """What the published conclusions say of `items` (any of the dialogue's), by submission id:
    `agencies` who acts on each (`public_outcome`: the office assigned, the higher-level body
    recommended to, else the office a closed conclusion names or routing's, when the item carries
    it) and, for an issue answered or explained at the meeting, `outcomes` its `kind` and `note`
    (the conclusion as published, masked), offices named by `names` (the dialogue's era). Nothing
    before the notice is issued (`{}`, no keys); the items of withheld issues get neither. The keys
    a caller must read items for are `published_conclusions(record)`."""
    if not record or not record.get("locked"):
        return {}
    conclusions, hidden = published_conclusions(record), withheld_keys(record)
    agencies: dict[str, str] = {}
    outcomes: dict[str, Doc] = {}
    for index, item in enumerate(items):
        key, submission_id = issue_key(item, index), str(item["_id"])
        if key in hidden or key not in conclusions:
            continue
        outcome = public_outcome(
            conclusions[key], item.get("office_name"), item.get("authority_level"), names
        )
        if outcome.office:
            agencies[submission_id] = outcome.office
        if outcome.closed_at_meeting and outcome.kind is not None:
            outcomes[submission_id] = {"kind": outcome.kind.value, "note": outcome.text}
    return {"agencies": agencies, "outcomes": outcomes}


async def published_summaries(deps: FollowUpDeps | MeetingDeps, commune_id: str, dialogue_id: str) -> Doc:
    """Per submission of the dialogue, what a public view may say of it: the whole dialogue's
    answer of `services.reporting.published.published` (the one rule of what is public: reviewed
    summaries masked, withheld issues, and once the notice is issued `agencies` and `outcomes`),
    reading the dialogue's items from `deps.items`."""
    from services.reporting.published import ScannedMembers, published  # it imports this module

    return await published(deps.directory, deps.meetings, ScannedMembers(deps.items), commune_id, dialogue_id)
