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
    repeat_clusters_per_lookup: int = Field(8, alias="DOITHOAI_REPEAT_CLUSTERS_PER_LOOKUP", ge=1, le=1_000)
    repeat_representatives: int = Field(3, alias="DOITHOAI_REPEAT_REPRESENTATIVES", ge=1, le=100)
    repeat_earlier: int = Field(20, alias="DOITHOAI_REPEAT_EARLIER", ge=1, le=500)
    repeat_reached_bands: int = Field(16, alias="DOITHOAI_REPEAT_REACHED_BANDS", ge=1, le=1_000)
    # Learning from the office (services/routing/learning): the commune's model speaks once it
    # learnt from this many staff changes and is at least this confident.
    learning_min_examples: int = Field(30, alias="DOITHOAI_LEARNING_MIN_EXAMPLES", ge=2, le=100_000)
    learning_confidence: float = Field(0.5, alias="DOITHOAI_LEARNING_CONFIDENCE", ge=0, le=1)
    # Quiet seconds after a commune's last change before it is retrained; how often that is checked.
    learning_debounce_s: float = Field(10.0, alias="DOITHOAI_LEARNING_DEBOUNCE_S", ge=0, le=86_400)
    learning_poll_s: float = Field(5.0, alias="DOITHOAI_LEARNING_POLL_S", gt=0, le=3_600)
    learning_max_examples: int = Field(5000, alias="DOITHOAI_LEARNING_MAX_EXAMPLES", ge=10, le=100_000)
    # Communes whose model stays loaded in a process, and how long a loaded active version is trusted.
    learning_cached_communes: int = Field(64, alias="DOITHOAI_LEARNING_CACHED_COMMUNES", ge=1, le=10_000)
    learning_state_ttl_s: float = Field(5.0, alias="DOITHOAI_LEARNING_STATE_TTL_S", ge=0, le=3_600)
