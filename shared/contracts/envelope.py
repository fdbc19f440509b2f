"""The versioned envelope around every event on the bus.

Routing key = `<event_type>.v<version>`. Adding an optional payload field keeps the version;
any other change is a new version with its own routing key and payload class. Consumers
ignore unknown fields, so an optional addition never breaks them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from shared.clock import utcnow
from shared.ids import new_id

COMMUNE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


class Payload(BaseModel):
    """Base of every event payload: frozen, unknown fields ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    EVENT_TYPE: ClassVar[str]
    VERSION: ClassVar[int]

    @classmethod
    def routing_key(cls) -> str:
        return f"{cls.EVENT_TYPE}.v{cls.VERSION}"


class Envelope(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: str = Field(default_factory=new_id, min_length=1, max_length=64)
    event_type: str = Field(min_length=1, max_length=100, examples=["submission.received"])
    version: int = Field(ge=1, examples=[1])
    occurred_at: datetime = Field(default_factory=utcnow)
    commune_id: str = Field(pattern=COMMUNE_ID_PATTERN, examples=["demo"])
    correlation_id: str = Field(min_length=1, max_length=64)
    payload: dict[str, Any]

    @property
    def routing_key(self) -> str:
        return f"{self.event_type}.v{self.version}"

    @classmethod
    def wrap(cls, payload: Payload, *, commune_id: str, correlation_id: str) -> Envelope:
        return cls(
            event_type=payload.EVENT_TYPE,
            version=payload.VERSION,
            commune_id=commune_id,
            correlation_id=correlation_id,
            payload=payload.model_dump(mode="json"),
        )
