"""Requests that arrive while a batch is being handled wait and are handled together in the next
one: the mechanism under group commit (`shared.group_commit`) and routing's grouped look-up of
earlier items. An idle process handles each request at once; a busy one makes one round trip
per batch instead of one per request, and every caller still gets its own result.

The batch runs in a task of its own, not in a caller's: a caller cancelled meanwhile (a client
gone, a shutdown) leaves the others' requests to finish, and a request is never handled twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Handles the requests of one key together; returns one result per request, in order. A result
# that is an exception is raised to that request's caller only.
BatchHandler = Callable[[Hashable, list[T]], Awaitable[Sequence[R | BaseException]]]


class Batcher(Generic[T, R]):
    """Batches of requests with the same key (e.g. one commune's), at most `max_batch` each."""

    def __init__(self, handle: BatchHandler[T, R], *, max_batch: int = 1000, name: str = "batch") -> None:
        self._handle = handle
        self._max_batch = max_batch
        self._name = name
        self._pending: dict[Hashable, list[tuple[T, asyncio.Future[R]]]] = {}
        self._runner: asyncio.Task[None] | None = None

    async def submit(self, request: T, key: Hashable = None) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.setdefault(key, []).append((request, done))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run(), name=self._name)
        return await done

    async def _run(self) -> None:
        batch: list[tuple[T, asyncio.Future[R]]] = []
        try:
            while self._pending:
                key = next(iter(self._pending))
                waiting = self._pending.pop(key)
                batch, rest = waiting[: self._max_batch], waiting[self._max_batch :]
                if rest:
                    self._pending[key] = rest
                await self._handle_batch(key, batch)
        except asyncio.CancelledError:  # the loop is shutting down: nobody waits in vain
            for _, done in batch + [entry for entries in self._pending.values() for entry in entries]:
                done.cancel()
            self._pending = {}
            raise

    async def _handle_batch(self, key: Hashable, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        results: Sequence[R | BaseException]
        try:
            results = await self._handle(key, [request for request, _ in batch])
            if len(results) != len(batch):  # a handler's bug must not leave callers waiting
                raise RuntimeError(f"{self._name}: {len(results)} results for {len(batch)} requests")
        except Exception as exc:  # the whole batch failed: every caller in it gets the error
            results = [exc] * len(batch)
        for (_, done), result in zip(batch, results):
            if done.done():  # the caller was cancelled; its request was handled all the same
                continue
            if isinstance(result, BaseException):
                done.set_exception(result)
            else:
                done.set_result(result)


K = TypeVar("K", bound=Hashable)


class _Reads(Generic[R]):
    __slots__ = ("queued", "running")

    def __init__(self) -> None:
        self.running: asyncio.Task[None] | None = None  # the read on its way to the store
        self.queued: asyncio.Future[R] | None = None  # the next read's result, once it is sent


class SharedReads(Generic[K, R]):
    """Reads of one key (a commune) that arrive while a read of it is on its way share the next
    read, sent as soon as that one is back: a busy process sends one read per round trip instead
    of one per caller, and an idle one sends each at once. Every caller gets a read that was sent
    after it asked, so it sees every write stored before it asked, as with a read of its own.

    Reads of different keys go concurrently. A caller cancelled meanwhile leaves the others'
    read to finish; a failed read raises its error to each of its callers."""

    def __init__(self, read: Callable[[K], Awaitable[R]], *, name: str = "read") -> None:
        self._read = read
        self._name = name
        self._keys: dict[K, _Reads[R]] = {}

    async def get(self, key: K) -> R:
        loop = asyncio.get_running_loop()
        reads = self._keys.get(key)
        if reads is None or (reads.running is not None and reads.running.get_loop() is not loop):
            reads = self._keys[key] = _Reads()  # (a read left by a loop that was closed is forgotten)
        result = reads.queued
        if result is None:
            result = reads.queued = loop.create_future()
            if reads.running is None:
                self._send(key, reads)
        # shield: a caller cancelled must not cancel the result the others wait for
        return await asyncio.shield(result)

    def _send(self, key: K, reads: _Reads[R]) -> None:
        result, reads.queued = reads.queued, None
        assert result is not None
        reads.running = asyncio.create_task(self._run(key, reads, result), name=self._name)

    async def _run(self, key: K, reads: _Reads[R], result: asyncio.Future[R]) -> None:
        try:
            value = await self._read(key)
        except asyncio.CancelledError:  # the loop is shutting down: nobody waits in vain
            result.cancel()
            if reads.queued is not None:
                reads.queued.cancel()
            self._keys.pop(key, None)
            raise
        except Exception as exc:
            result.set_exception(exc)
            result.exception()  # retrieved: each caller raises it; none left is not an error
        else:
            result.set_result(value)
        reads.running = None
        if reads.queued is not None:
            self._send(key, reads)
        elif self._keys.get(key) is reads:
            del self._keys[key]
