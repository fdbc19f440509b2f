"""Meeting record use cases: the facts of the meeting, the programme as held (each item appended
as it starts, then moved, corrected or removed), interventions (new items raised on the floor go
through intake's `submit` as `at_meeting`), the reviewed summary of each issue, the Secretary's
conclusion per issue, and attendance from intake's check-ins.
The issues are this dialogue's and those earlier dialogues left unresolved (`handlers.carried`):
a conclusion recorded on a carried-over issue is what the notice prints for it and what its new
follow-up task carries out (`followup.tasks_for_record`, superseding the earlier task).

Each staff change is one compare-and-set on the record's revision with its `MeetingRecordedV1`
in the record's outbox, then audited with the values before and after. A change that names the
revision it was read at (the facts; a programme item's move, correction or removal) fails with
`RecordChanged` when stale; the others re-read and re-apply. Once the conclusion notice is
issued the record is locked (`RecordLocked`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.reporting.handlers.carried import carried_over
from services.reporting.handlers.errors import NotFound
from services.reporting.handlers.ports import AttendanceDeps, Doc, MeetingDeps
from services.reporting.handlers.publish import flush
from services.reporting.meeting import (
    FACTS,
    PROGRAMME_FIELDS,
    InvalidConclusion,
    InvalidEntry,
    action_count,
    check_conclusion,
    check_programme_change,
    check_summary,
    check_times,
    issue_rows,
    moved,
    new_record,
    record_id,
    record_view,
)
from shared.clock import iso
from shared.contracts import AttendanceChangedV1, Envelope, Kind, MeetingRecordedV1, Source
from shared.directory import Commune, Dialogue
from shared.ids import new_id

MAX_RACES = 20


class RecordChanged(RuntimeError):
    """The record changed since the revision the caller read; reload and retry."""

    def __init__(self, current: int) -> None:
        super().__init__(f"the record is at revision {current}")
        self.current = current


class RecordLocked(RuntimeError):
    """The conclusion notice is issued: the record is no longer edited."""


class UnknownProgrammeItem(LookupError):
    """No programme item of this id in the record (never recorded, or removed since)."""

    def __init__(self, item_id: str) -> None:
        super().__init__(item_id)
        self.item_id = item_id


class UnknownIssue(LookupError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class RecordFacts:
    commune_id: str
    dialogue_id: str
    revision: int
    facts: Doc  # any of FACTS
    by: str


@dataclass(frozen=True)
class ChangeProgrammeItem:
    """Move a recorded programme item to `position` (1: first; the others keep their order)
    and/or replace its `fields` (any of PROGRAMME_FIELDS), at the `revision` the caller read."""

    commune_id: str
    dialogue_id: str
    item_id: str
    revision: int
    by: str
    position: int | None = None
    fields: Doc = field(default_factory=dict)


@dataclass(frozen=True)
class RemoveProgrammeItem:
    commune_id: str
    dialogue_id: str
    item_id: str
    revision: int
    by: str


@dataclass(frozen=True)
class NewIssue:
    text: str
    kind: str | None = None
    hamlet: str | None = None


@dataclass(frozen=True)
class AddIntervention:
    commune_id: str
    dialogue_id: str
    intervention: Doc  # speaker, registered, hamlet, organisation, question, issue_keys, tracking_codes
    by: str
    new_issues: tuple[NewIssue, ...] = ()


@dataclass(frozen=True)
class SetConclusion:
    commune_id: str
    dialogue_id: str
    issue_key: str
    body: Doc
    by: str


@dataclass(frozen=True)
class Edit:
    """One change of the record: `apply(record)` changes it in place and returns (before, after)."""

    commune_id: str
    dialogue_id: str
    action: str
    target: Doc
    by: str
    apply: Callable[[Doc], tuple[Any, Any]]
    expected_revision: int | None = None
    result: Callable[[Doc], Any] = field(default=lambda record: None)
    # an edit a locked record still takes (what the issued notice printed stays as it was)
    when_locked: Callable[[Doc], bool] = field(default=lambda record: False)


async def _dialogue(deps: MeetingDeps, commune_id: str, dialogue_id: str) -> tuple[Commune, Dialogue]:
    commune = await deps.directory.commune(commune_id)
    dialogue = await deps.directory.dialogue(commune_id, dialogue_id) if commune else None
    if commune is None or dialogue is None:
        raise NotFound(dialogue_id)
    return commune, dialogue


async def _items(deps: MeetingDeps, commune: Commune, dialogue: Dialogue) -> list[Doc]:
    """The items the meeting concludes on: the issues earlier dialogues left unresolved (kéo dài,
    first, as the documents take them) and this dialogue's."""
    items = await deps.items.for_dialogue(commune.id, dialogue.id)
    if deps.tasks is None:
        return items
    carried = await carried_over(deps.tasks, deps.directory, commune.id, dialogue, deps.meetings)
    return [*carried.items, *items]


def _today(deps: MeetingDeps, dialogue: Dialogue) -> date:
    return deps.clock().astimezone(ZoneInfo(dialogue.timezone)).date()


async def _issues(deps: MeetingDeps, commune: Commune, dialogue: Dialogue, record: Doc) -> list[Doc]:
    items = await _items(deps, commune, dialogue)
    summaries, public = record.get("summaries") or {}, record.get("public") or {}
    conclusions = record.get("conclusions") or {}  # they decide the notice's numbers
    return issue_rows(commune, dialogue, items, summaries, public, _today(deps, dialogue), conclusions)


async def _load(deps: MeetingDeps, commune_id: str, dialogue_id: str) -> Doc:
    stored = await deps.meetings.get(commune_id, dialogue_id)
    return {**new_record(commune_id, dialogue_id), **(stored or {})}


async def meeting_record(deps: MeetingDeps, commune_id: str, dialogue_id: str) -> Doc:
    commune, dialogue = await _dialogue(deps, commune_id, dialogue_id)
    record = await _load(deps, commune_id, dialogue_id)
    return record_view(record, await _issues(deps, commune, dialogue, record))


def _event(record: Doc) -> Envelope:
    conclusions = record.get("conclusions") or {}
    payload = MeetingRecordedV1(
        dialogue_id=record["dialogue_id"],
        revision=record["revision"],
        started_at=record.get("started_at"),
        ended_at=record.get("ended_at"),
        conclusions=len(conclusions),
        actions=action_count(conclusions),
    )
    return Envelope.wrap(payload, commune_id=record["commune_id"], correlation_id=new_id())


async def change_record(deps: MeetingDeps, edit: Edit) -> Doc:
    """Applies one edit to the record at its current revision, stores it with its event, audits it,
    and returns the record's view (or `edit.result` of the stored record)."""
    commune, dialogue = await _dialogue(deps, edit.commune_id, edit.dialogue_id)
    for _ in range(MAX_RACES):
        record = await _load(deps, edit.commune_id, edit.dialogue_id)
        if record.get("locked") and not edit.when_locked(record):
            raise RecordLocked(record_id(edit.commune_id, edit.dialogue_id))
        read_at = int(record.get("revision") or 0)
        if edit.expected_revision is not None and edit.expected_revision != read_at:
            raise RecordChanged(read_at)
        before, after = edit.apply(record)
        record["revision"] = read_at + 1
        if await deps.meetings.save(record, read_at, _event(record)):
            break
        if edit.expected_revision is not None:
            raise RecordChanged(read_at)
    else:
        raise RecordChanged(-1)
    await flush(deps.outbox, deps.meetings.meetings, edit.commune_id, record["_id"])
    await deps.meetings.record_edit(
        edit.commune_id,
        {
            "user_id": edit.by,
            "action": edit.action,
            "target": {"commune_id": edit.commune_id, "dialogue_id": edit.dialogue_id, **edit.target},
            "revision": record["revision"],
            "before": before,
            "after": after,
        },
    )
    shown = edit.result(record)
    if shown is not None:
        return shown  # type: ignore[no-any-return]
    return record_view(record, await _issues(deps, commune, dialogue, record))


def _jsonable(value: Any) -> Any:
    return (
        iso(value) if isinstance(value, datetime) else value.isoformat() if isinstance(value, date) else value
    )


async def record_facts(deps: MeetingDeps, command: RecordFacts) -> Doc:
    """Actual start and end, chair, minute-taker, delegates present (compare-and-set on `revision`)."""
    facts = {k: _jsonable(v) for k, v in command.facts.items() if k in FACTS}

    def apply(record: Doc) -> tuple[Any, Any]:
        before = {k: record.get(k) for k in facts}
        check_times({**record, **facts})
        record.update(facts)
        return before, facts

    edit = Edit(
        command.commune_id, command.dialogue_id, "meeting.facts", {}, command.by, apply, command.revision
    )
    return await change_record(deps, edit)


async def add_programme_item(deps: MeetingDeps, commune_id: str, dialogue_id: str, item: Doc, by: str) -> Doc:
    entry = {
        "id": new_id(),
        "title": item["title"],
        "at": _jsonable(item.get("at")),
        "note": item.get("note"),
    }

    def apply(record: Doc) -> tuple[Any, Any]:
        record["programme"] = [*record.get("programme", []), entry]
        return None, entry

    edit = Edit(
        commune_id, dialogue_id, "meeting.programme", {"id": entry["id"]}, by, apply, result=lambda r: entry
    )
    return await change_record(deps, edit)


def _programme_view(record: Doc) -> Doc:
    """What a programme change answers: the programme in its order now and the revision the next
    change names (the record's interventions and issues are not needed for it)."""
    return {"revision": record["revision"], "programme": list(record.get("programme") or ())}


def _programme_index(programme: list[Doc], item_id: str) -> int:
    index = next((n for n, p in enumerate(programme) if p.get("id") == item_id), None)
    if index is None:
        raise UnknownProgrammeItem(item_id)
    return index


def _programme_edit(
    command: ChangeProgrammeItem | RemoveProgrammeItem, action: str, apply: Callable[[Doc], tuple[Any, Any]]
) -> Edit:
    """The audited compare-and-set of one programme item (`meeting.programme.<action>`), answering
    `_programme_view`."""
    return Edit(
        command.commune_id,
        command.dialogue_id,
        f"meeting.programme.{action}",
        {"id": command.item_id},
        command.by,
        apply,
        command.revision,
        result=_programme_view,
    )


async def change_programme_item(deps: MeetingDeps, command: ChangeProgrammeItem) -> Doc:
    """A programme item recorded in the wrong order (pressed as it was remembered, not as it was
    held) moved to its place, or its title, time or note corrected: the minutes print the
    programme in the record's order. Audited with the item's position and changed fields before
    and after."""
    fields = {k: _jsonable(v) for k, v in command.fields.items() if k in PROGRAMME_FIELDS}
    if isinstance(fields.get("title"), str):
        fields["title"] = fields["title"].strip()

    def apply(record: Doc) -> tuple[Any, Any]:
        programme = [dict(p) for p in record.get("programme") or ()]
        index = _programme_index(programme, command.item_id)
        check_programme_change(command.position, fields, len(programme))
        position = command.position or index + 1
        item = programme[index]
        before = {"position": index + 1, **{k: item.get(k) for k in fields}}
        item.update(fields)
        record["programme"] = moved(programme, index, position)
        return before, {"position": position, **fields}

    return await change_record(deps, _programme_edit(command, "edit", apply))


async def remove_programme_item(deps: MeetingDeps, command: RemoveProgrammeItem) -> Doc:
    """A programme item recorded by mistake taken out (a plan's item pressed too early can be
    pressed again as it starts). Audited with the item as it was and its position."""

    def apply(record: Doc) -> tuple[Any, Any]:
        programme = list(record.get("programme") or ())
        index = _programme_index(programme, command.item_id)
        removed = programme.pop(index)
        record["programme"] = programme
        return {"position": index + 1, **removed}, None

    return await change_record(deps, _programme_edit(command, "delete", apply))


async def add_intervention(deps: MeetingDeps, command: AddIntervention) -> Doc:
    """The intervention in speaking order; each new issue raised on the floor is submitted to
    intake (source `at_meeting`) first and linked by its submission id and tracking code."""
    await _dialogue(deps, command.commune_id, command.dialogue_id)
    keys = list(command.intervention.get("issue_keys") or ())
    codes = list(command.intervention.get("tracking_codes") or ())
    submitted = []
    for new in command.new_issues:
        body: Doc = {
            "source": Source.AT_MEETING.value,
            "kind": new.kind or Kind.PETITION.value,
            "text": new.text,
            "dialogue_id": command.dialogue_id,  # this meeting's, even once its end was saved
        }
        hamlet = new.hamlet or command.intervention.get("hamlet")
        if hamlet:
            body["hamlet"] = hamlet
        accepted = await deps.submissions.submit(command.commune_id, body)
        submitted.append({"submission_id": accepted["id"], "tracking_code": accepted["tracking_code"]})
        keys.append(accepted["id"])
        codes.append(accepted["tracking_code"])
    entry: Doc = {
        "id": new_id(),
        "speaker": command.intervention["speaker"],
        "registered": bool(command.intervention.get("registered")),
        "hamlet": command.intervention.get("hamlet"),
        "organisation": command.intervention.get("organisation"),
        "question": command.intervention["question"],
        "issue_keys": list(dict.fromkeys(keys)),
        "tracking_codes": list(dict.fromkeys(codes)),
        "new_submissions": submitted,
        "answers": [dict(a) for a in command.intervention.get("answers") or ()],
        "at": _jsonable(command.intervention.get("at")) or iso(deps.clock()),
    }

    def apply(record: Doc) -> tuple[Any, Any]:
        interventions = record.get("interventions", [])
        entry["order"] = max((i.get("order", 0) for i in interventions), default=0) + 1
        record["interventions"] = [*interventions, entry]
        return None, entry

    edit = Edit(
        command.commune_id,
        command.dialogue_id,
        "meeting.intervention.add",
        {"id": entry["id"]},
        command.by,
        apply,
        result=lambda r: entry,
    )
    return await change_record(deps, edit)


EDITABLE_INTERVENTION = (
    "speaker",
    "registered",
    "hamlet",
    "organisation",
    "question",
    "issue_keys",
    "tracking_codes",
    "answers",
    "at",
)


async def edit_intervention(
    deps: MeetingDeps, commune_id: str, dialogue_id: str, intervention_id: str, changes: Doc, by: str
) -> Doc:
    """Autosave from the meeting-day page: the fields given replace the stored ones."""
    fields = {k: _jsonable(v) for k, v in changes.items() if k in EDITABLE_INTERVENTION}
    changed: Doc = {}

    def apply(record: Doc) -> tuple[Any, Any]:
        interventions = [dict(i) for i in record.get("interventions", [])]
        found = next((i for i in interventions if i["id"] == intervention_id), None)
        if found is None:
            raise NotFound(intervention_id)
        before = {k: found.get(k) for k in fields}
        found.update(fields)
        record["interventions"] = interventions
        changed.clear()
        changed.update(found)
        return before, fields

    edit = Edit(
        commune_id,
        dialogue_id,
        "meeting.intervention.edit",
        {"id": intervention_id},
        by,
        apply,
        result=lambda r: dict(changed),
    )
    return await change_record(deps, edit)


async def _known_issue(
    deps: MeetingDeps, commune_id: str, dialogue_id: str, key: str
) -> tuple[Commune, Dialogue]:
    commune, dialogue = await _dialogue(deps, commune_id, dialogue_id)
    issues = issue_rows(commune, dialogue, await _items(deps, commune, dialogue), {})
    if key not in {i["key"] for i in issues}:
        raise UnknownIssue(key)
    return commune, dialogue


async def set_issue_summary(
    deps: MeetingDeps,
    commune_id: str,
    dialogue_id: str,
    issue_key: str,
    summary: str,
    by: str,
    public: bool = True,
) -> Doc:
    """The summary staff reviewed, printed by the documents instead of the text as typed, and
    whether the issue is shown in public views (public pages, open data, Open311); an issue kept
    out of them (`public` false) is still printed by the issued documents. Audited together:
    before and after are `{summary, public}`. Once the notice is issued (the record locked) only
    the flag changes: the same summary with another flag is taken, a new summary `RecordLocked`."""
    await _known_issue(deps, commune_id, dialogue_id, issue_key)
    text = summary.strip()

    def apply(record: Doc) -> tuple[Any, Any]:
        summaries = dict(record.get("summaries") or {})
        if text and text != summaries.get(issue_key):  # a stored summary is kept with a new flag
            check_summary(text)
        flags = dict(record.get("public") or {})
        before = {"summary": summaries.get(issue_key), "public": flags.get(issue_key, True)}
        if text:
            summaries[issue_key] = text
        else:
            summaries.pop(issue_key, None)
        if public:
            flags.pop(issue_key, None)  # public is the default: old records carry no flag
        else:
            flags[issue_key] = False
        record["summaries"] = summaries
        record["public"] = flags
        return before, {"summary": text or None, "public": public}

    def flag_only(record: Doc) -> bool:
        return str((record.get("summaries") or {}).get(issue_key) or "") == text

    edit = Edit(
        commune_id,
        dialogue_id,
        "meeting.issue.summary",
        {"issue_key": issue_key},
        by,
        apply,
        when_locked=flag_only,
    )
    return await change_record(deps, edit)


async def set_conclusion(deps: MeetingDeps, command: SetConclusion) -> Doc:
    """The Secretary's conclusion on one issue, checked for its kind and its deadline after the
    meeting day (`InvalidConclusion`)."""
    commune, dialogue = await _known_issue(deps, command.commune_id, command.dialogue_id, command.issue_key)
    checked = check_conclusion(commune, command.body, dialogue.meeting_date)
    stored: Doc = {}

    def apply(record: Doc) -> tuple[Any, Any]:
        conclusions = dict(record.get("conclusions") or {})
        before = conclusions.get(command.issue_key)
        revision = int((before or {}).get("revision") or 0) + 1
        after = {**checked, "revision": revision, "updated_by": command.by, "updated_at": iso(deps.clock())}
        conclusions[command.issue_key] = after
        record["conclusions"] = conclusions
        stored.clear()
        stored.update({"issue_key": command.issue_key, **after})
        return before, after

    edit = Edit(
        command.commune_id,
        command.dialogue_id,
        "meeting.conclusion",
        {"issue_key": command.issue_key},
        command.by,
        apply,
        result=lambda r: dict(stored),
    )
    return await change_record(deps, edit)


async def record_attendance(deps: AttendanceDeps, envelope: Envelope, payload: AttendanceChangedV1) -> None:
    """Intake's latest count of who is in the hall; an older or repeated revision changes nothing."""
    attendance = {
        "revision": payload.revision,
        "by_hamlet": dict(payload.by_hamlet),
        "walk_ins": payload.walk_ins,
        "total": payload.total,
    }
    await deps.meetings.set_attendance(envelope.commune_id, payload.dialogue_id, attendance)


__all__ = [
    "AddIntervention",
    "ChangeProgrammeItem",
    "Edit",
    "InvalidConclusion",
    "InvalidEntry",
    "NewIssue",
    "RecordChanged",
    "RecordFacts",
    "RecordLocked",
    "RemoveProgrammeItem",
    "SetConclusion",
    "UnknownIssue",
    "UnknownProgrammeItem",
    "add_intervention",
    "add_programme_item",
    "change_programme_item",
    "change_record",
    "edit_intervention",
    "meeting_record",
    "record_attendance",
    "record_facts",
    "remove_programme_item",
    "set_conclusion",
    "set_issue_summary",
]
