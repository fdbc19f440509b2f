"""Per-commune routing rules: editable data, with the built-in Vietnamese set as the default.

A commune's rules are stored as the JSON text of the `rules/default.json` shape (terms may hold
dots, which MongoDB field names must not). Parsed rule sets are cached per (commune, version),
so a replica never serves stale rules after an edit and never re-parses unchanged ones."""

from __future__ import annotations

import json
import time
from functools import lru_cache
from importlib import resources
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.routing.classifier import RuleSet
from shared.clock import iso, utcnow

RULES = "routing_rules"


def default_rules_dict() -> dict[str, Any]:
    return json.loads(
        resources.files("services.routing").joinpath("rules/default.json").read_text(encoding="utf-8")
    )


@lru_cache(maxsize=256)
def _parse(_commune_id: str, _version: int, text: str) -> RuleSet:
    return RuleSet.from_dict(json.loads(text))


def _check_shape(rules: dict[str, Any]) -> None:
    """What `RuleSet.from_dict` tolerates but the store or JSON cannot hold."""
    json.dumps(rules, allow_nan=False)  # ValueError on NaN or Infinity
    topics = rules.get("topics")
    if not isinstance(topics, dict):
        raise TypeError("'topics' must be an object keyed by topic number")
    for key, spec in topics.items():
        if not (str(key).isascii() and str(key).isdigit() and 0 <= int(key) <= 20):
            raise ValueError(f"topic key {key!r} must be a number from 0 to 20")
        if not isinstance(spec, dict) or not isinstance(spec.get("name", ""), str):
            raise TypeError(f"topic {key}: expected an object with a text 'name'")


class RulesStore:
    """`cache_ttl_s`: how long `for_commune` keeps a commune's rule set without reading the store
    (0: read every time). An edit through this process takes effect at once; other replicas
    see it within `cache_ttl_s`."""

    def __init__(self, db: AsyncDatabase, cache_ttl_s: float = 0) -> None:
        self.rules = db[RULES]
        self._default = RuleSet.load_default()
        self._ttl = cache_ttl_s
        self._cache: dict[str, tuple[float, RuleSet]] = {}

    async def for_commune(self, commune_id: str) -> RuleSet:
        hit = self._cache.get(commune_id)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        doc = await self.rules.find_one({"_id": commune_id, "commune_id": commune_id})
        rules = _parse(commune_id, doc["version"], doc["rules_json"]) if doc else self._default
        if self._ttl > 0:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[commune_id] = (time.monotonic() + self._ttl, rules)
        return rules

    async def document(self, commune_id: str) -> dict[str, Any]:
        doc = await self.rules.find_one({"_id": commune_id, "commune_id": commune_id})
        if doc is None:
            return {
                "commune_id": commune_id,
                "version": 0,
                "source": "built-in default",
                "rules": default_rules_dict(),
            }
        return {
            "commune_id": commune_id,
            "version": doc["version"],
            "source": "commune",
            "updated_by": doc["updated_by"],
            "updated_at": doc["updated_at"],
            "rules": json.loads(doc["rules_json"]),
        }

    async def replace(self, commune_id: str, rules: dict[str, Any], updated_by: str) -> int:
        """Validate (a bad rule set raises ValueError, KeyError, TypeError or AttributeError) and
        store a new version."""
        _check_shape(rules)
        RuleSet.from_dict(rules)
        current = await self.rules.find_one({"_id": commune_id}, {"version": 1})
        version = (current["version"] if current else 0) + 1
        doc = {
            "commune_id": commune_id,
            "version": version,
            "rules_json": json.dumps(rules, ensure_ascii=False),
            "updated_by": updated_by,
            "updated_at": iso(utcnow()),
        }
        await self.rules.replace_one({"_id": commune_id}, {"_id": commune_id, **doc}, upsert=True)
        self._cache.pop(commune_id, None)
        return version

    async def reset(self, commune_id: str) -> None:
        await self.rules.delete_one({"_id": commune_id, "commune_id": commune_id})
        self._cache.pop(commune_id, None)
