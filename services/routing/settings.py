"""Routing's settings: the directory cache it reads each submission's commune and rules
through, and when a classification needs a person's review."""

from __future__ import annotations

from pydantic import Field

from shared.settings import DirectoryCacheSettings


class RoutingSettings(DirectoryCacheSettings):
    # Classifications below this confidence are flagged for human review.
    review_confidence_threshold: float = Field(0.5, alias="DOITHOAI_REVIEW_THRESHOLD", ge=0, le=1)
