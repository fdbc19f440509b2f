"""Identifiers: string ids everywhere (the MongoDB wire server mishandles ObjectIds)."""

from __future__ import annotations

import secrets
import uuid

# No 0/O, 1/I/L: codes are read aloud on the phone and copied from paper.
_TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_id() -> str:
    return uuid.uuid4().hex


def new_tracking_code(length: int = 8) -> str:
    """A citizen-facing code such as `DT-7K3M9QXA`: short, unambiguous, unguessable enough."""
    return "DT-" + "".join(secrets.choice(_TRACKING_ALPHABET) for _ in range(length))
