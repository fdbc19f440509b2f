"""Attendance at the meeting: residents who registered are checked in at the door (once each),
people from the floor are counted as walk-ins of their hamlet, and staff see the count of each
hamlet against the plan's minimum.

One document per dialogue holds every check-in (registration id -> hamlet), the walk-ins per
hamlet, the keys of the latest walk-in counts (a count sent again under its key — a double
click, a retried POST — is counted once) and a revision. Each change is one compare-and-set
write of that document (stored only if its revision is still the one read) carrying
`meeting.attendance_changed.v1` in the document's own outbox; then the outbox is published (a
failed publish is left to the relay). The event carries whole counts, so a later check-in that
replaces an outbox not yet published loses nothing: the later revision wins.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from services.intake.logic import SubmissionRejected, resolve_hamlet
from shared.clock import iso, utcnow
from shared.contracts import AttendanceChangedV1, Envelope, PlanStatus
from shared.directory import Commune, Dialogue, dialogue_key
from shared.ids import new_id
from shared.outbox import outbox_fields
from shared.text import fold

log = logging.getLogger(__name__)

Document = dict[str, Any]
SAVE_ATTEMPTS = 20  # check-ins racing at several doors: each retry re-reads the counts
LOOKUP_LIMIT = 20
WALK_IN_KEYS_KEPT = 500  # the latest walk-in keys remembered per dialogue (a meeting counts far fewer)
# A plan in these statuses has no meeting to count people in at.
NO_MEETING = frozenset({PlanStatus.DRAFT, PlanStatus.CANCELLED, PlanStatus.CLOSED})


class AttendanceStore(Protocol):
    async def registration(
        self, commune_id: str, dialogue_id: str, registration_id: str
    ) -> Document | None: ...

    async def registered_by_hamlet(self, commune_id: str, dialogue_id: str) -> dict[str, int]:
        """Hamlet id -> residents registered to attend."""
        ...

    async def search(
        self,
        commune_id: str,
        dialogue_id: str,
        *,
        name: str | None,
        digits: str | None,
        limit: int,
        hamlet_id: str | None = None,
    ) -> list[Document]:
        """Registrations whose folded name contains `name` or whose phone contains `digits`
        (of the hamlet `hamlet_id` alone when one is given)."""
        ...

    async def attendance_of(self, commune_id: str, dialogue_id: str) -> Document | None: ...

    async def save_attendance(self, doc: Document, expected_revision: int) -> bool:
        """Store `doc` only if the stored revision is still `expected_revision` (0: none yet)."""
        ...


@dataclass(frozen=True)
class AttendanceDeps:
    store: AttendanceStore
    # Publishes the outbox of a stored attendance document, by commune and document id
    # (`Outbox.flush_document` on the attendance collection).
    publish: Callable[[str, str], Awaitable[int]]
    clock: Callable[[], datetime] = utcnow


@dataclass(frozen=True)
class OutsideHamlet(Exception):
    """A hamlet cell counting in someone of another hamlet (answered 403): a cell at the door
    checks its own hamlet's people in."""

    refused: str  # the registration id, or the walk-ins' hamlet id


@dataclass(frozen=True)
class UnknownRegistration(Exception):
    """No such registration for this dialogue (answered 404)."""

    registration_id: str


@dataclass(frozen=True)
class AttendanceConflict(Exception):
    """The check-in does not fit the plan or could not be stored now (answered 409)."""

    code: str
    vi: str
    en: str


@dataclass(frozen=True)
class CheckedIn:
    attendance: dict[str, Any]  # as `attendance_view` renders it
    new: bool  # False: this registration, or this walk-in key, was counted already (nothing changed)


@dataclass(frozen=True)
class Attendance:
    """One dialogue's attendance as stored (revision 0: nobody counted yet)."""

    revision: int
    checked_in: Mapping[str, Mapping[str, Any]]  # registration id -> {hamlet_id, at, by}
    walk_ins: Mapping[str, int]  # hamlet id -> people from the floor
    walk_in_keys: tuple[str, ...] = ()  # the latest walk-in counts' keys, oldest first

    @classmethod
    def of(cls, doc: Document | None) -> Attendance:
        if doc is None:
            return cls(0, {}, {})
        return cls(
            int(doc["revision"]),
            dict(doc.get("checked_in") or {}),
            dict(doc.get("walk_ins") or {}),
            tuple(doc.get("walk_in_keys") or ()),
        )

    def present(self) -> dict[str, int]:
        """Hamlet id -> people counted in (registered residents checked in, and walk-ins)."""
        counts = dict(self.walk_ins)
        for entry in self.checked_in.values():
            counts[entry["hamlet_id"]] = counts.get(entry["hamlet_id"], 0) + 1
        return counts


def hamlet_rows(
    commune: Commune, dialogue: Dialogue, registered: Mapping[str, int], attendance: Attendance
) -> list[dict[str, Any]]:
    """Per hamlet of the plan (and any other hamlet someone came from): registered, counted in
    (`checked_in`, walk-ins included; `walk_ins` of them from the floor), the plan's minimum and
    whether it is reached."""
    present = attendance.present()
    rows = []
    for hamlet in commune.hamlets:
        hid = hamlet.id
        if hid not in dialogue.hamlet_ids and not (registered.get(hid) or present.get(hid)):
            continue
        minimum = dialogue.min_attendance.get(hid, 0)
        rows.append(
            {
                "hamlet_id": hid,
                "hamlet": hamlet.name,
                "registered": registered.get(hid, 0),
                "checked_in": present.get(hid, 0),
                "walk_ins": attendance.walk_ins.get(hid, 0),
                "minimum": minimum,
                "reached": present.get(hid, 0) >= minimum,
            }
        )
    return rows


def render(
    commune: Commune, dialogue: Dialogue, registered: Mapping[str, int], attendance: Attendance
) -> dict[str, Any]:
    """The body of `GET .../attendance` and of every check-in's reply."""
    return {
        "revision": attendance.revision,
        "by_hamlet": hamlet_rows(commune, dialogue, registered, attendance),
        "walk_ins": sum(attendance.walk_ins.values()),
        "total": sum(attendance.present().values()),
    }


def changed_event(commune: Commune, dialogue: Dialogue, attendance: Attendance) -> Envelope:
    names = {h.id: h.name for h in commune.hamlets}
    present = attendance.present()
    by_hamlet = {names.get(hid, hid): n for hid, n in present.items()}
    for hid in dialogue.hamlet_ids:  # the plan's hamlets are named even while nobody is in
        by_hamlet.setdefault(names.get(hid, hid), 0)
    payload = AttendanceChangedV1(
        dialogue_id=dialogue.id,
        revision=attendance.revision,
        by_hamlet=by_hamlet,
        walk_ins=sum(attendance.walk_ins.values()),
        total=sum(present.values()),
    )
    return Envelope.wrap(payload, commune_id=commune.id, correlation_id=new_id())


async def attendance_view(deps: AttendanceDeps, commune: Commune, dialogue: Dialogue) -> dict[str, Any]:
    """Who is in the hall, per hamlet against the plan's minimum."""
    registered = await deps.store.registered_by_hamlet(commune.id, dialogue.id)
    attendance = Attendance.of(await deps.store.attendance_of(commune.id, dialogue.id))
    return render(commune, dialogue, registered, attendance)


async def check_in(
    deps: AttendanceDeps,
    commune: Commune,
    dialogue: Dialogue,
    registration_id: str,
    by: str,
    only_hamlet: str | None = None,
) -> CheckedIn:
    """Count a registered resident in at the door, once: checking the same registration in
    again changes nothing (`new` False). `only_hamlet`: the hamlet id the caller counts people of
    (a hamlet cell's). Raises UnknownRegistration, OutsideHamlet or AttendanceConflict."""
    _check_open(dialogue)
    registration = await deps.store.registration(commune.id, dialogue.id, registration_id)
    if registration is None:
        raise UnknownRegistration(registration_id)
    if only_hamlet is not None and registration["hamlet_id"] != only_hamlet:
        raise OutsideHamlet(registration_id)
    entry = {"hamlet_id": registration["hamlet_id"], "at": iso(deps.clock()), "by": by}

    def add(current: Attendance) -> Attendance | None:
        if registration_id in current.checked_in:
            return None
        return dataclasses.replace(current, checked_in={**current.checked_in, registration_id: entry})

    return await _change(deps, commune, dialogue, add, by)


async def add_walk_ins(
    deps: AttendanceDeps,
    commune: Commune,
    dialogue: Dialogue,
    hamlet: str,
    count: int,
    by: str,
    key: str | None = None,
    only_hamlet: str | None = None,
) -> CheckedIn:
    """Count `count` people from the floor in for the hamlet written (with or without
    diacritics). A count sent with the `key` of one already counted changes nothing (`new`
    False): the form and API clients send one key per count, so a double click or a retried POST
    counts its people once. `only_hamlet`: as `check_in`. Raises SubmissionRejected (no such
    hamlet, or none), OutsideHamlet or AttendanceConflict."""
    _check_open(dialogue)
    try:
        name = resolve_hamlet(commune, hamlet)
    except SubmissionRejected as rejected:
        raise dataclasses.replace(rejected, field="walk_in.hamlet") from None
    if name is None:
        raise SubmissionRejected(
            "hamlet_required",
            "Cần chọn ấp của người đến dự.",
            "Choose the hamlet the walk-ins come from.",
            field="walk_in.hamlet",
        )
    if count < 1:
        raise SubmissionRejected(
            "value_error", "Số người phải từ 1 trở lên.", "count must be at least 1.", field="walk_in.count"
        )
    hamlet_id = next(h.id for h in commune.hamlets if h.name == name)
    if only_hamlet is not None and hamlet_id != only_hamlet:
        raise OutsideHamlet(hamlet_id)

    def add(current: Attendance) -> Attendance | None:
        if key is not None and key in current.walk_in_keys:
            return None
        walk_ins = {**current.walk_ins, hamlet_id: current.walk_ins.get(hamlet_id, 0) + count}
        keys = (*current.walk_in_keys, key)[-WALK_IN_KEYS_KEPT:] if key else current.walk_in_keys
        return dataclasses.replace(current, walk_ins=walk_ins, walk_in_keys=keys)

    return await _change(deps, commune, dialogue, add, by)


async def find_registrations(
    deps: AttendanceDeps, commune: Commune, dialogue: Dialogue, q: str, hamlet_id: str | None = None
) -> list[dict[str, Any]]:
    """At most 20 registrations whose name (folded: without diacritics, any case) or phone
    contains `q`, with whether each is checked in. Letters in `q` search names, else digits
    search phones. `hamlet_id`: that hamlet's registrations alone (a hamlet cell's own)."""
    folded = fold(q)
    name = folded if re.search(r"[a-z]", folded) else None
    digits = None if name else re.sub(r"\D", "", q)
    found = await deps.store.search(
        commune.id, dialogue.id, name=name, digits=digits, limit=LOOKUP_LIMIT, hamlet_id=hamlet_id
    )
    attendance = Attendance.of(await deps.store.attendance_of(commune.id, dialogue.id))
    return [
        {
            "id": r["_id"],
            "name": r["name"],
            "hamlet": r["hamlet"],
            "checked_in": r["_id"] in attendance.checked_in,
        }
        for r in found
    ]


def _check_open(dialogue: Dialogue) -> None:
    if dialogue.status in NO_MEETING:
        raise AttendanceConflict(
            "no_meeting",
            "Kế hoạch đối thoại này không có buổi đối thoại để điểm danh (dự thảo, đã hủy hoặc đã kết thúc).",
            f"A {dialogue.status} plan has no meeting to check people in at.",
        )


async def _change(
    deps: AttendanceDeps,
    commune: Commune,
    dialogue: Dialogue,
    change: Callable[[Attendance], Attendance | None],
    by: str,
) -> CheckedIn:
    """Apply `change` to the attendance as stored (None: nothing to change) and store it with
    its event, retrying on a check-in stored meanwhile."""
    registered = await deps.store.registered_by_hamlet(commune.id, dialogue.id)
    for _ in range(SAVE_ATTEMPTS):
        current = Attendance.of(await deps.store.attendance_of(commune.id, dialogue.id))
        changed = change(current)
        if changed is None:
            return CheckedIn(render(commune, dialogue, registered, current), new=False)
        changed = dataclasses.replace(changed, revision=current.revision + 1)
        if await deps.store.save_attendance(
            _document(deps, commune, dialogue, changed, by), current.revision
        ):
            await _publish(deps, commune.id, dialogue.id)
            return CheckedIn(render(commune, dialogue, registered, changed), new=True)
    raise AttendanceConflict(
        "attendance_busy",
        "Đang có nhiều lượt điểm danh cùng lúc; vui lòng thử lại.",
        "Too many check-ins at once; retry.",
    )


def _document(
    deps: AttendanceDeps, commune: Commune, dialogue: Dialogue, attendance: Attendance, by: str
) -> Document:
    return {
        "_id": dialogue_key(commune.id, dialogue.id),
        "commune_id": commune.id,
        "dialogue_id": dialogue.id,
        "revision": attendance.revision,
        "checked_in": dict(attendance.checked_in),
        "walk_ins": dict(attendance.walk_ins),
        "walk_in_keys": list(attendance.walk_in_keys),
        "updated_at": iso(deps.clock()),
        "updated_by": by,
        **outbox_fields([changed_event(commune, dialogue, attendance)]),
    }


async def _publish(deps: AttendanceDeps, commune_id: str, dialogue_id: str) -> None:
    try:
        await deps.publish(commune_id, dialogue_key(commune_id, dialogue_id))
    except Exception:  # stored is what counts; the relay publishes it later
        log.warning(
            "publish after a check-in failed; outbox relay will retry",
            exc_info=True,
            extra={"commune_id": commune_id, "dialogue_id": dialogue_id},
        )
