"""Routing's settings: the directory cache it reads each submission's commune and rules
through, and when a classification needs a person's review."""

from __future__ import annotations

from pydantic import Field

from shared.settings import DirectoryCacheSettings


class RoutingSettings(DirectoryCacheSettings):
    # Classifications below this confidence are flagged for human review.
    review_confidence_threshold: float = Field(0.5, alias="DOITHOAI_REVIEW_THRESHOLD", ge=0, le=1)
    # Bounds of the repeat index (services/routing/repeat_index.py `Limits`): a look-up's cost
    # depends on these, not on how many items the commune stored.
    repeat_clusters_per_key: int = Field(48, alias="DOITHOAI_REPEAT_CLUSTERS_PER_KEY", ge=1, le=10_000)
    repeat_clusters_per_lookup: int = Field(24, alias="DOITHOAI_REPEAT_CLUSTERS_PER_LOOKUP", ge=1, le=1_000)
    repeat_representatives: int = Field(3, alias="DOITHOAI_REPEAT_REPRESENTATIVES", ge=1, le=100)
    repeat_earlier: int = Field(20, alias="DOITHOAI_REPEAT_EARLIER", ge=1, le=500)
