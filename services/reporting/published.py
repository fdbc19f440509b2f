"""What public views may say of a dialogue's submissions (`GET …/meeting/published`, read by
intake's Open311), computed from what it depends on only, and public reads bounded.

The answer depends on the meeting record's reviewed `summaries` and `public` flags (by issue
key) and, for each submission, on its issue's key (`documents.common.issue_key`: its cluster,
else the submission it duplicates, else itself). So:

- the record is read on every call (one document by id) and nothing of it is kept: a summary
  reviewed, changed or removed, or an issue withheld, counts for the next call, on any replica;
- no reviewed summary and nothing withheld: nothing is published or withheld, and no item is
  read (the usual case before the review, which read every item of the dialogue, 8,300 of them);
- asked for given submissions (`submission_ids`, at most `MAX_ASKED`): only those items are read;
- else only the items of the reviewed or withheld issues are read (`IssueMembers`), by key, not
  the dialogue, and kept (`Materialised`) while no item of the dialogue is routed (the latest
  `routed_at`, one small read) and the keys are the same, for at most 10 s; masking a summary
  is done once per text (`Masked`). Only which submission belongs to which issue is ever kept,
  never what is published of it.

Reads are bounded (`PublicReads`): identical reads that arrive while one is on its way share the
next one (`shared.batching.SharedReads`: each caller still gets a read sent after it asked, never
an older copy), at most `per_commune` of one commune and `total` overall reach the store at once,
and a read that cannot start within `wait_s` is refused (`Busy`, a 503 with Retry-After): one
anonymous caller's flood of a commune's public pages waits behind itself, not in front of other
communes' readers."""

from __future__ import annotations

import asyncio
import contextlib
import time as clock
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from fastapi.responses import JSONResponse

from services.reporting.documents.common import issue_key
from services.reporting.handlers.errors import NotFound
from services.reporting.handlers.open_data import (
    NAMED_AS_STORED,
    EraNames,
    published_conclusions,
    published_outcomes,
)
from services.reporting.meeting import withheld as withheld_keys
from shared.batching import SharedReads
from shared.http import problem
from shared.personal_data import mask_personal_data

Doc = dict[str, Any]
MAX_ASKED = 200  # submissions one call may ask for (Open311's list asks for at most 200 ids)
# The fields `issue_key` reads: an item's issue is known without its text
KEY_FIELDS = ("_id", "id", "cluster_id", "duplicate_of", "tracking_code")
K = TypeVar("K", bound=tuple[Any, ...])
R = TypeVar("R")


class Busy(RuntimeError):
    """Too many public reads are waiting already: the caller retries after `retry_after_s`."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"public reads busy; retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s

    def response(self) -> JSONResponse:
        """The answer a route gives: 503 `busy` with Retry-After, in Vietnamese and English."""
        answer = problem(
            503,
            "busy",
            "Hệ thống đang bận trả lời nhiều yêu cầu; vui lòng thử lại sau ít giây.",
            "Too many public reads at once; retry in a few seconds.",
        )
        answer.headers["Retry-After"] = str(self.retry_after_s)
        return answer


@runtime_checkable
class IssueMembers(Protocol):
    """The dialogue's items, with `KEY_FIELDS` only, read by what is asked (the Mongo meeting
    repository; `ScannedMembers` over any item store otherwise)."""

    async def items_of_issues(self, commune_id: str, dialogue_id: str, keys: Collection[str]) -> list[Doc]:
        """At least every item whose issue key is one of `keys` (possibly others)."""
        ...

    async def items_by_id(
        self, commune_id: str, dialogue_id: str, submission_ids: Collection[str]
    ) -> list[Doc]:
        """The items among `submission_ids` that belong to the dialogue."""
        ...

    async def items_stamp(self, commune_id: str, dialogue_id: str) -> str | None:
        """A mark that changes when the dialogue's items are routed (None: no mark, keep nothing)."""
        ...


class _ItemStore(Protocol):
    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[Doc]: ...


class _Directory(Protocol):
    async def commune(self, commune_id: str) -> Any: ...
    async def dialogue(self, commune_id: str, dialogue_id: str) -> Any: ...


class _Meetings(Protocol):
    async def get(self, commune_id: str, dialogue_id: str) -> Doc | None: ...


@dataclass(frozen=True)
class ScannedMembers:
    """`IssueMembers` by reading the whole dialogue (for stores without targeted reads: fakes)."""

    items: _ItemStore

    async def items_of_issues(self, commune_id: str, dialogue_id: str, keys: Collection[str]) -> list[Doc]:
        return await self.items.for_dialogue(commune_id, dialogue_id)

    async def items_by_id(
        self, commune_id: str, dialogue_id: str, submission_ids: Collection[str]
    ) -> list[Doc]:
        wanted = set(submission_ids)
        return [i for i in await self.items.for_dialogue(commune_id, dialogue_id) if str(i["_id"]) in wanted]

    async def items_stamp(self, commune_id: str, dialogue_id: str) -> str | None:
        return None


@dataclass
class _Kept:
    stamp: str
    until: float
    keys: frozenset[str]
    items: list[Doc]


class Materialised:
    """`IssueMembers` keeping, per commune and dialogue, the items last read for the reviewed or
    withheld issues: used again for the same or fewer keys while the dialogue's `items_stamp` is
    the one read before them (a newly routed or re-routed item changes it) and for at most
    `max_age_s` (an item whose routing was stored out of order, with an older mark, counts by
    then); a review of one more issue reads again. What is published is decided on each call
    from the record as read then (`published`): only which submission belongs to which issue is
    kept. Submissions asked by id are always read."""

    def __init__(self, members: IssueMembers, *, max_age_s: float = 10.0, size: int = 256) -> None:
        self.members, self.max_age_s, self.size = members, max_age_s, size
        self._kept: OrderedDict[tuple[str, str], _Kept] = OrderedDict()

    async def items_of_issues(self, commune_id: str, dialogue_id: str, keys: Collection[str]) -> list[Doc]:
        where, wanted = (commune_id, dialogue_id), frozenset(keys)
        stamp = await self.members.items_stamp(commune_id, dialogue_id)  # before the items: never newer
        kept = self._kept.get(where)
        now = clock.monotonic()
        if kept is not None and kept.stamp == stamp and kept.until > now and wanted <= kept.keys:
            self._kept.move_to_end(where)
            return kept.items
        items = await self.members.items_of_issues(commune_id, dialogue_id, wanted)
        if stamp is not None:
            self._kept[where] = _Kept(stamp, now + self.max_age_s, wanted, items)
            self._kept.move_to_end(where)
            if len(self._kept) > self.size:
                self._kept.popitem(last=False)
        else:
            self._kept.pop(where, None)
        return items

    async def items_by_id(
        self, commune_id: str, dialogue_id: str, submission_ids: Collection[str]
    ) -> list[Doc]:
        return await self.members.items_by_id(commune_id, dialogue_id, submission_ids)

    async def items_stamp(self, commune_id: str, dialogue_id: str) -> str | None:
        return await self.members.items_stamp(commune_id, dialogue_id)


class Masked:
    """`mask_personal_data` of a reviewed summary, kept per text (the same summary is published
    for every submission of its issue, and again on every read until it is edited)."""

    def __init__(self, size: int = 20_000) -> None:
        self._size = size
        self._texts: OrderedDict[str, str] = OrderedDict()

    def __call__(self, text: str) -> str:
        masked = self._texts.get(text)
        if masked is None:
            masked = mask_personal_data(text) or ""
            self._texts[text] = masked
            if len(self._texts) > self._size:
                self._texts.popitem(last=False)
        else:
            self._texts.move_to_end(text)
        return masked


def answer(
    dialogue_id: str,
    record: Mapping[str, Any] | None,
    items: Iterable[Mapping[str, Any]],
    mask: Callable[[str], str] = lambda text: mask_personal_data(text) or "",
    names: EraNames = NAMED_AS_STORED,
) -> Doc:
    """What public views may say of `items` (any of the dialogue's): `summaries` by submission id,
    the masked reviewed summary of its issue when the issue is reviewed and public; `withheld`
    the submissions of the issues the Party office keeps out of public views (sorted). An item
    of an issue neither reviewed nor withheld is in neither. Once the conclusion notice is issued,
    `agencies` and `outcomes` too (`handlers.open_data.published_outcomes`: who acts on each as the
    Secretary concluded, and the outcome of an issue closed at the meeting), offices named by
    `names`, the dialogue's era; `offices` is that naming (`EraNames.by_name`: an office name as
    routing or follow-up stored it -> the title the dialogue's documents print), for what a public
    view shows of an item besides (routing's office before the notice)."""
    items = list(items)
    reviewed: Mapping[str, str] = (record or {}).get("summaries") or {}
    hidden = withheld_keys(record)
    summaries: dict[str, str] = {}
    withheld: set[str] = set()
    for item in items:
        key, submission_id = issue_key(item), str(item["_id"])
        if key in hidden:
            withheld.add(submission_id)
        elif reviewed.get(key):
            summaries[submission_id] = mask(reviewed[key])
    found = {
        "dialogue_id": dialogue_id,
        "summaries": summaries,
        "withheld": sorted(withheld),
        "offices": names.by_name(),
    }
    return found | published_outcomes(record, items, names)


def published_keys(record: Mapping[str, Any] | None) -> frozenset[str]:
    """The issue keys the answer depends on: reviewed (a non-empty summary), withheld, or with a
    conclusion published by the issued notice (`handlers.open_data.published_conclusions`)."""
    reviewed: Mapping[str, str] = (record or {}).get("summaries") or {}
    concluded = frozenset(published_conclusions(record))
    return frozenset(k for k, v in reviewed.items() if v) | withheld_keys(record) | concluded


async def published(
    directory: _Directory,
    meetings: _Meetings | None,
    members: IssueMembers,
    commune_id: str,
    dialogue_id: str,
    submission_ids: Collection[str] | None = None,
    mask: Callable[[str], str] = lambda text: mask_personal_data(text) or "",
) -> Doc:
    """The answer (`answer`) for the whole dialogue, or for `submission_ids` only; `NotFound`
    for an unknown commune or dialogue. Reads the record, then only the items it needs."""
    commune = await directory.commune(commune_id)
    dialogue = await directory.dialogue(commune_id, dialogue_id) if commune else None
    if commune is None or dialogue is None:
        raise NotFound(dialogue_id)
    record = await meetings.get(commune_id, dialogue_id) if meetings else None
    names = EraNames.of(commune, dialogue)
    keys = published_keys(record)
    if not keys or submission_ids is not None and not submission_ids:
        return answer(dialogue_id, record, (), names=names)
    if submission_ids is not None:
        items = await members.items_by_id(commune_id, dialogue_id, submission_ids)
    else:
        items = [
            i for i in await members.items_of_issues(commune_id, dialogue_id, keys) if issue_key(i) in keys
        ]
    return answer(dialogue_id, record, items, mask, names)


class _Commune:
    __slots__ = ("semaphore", "users")

    def __init__(self, size: int) -> None:
        self.semaphore, self.users = asyncio.Semaphore(size), 0


class ReadLimits:
    """How many public reads reach the store at once in this process: `per_commune` of one
    commune, `total` in all; a read that cannot start within `wait_s` raises `Busy`."""

    def __init__(
        self, *, total: int = 4, per_commune: int = 2, wait_s: float = 10.0, retry_after_s: int = 5
    ) -> None:
        self.total, self.per_commune = total, per_commune
        self.wait_s, self.retry_after_s = wait_s, retry_after_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._all = asyncio.Semaphore(total)
        self._communes: dict[str, _Commune] = {}

    @contextlib.asynccontextmanager
    async def slot(self, commune_id: str) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # semaphores belong to a loop (a test starts apps on several)
            self._loop, self._all, self._communes = loop, asyncio.Semaphore(self.total), {}
        own = self._communes.get(commune_id)
        if own is None:
            own = self._communes[commune_id] = _Commune(self.per_commune)
        own.users += 1
        try:
            deadline = loop.time() + self.wait_s
            await self._acquire(own.semaphore, deadline)
            try:
                await self._acquire(self._all, deadline)
                try:
                    yield
                finally:
                    self._all.release()
            finally:
                own.semaphore.release()
        finally:
            own.users -= 1
            if not own.users and self._communes.get(commune_id) is own:
                del self._communes[commune_id]

    async def _acquire(self, semaphore: asyncio.Semaphore, deadline: float) -> None:
        try:
            async with asyncio.timeout_at(deadline):
                await semaphore.acquire()
        except TimeoutError:
            raise Busy(self.retry_after_s) from None


class PublicReads(Generic[K, R]):
    """`read(key)` of public views, bounded: callers of one key (a tuple naming the commune
    first and everything the read depends on) whose read is on its way share the next one
    (`SharedReads`), and every read runs within `limits` of its commune."""

    def __init__(
        self, read: Callable[[K], Awaitable[R]], limits: ReadLimits, *, name: str = "public-read"
    ) -> None:
        self._read, self.limits = read, limits
        self._shared: SharedReads[K, R] = SharedReads(self._limited, name=name)

    async def get(self, key: K) -> R:
        return await self._shared.get(key)

    async def _limited(self, key: K) -> R:
        async with self.limits.slot(str(key[0])):
            return await self._read(key)
