"""Failure kinds that decide what a consumer does with a message.

- PermanentError: retrying cannot help (bad data, missing configuration): dead-letter now.
- TransientError, and infrastructure errors recognised by `is_transient`: retry with a delay,
  at most `max_retries` times, then dead-letter with the last reason.
"""

from __future__ import annotations

import asyncio

import aiormq.exceptions
from pymongo.errors import AutoReconnect, ConnectionFailure, ExecutionTimeout, NetworkTimeout


class PermanentError(Exception):
    """Processing this message can never succeed."""


class TransientError(Exception):
    """Processing may succeed later (a server was down, a limit was hit)."""


class Busy(TransientError):
    """Another worker holds the claim on this work: come back later. Waiting for it does not
    spend the message's retry budget (the claim's lease bounds the wait)."""


_TRANSIENT_TYPES: tuple[type[BaseException], ...] = (
    TransientError,
    ConnectionFailure,  # includes ServerSelectionTimeoutError
    AutoReconnect,
    NetworkTimeout,
    ExecutionTimeout,
    aiormq.exceptions.AMQPConnectionError,
    ConnectionError,
    asyncio.TimeoutError,
    TimeoutError,
)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, _TRANSIENT_TYPES)
