"""The audit trail of changes made through the APIs: one collection per service
(`<service>_audit`; intake's is the staff pages' own `intake_staff_audit`), one shape for all:
who (principal), role, commune, action (the route's name), target (path parameters), status, when."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING

from shared.auth.principal import Principal
from shared.clock import utcnow
from shared.ids import new_id
from shared.mongo import Database, Document

STAFF_AUDIT = "intake_staff_audit"


def audit_collection(service: str) -> str:
    return STAFF_AUDIT if service == "intake" else f"{service}_audit"


def audit_document(principal: Principal, action: str, target: dict[str, Any], status: int | None) -> Document:
    return {
        "_id": new_id(),
        "user_id": principal.subject,
        "username": principal.name,
        "role": principal.role.value if principal.role else None,
        "via": principal.kind.value,
        "commune_id": principal.commune_id,
        "action": action,
        "target": target,
        "status": status,
        "at": utcnow(),
    }


class AuditTrail:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def record(
        self, service: str, principal: Principal, action: str, target: dict[str, Any], status: int
    ) -> None:
        await self.db[audit_collection(service)].insert_one(audit_document(principal, action, target, status))

    async def ensure_indexes(self, service: str) -> None:
        await self.db[audit_collection(service)].create_index([("commune_id", ASCENDING), ("at", ASCENDING)])
