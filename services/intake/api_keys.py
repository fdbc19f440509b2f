"""A commune's API keys for integrations (a province's system, an Open311 client, scripts).

A key reads `dtk_<id>_<secret>`: `<id>` addresses the stored document, `<secret>` is 32 random
bytes of which only the SHA-256 is stored (a random secret of that length needs no slow hash;
a copy of the store hands out no working key). Revoked keys stay, for the audit trail. A token
minted from a key names it (`sub`); every service refuses it within seconds of the key's
revocation (shared.auth.revocation).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.auth.guard import API_KEY_PREFIX
from shared.auth.principal import Principal, PrincipalKind, Scope
from shared.clock import utcnow
from shared.directory import API_KEY_REVOCATIONS

API_KEYS = "intake_api_keys"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _split(key: str) -> tuple[str, str] | None:
    if not key.startswith(API_KEY_PREFIX):
        return None
    key_id, sep, secret = key[len(API_KEY_PREFIX) :].partition("_")
    if not sep or not (8 <= len(key_id) <= 32) or not key_id.isalnum() or not (20 <= len(secret) <= 100):
        return None
    return key_id, secret


def key_view(doc: dict) -> dict:
    """What the admin sees of a key (never its secret nor its hash)."""
    return {
        "id": doc["_id"],
        "name": doc["name"],
        "scopes": doc["scopes"],
        "created_by": doc["created_by"],
        "created_at": doc["created_at"],
        "revoked_at": doc.get("revoked_at"),
        "last_used_on": doc.get("last_used_on"),
    }


class ApiKeyStore:
    def __init__(self, db: AsyncDatabase) -> None:
        self.keys = db[API_KEYS]
        self.revocations = db[API_KEY_REVOCATIONS]

    async def ensure_indexes(self) -> None:
        await self.keys.create_index([("commune_id", ASCENDING), ("created_at", ASCENDING)])
        # keys revoked before revocations were reference data: every guard learns of them too
        async for doc in self.keys.find({"revoked_at": {"$ne": None}}, {"commune_id": 1, "revoked_at": 1}):
            await self._record_revocation(doc["commune_id"], doc["_id"], doc["revoked_at"])

    async def _record_revocation(self, commune_id: str, key_id: str, revoked_at: datetime) -> None:
        """The reference data every service's guard reads (`DirectoryReader.key_revocation`)."""
        await self.revocations.update_one(
            {"_id": key_id},
            {"$setOnInsert": {"commune_id": commune_id, "revoked_at": revoked_at}},
            upsert=True,
        )

    async def create(
        self, commune_id: str, name: str, scopes: frozenset[Scope], created_by: str
    ) -> tuple[dict, str]:
        """(the stored document, the key to hand over once)."""
        key_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        doc = {
            "_id": key_id,
            "commune_id": commune_id,
            "name": name,
            "scopes": sorted(s.value for s in scopes),
            "hash": _digest(secret),
            "created_by": created_by,
            "created_at": utcnow(),
            "revoked_at": None,
        }
        await self.keys.insert_one(doc)
        return doc, f"{API_KEY_PREFIX}{key_id}_{secret}"

    async def list(self, commune_id: str) -> list[dict]:
        return [doc async for doc in self.keys.find({"commune_id": commune_id}).sort("created_at", ASCENDING)]

    async def revoke(self, commune_id: str, key_id: str, by: str, now: datetime | None = None) -> bool:
        """Revoke the commune's key (True when this call did); its revocation is then recorded
        for every service's guard, also when an earlier call stopped in between (idempotent)."""
        result = await self.keys.update_one(
            {"_id": key_id, "commune_id": commune_id, "revoked_at": None},
            {"$set": {"revoked_at": now or utcnow(), "revoked_by": by}},
        )
        revoked = await self.keys.find_one(
            {"_id": key_id, "commune_id": commune_id, "revoked_at": {"$ne": None}}, {"revoked_at": 1}
        )
        if revoked is not None:
            await self._record_revocation(commune_id, key_id, revoked["revoked_at"])
        return result.modified_count == 1

    async def resolve(self, key: str) -> Principal | None:
        """The key's principal, or None for a malformed, unknown, wrong or revoked key."""
        parts = _split(key)
        if parts is None:
            return None
        key_id, secret = parts
        doc = await self.keys.find_one({"_id": key_id})
        if doc is None or doc.get("revoked_at") or not hmac.compare_digest(doc["hash"], _digest(secret)):
            return None
        return Principal(
            kind=PrincipalKind.API_KEY,
            subject=key_id,
            name=f"api-key:{doc['name']}",
            commune_id=doc["commune_id"],
            scopes=frozenset(Scope(s) for s in doc["scopes"]),
        )
