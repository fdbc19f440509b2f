"""Intake's commands for an operator on a fresh deployment (they write intake's own collections
through the store, no service needs to run): the first staff users and a commune's API keys.

    doithoai users create --username xa.admin --role commune_admin --commune tan-phuoc
    doithoai apikeys create --commune tan-phuoc --name "Hệ thống của tỉnh" --scope submit --scope read
    doithoai apikeys list --commune tan-phuoc
    doithoai apikeys revoke --commune tan-phuoc --id 0123abcd4567ef89
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import secrets
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.auth.principal import Role, Scope
from shared.contracts import Organisation


def _with_store(work: Callable[[AsyncDatabase], Awaitable[Any]]) -> Any:
    from services.intake.settings import IntakeSettings
    from shared.mongo import create_client, database

    async def run() -> Any:
        settings = IntakeSettings()
        client = create_client(settings)
        try:
            return await work(database(client, settings))
        finally:
            await client.close()

    return asyncio.run(run())


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated): from --password-stdin, a prompt, or a random one printed once."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    if sys.stdin.isatty():
        first = getpass.getpass("Mật khẩu (ít nhất 10 ký tự): ")
        if first != getpass.getpass("Nhập lại: "):
            raise SystemExit("the two passwords differ")
        return first, False
    return secrets.token_urlsafe(12), True


def users_create(args: argparse.Namespace) -> int:
    from services.intake.web.staff.users import add_user

    password, generated = _password(args)
    scope = {
        "office_id": args.office,
        "hamlet_id": args.hamlet,
        "organisation": args.organisation,
        "display_name": args.display_name or "",
    }
    try:
        doc = _with_store(
            lambda db: add_user(
                db,
                args.username,
                password,
                args.role,
                args.commune,
                must_change_password=generated or args.must_change_password,
                **scope,
            )
        )
    except ValueError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    except DuplicateKeyError:
        print(f"refused: the username {args.username!r} is taken", file=sys.stderr)
        return 2
    print(
        json.dumps(
            {
                "id": doc["_id"],
                "username": doc["username"],
                "role": doc["role"],
                "commune_id": doc["commune_id"],
                **(
                    {"password": password, "note": "shown once; the user must change it at first login"}
                    if generated
                    else {}
                ),
            },
            ensure_ascii=False,
        )
    )
    return 0


def apikeys(args: argparse.Namespace) -> int:
    from services.intake.api_keys import ApiKeyStore, key_view

    async def work(db: AsyncDatabase) -> Any:
        store = ApiKeyStore(db)
        await store.ensure_indexes()
        if args.action == "create":
            if not args.scope:
                raise SystemExit("name at least one --scope")
            doc, key = await store.create(
                args.commune, args.name or "integration", frozenset(Scope(s) for s in args.scope), "cli"
            )
            return {**key_view(doc), "key": key, "note": "the key is shown once"}
        if args.action == "list":
            return [key_view(d) for d in await store.list(args.commune)]
        return {"id": args.id, "revoked": await store.revoke(args.commune, args.id or "", "cli")}

    print(json.dumps(_with_store(work), ensure_ascii=False, default=str, indent=1))
    return 0


def add_parsers(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="staff users: create the first admin of a commune (and others)")
    users.add_argument("action", choices=("create",))
    users.add_argument("--username", required=True)
    users.add_argument("--role", required=True, choices=[r.value for r in Role])
    users.add_argument("--commune", default=None, help="the commune id (none for an operator)")
    users.add_argument("--office", default=None, help="office_staff: the office id")
    users.add_argument("--hamlet", default=None, help="hamlet_cell: the hamlet id")
    users.add_argument(
        "--organisation",
        default=None,
        choices=[o.value for o in Organisation],
        help="front_org of a mass organisation (none: the Fatherland Front committee)",
    )
    users.add_argument("--display-name", default=None)
    users.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    users.add_argument(
        "--must-change-password", action="store_true", help="ask for a new password at first login"
    )
    users.set_defaults(func=users_create)

    keys = commands.add_parser(
        "apikeys", help="a commune's API keys for integrations: create (shown once), list, revoke"
    )
    keys.add_argument("action", choices=("create", "list", "revoke"))
    keys.add_argument("--commune", required=True)
    keys.add_argument("--name", default=None)
    keys.add_argument("--scope", action="append", choices=[s.value for s in Scope], default=[])
    keys.add_argument("--id", default=None, help="revoke: the key's id")
    keys.set_defaults(func=apikeys)
