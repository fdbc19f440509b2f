"""Publishing what a use case has just stored with its events (the single-document outbox)."""

from __future__ import annotations

import logging
from typing import Any

from services.reporting.handlers.ports import Outbox

log = logging.getLogger(__name__)


async def flush(outbox: Outbox, collection: Any, commune_id: str, doc_id: str) -> None:
    """Best effort: the events are stored with the document, so the relay publishes them if this fails."""
    try:
        await outbox.flush_document(collection, commune_id, doc_id)
    except Exception:  # stored; the relay publishes it
        log.warning("publish after store failed; relay will retry", exc_info=True)
