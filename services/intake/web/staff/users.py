"""Staff users, their sessions and the audit trail, all in the shared store (every replica sees
the same sessions; logout anywhere is logout everywhere).

- `intake_staff_users`: string ids, `username` unique per deployment (stored lower-case),
  `role`, `commune_id` (None only for `operator`), `office_id` (office_staff), `hamlet_id`
  (hamlet_cell), `organisation` (front_org of a mass organisation; none for the Fatherland
  Front committee), `password_hash` (argon2id; the password itself is never stored),
  `must_change_password` (True for a password someone else chose: seeded demo users, users
  created for someone; the staff pages send such a user to `/staff/mat-khau` first).
- `intake_staff_sessions`: `_id` is the SHA-256 of the random 32-byte cookie token (a copy of
  the store does not hand out live sessions); `expires_at` carries a TTL index.
- `intake_staff_audit`: who, role, commune, action, target, at, for every staff POST.

Argon2 runs in a small thread pool (`_HASHING`, 2 threads), never on the event loop: a burst
of logins queues there instead of stalling every other request. `hash_password` is the
synchronous form for code outside a request (seeding, commands). Each hash or verification
holds the hasher's memory cost (64 MiB) while it runs, so nothing is hashed at import: the
hash an unknown name is checked against is made on the first such login, in the pool.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.audit import STAFF_AUDIT, audit_document
from shared.auth.principal import MANAGERS, Principal, PrincipalKind, Role
from shared.clock import utcnow
from shared.contracts import Organisation
from shared.ids import new_id
from shared.personal_data import mask_personal_data

STAFF_USERS = "intake_staff_users"
STAFF_SESSIONS = "intake_staff_sessions"
ROLES = tuple(role.value for role in Role)
ROLE_LABELS_VI = {role.value: role.label_vi for role in Role}
ORGANISATIONS = tuple(o.value for o in Organisation)
# Who may read the submitter's name and contact.
IDENTITY_ROLES = MANAGERS

_hasher = PasswordHasher()  # argon2id with the library's (RFC 9106 low-memory) defaults
_HASHING = ThreadPoolExecutor(
    max_workers=2, thread_name_prefix="argon2"
)  # bounded: a flood of logins waits here


@dataclass(frozen=True)
class StaffUser:
    id: str
    username: str
    role: str
    commune_id: str | None
    display_name: str = ""
    office_id: str | None = None
    hamlet_id: str | None = None
    organisation: str | None = None
    must_change_password: bool = False

    @property
    def sees_identity(self) -> bool:
        return self.role in IDENTITY_ROLES

    def text_seen(self, text: str | None) -> str:
        """A resident's text as this user reads it: as typed for those who see who sent an item
        (`sees_identity`), personal data masked for everyone else (offices, hamlet cells,
        organisations), who never learn who sent it."""
        return (text or "") if self.sees_identity else mask_personal_data(text)

    def principal(self) -> Principal:
        """The user as the APIs know it (shared/auth): `by` of every change is `username`."""
        return Principal(
            kind=PrincipalKind.USER,
            subject=self.id,
            name=self.username,
            commune_id=self.commune_id,
            role=Role(self.role),
            office_id=self.office_id,
            hamlet_id=self.hamlet_id,
            organisation=self.organisation,
        )

    @classmethod
    def from_doc(cls, doc: dict) -> StaffUser:
        return cls(
            id=doc["_id"],
            username=doc["username"],
            role=doc["role"],
            commune_id=doc.get("commune_id"),
            display_name=doc.get("display_name") or doc["username"],
            office_id=doc.get("office_id"),
            hamlet_id=doc.get("hamlet_id"),
            organisation=doc.get("organisation"),
            must_change_password=bool(doc.get("must_change_password")),
        )


def normalise_username(username: str) -> str:
    return username.strip().lower()[:64]


def hash_password(password: str) -> str:
    """Synchronous: for seeding and commands, not for request handlers (`hash_password_async`)."""
    return _hasher.hash(password)


async def hash_password_async(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_HASHING, _hasher.hash, password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def verify_password(password_hash: str, password: str) -> bool:
    return await asyncio.get_running_loop().run_in_executor(_HASHING, _verify, password_hash, password)


@functools.cache
def _dummy_hash() -> str:
    """What an unknown name's password is verified against, with the hasher's parameters."""
    return _hasher.hash(secrets.token_urlsafe(16))


def _verify_unknown(password: str) -> bool:
    """As long as verifying a known user's password (after the first call, which also hashes)."""
    _verify(_dummy_hash(), password)
    return False


def user_document(
    username: str,
    password: str,
    role: str,
    commune_id: str | None,
    *,
    display_name: str = "",
    office_id: str | None = None,
    hamlet_id: str | None = None,
    organisation: str | None = None,
    must_change_password: bool = False,
) -> dict:
    """A new user's document; raises ValueError when the role and its scope do not fit, its
    message in Vietnamese then English ("vi / en": `doithoai users create` prints it)."""
    if role not in ROLES:
        raise ValueError(f"vai trò {role!r} không có / unknown role {role!r}")
    if (role == "operator") != (commune_id is None):
        raise ValueError(
            "operator không thuộc xã nào, mọi vai trò khác thuộc một xã / "
            "operators have no commune; every other role has one"
        )
    if (role == "office_staff") != bool(office_id):
        raise ValueError(
            "office_staff cần office_id (và chỉ office_staff có) / "
            "office_staff needs office_id (and only office_staff has one)"
        )
    if (role == "hamlet_cell") != bool(hamlet_id):
        raise ValueError(
            "hamlet_cell cần hamlet_id (và chỉ hamlet_cell có) / "
            "hamlet_cell needs hamlet_id (and only hamlet_cell has one)"
        )
    if organisation is not None and (role != "front_org" or organisation not in ORGANISATIONS):
        orgs = ", ".join(ORGANISATIONS)
        raise ValueError(
            f"chỉ front_org có tổ chức, một trong: {orgs} / only front_org has an organisation, one of {orgs}"
        )
    if len(password) < 10:
        raise ValueError("mật khẩu cần ít nhất 10 ký tự / a password has at least 10 characters")
    return {
        "_id": new_id(),
        "username": normalise_username(username),
        "role": role,
        "commune_id": commune_id,
        "office_id": office_id,
        "hamlet_id": hamlet_id,
        "organisation": organisation,
        "display_name": display_name or username,
        "password_hash": hash_password(password),
        "must_change_password": must_change_password,
        "created_at": utcnow(),
    }


class StaffStore:
    def __init__(self, db: AsyncDatabase, session_ttl: timedelta) -> None:
        self.users = db[STAFF_USERS]
        self.sessions = db[STAFF_SESSIONS]
        self.audit_log = db[STAFF_AUDIT]
        self.session_ttl = session_ttl
        self._indexed = False

    async def ensure_indexes(self) -> None:
        if self._indexed:
            return
        await ensure_staff_indexes(self.users.database)
        self._indexed = True

    # ---- users -----------------------------------------------------------------------------

    async def authenticate(self, username: str, password: str) -> StaffUser | None:
        """The user when the password is right; None otherwise (unknown names cost the same)."""
        doc = await self.users.find_one({"username": normalise_username(username)})
        if doc is None:
            await asyncio.get_running_loop().run_in_executor(_HASHING, _verify_unknown, password)
            return None
        if not await verify_password(doc["password_hash"], password) or doc.get("disabled"):
            return None
        if _hasher.check_needs_rehash(doc["password_hash"]):
            await self.users.update_one(
                {"_id": doc["_id"]}, {"$set": {"password_hash": await hash_password_async(password)}}
            )
        return StaffUser.from_doc(doc)

    async def set_password(self, user_id: str, password: str) -> None:
        """The user's own new password: it no longer has to be changed."""
        await self.users.update_one(
            {"_id": user_id},
            {"$set": {"password_hash": await hash_password_async(password), "must_change_password": False}},
        )

    # ---- sessions --------------------------------------------------------------------------

    async def open_session(self, user: StaffUser, now: datetime | None = None) -> str:
        """A new random token for the cookie; the store keeps only its hash."""
        await self.ensure_indexes()
        now = now or utcnow()
        token = secrets.token_urlsafe(32)
        await self.sessions.insert_one(
            {
                "_id": _token_key(token),
                "user_id": user.id,
                "commune_id": user.commune_id,
                "created_at": now,
                "expires_at": now + self.session_ttl,
            }
        )
        return token

    async def user_for(self, token: str | None, now: datetime | None = None) -> StaffUser | None:
        if not token or len(token) > 128:
            return None
        session = await self.sessions.find_one({"_id": _token_key(token)})
        if session is None or session["expires_at"] <= (
            now or utcnow()
        ):  # the TTL monitor runs only now and then
            return None
        doc = await self.users.find_one({"_id": session["user_id"]})
        if doc is None or doc.get("disabled"):
            return None
        return StaffUser.from_doc(doc)

    async def close_session(self, token: str | None) -> None:
        if token and len(token) <= 128:
            await self.sessions.delete_one({"_id": _token_key(token)})

    # ---- audit -----------------------------------------------------------------------------

    async def audit(
        self, user: StaffUser, action: str, target: dict | None = None, *, status: int | None = None
    ) -> None:
        await self.audit_log.insert_one(audit_document(user.principal(), action, target or {}, status))


def _token_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def ensure_staff_indexes(db: AsyncDatabase) -> None:
    await db[STAFF_USERS].create_index([("username", ASCENDING)], unique=True)
    await db[STAFF_SESSIONS].create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)
    await db[STAFF_SESSIONS].create_index([("user_id", ASCENDING)])
    await db[STAFF_AUDIT].create_index([("commune_id", ASCENDING), ("at", ASCENDING)])


async def add_user(
    db: AsyncDatabase,
    username: str,
    password: str,
    role: str,
    commune_id: str | None,
    *,
    must_change_password: bool = True,
    **scope: Any,
) -> dict:
    """Create one user (DuplicateKeyError when the name is taken anywhere in the deployment).
    The password is chosen by whoever creates the account, so by default its owner must
    change it at the first login."""
    await ensure_staff_indexes(db)
    doc = user_document(
        username, password, role, commune_id, must_change_password=must_change_password, **scope
    )
    await db[STAFF_USERS].insert_one(doc)
    return doc
