"""Intake's commands for an operator on a fresh deployment (they write intake's own collections
through the store, no service needs to run): the communes of the deployment, the first staff
users and a commune's API keys. A user of a commune and an API key need the commune registered.

    doithoai communes put --file commune.json       (deploy/commune.example.json to start from)
    doithoai communes list
    doithoai communes show --commune tan-phuoc > commune.json
    doithoai users create --username xa.admin --role commune_admin --commune tan-phuoc
    doithoai apikeys create --commune tan-phuoc --name "Hệ thống của tỉnh" --scope submit --scope read
    doithoai apikeys list --commune tan-phuoc
    doithoai apikeys revoke --commune tan-phuoc --id 0123abcd4567ef89

What a person reads (refusals, notes) is in Vietnamese then English, "vi / en", as the HTTP
errors give `message_vi` before `message_en`; a refusal exits 2.
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
from pymongo.errors import ConnectionFailure, DuplicateKeyError

from services.intake.commune_admin import (
    CommuneRefused,
    UnknownCommune,
    list_communes,
    normalised,
    parse_commune,
    put_commune,
    require_commune,
    show_commune,
    user_scope_of,
)
from shared.auth.principal import Role, Scope
from shared.contracts import Organisation

REFUSED = "Từ chối / refused:"


def _with_store(work: Callable[[AsyncDatabase], Awaitable[Any]]) -> Any:
    from services.intake.settings import IntakeSettings
    from shared.mongo import create_client, database

    settings = IntakeSettings()

    async def run() -> Any:
        client = create_client(settings)
        try:
            return await work(database(client, settings))
        finally:
            await client.close()

    try:
        return asyncio.run(run())
    except ConnectionFailure as exc:  # one line for the operator, not the driver's traceback
        raise SystemExit(
            f"Không kết nối được kho dữ liệu {settings.mongodb_url}; đặt MONGODB_URL (make run in địa chỉ "
            f"kho của nó) / cannot reach the store at {settings.mongodb_url}; set MONGODB_URL (make run "
            f"prints its store's address): {type(exc).__name__}"
        ) from None


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated): from --password-stdin, a prompt, or a random one printed once."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    if sys.stdin.isatty():
        first = getpass.getpass("Mật khẩu (ít nhất 10 ký tự): ")
        if first != getpass.getpass("Nhập lại: "):
            raise SystemExit("Hai lần nhập mật khẩu khác nhau / the two passwords differ")
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

    async def work(db: AsyncDatabase) -> dict:
        if args.commune is not None:  # an operator has none
            await user_scope_of(db, args.commune, args.office, args.hamlet)
        return await add_user(
            db,
            args.username,
            password,
            args.role,
            args.commune,
            must_change_password=generated or args.must_change_password,
            **scope,
        )

    try:
        doc = _with_store(work)
    except ValueError as exc:  # UnknownCommune included
        print(f"{REFUSED} {exc}", file=sys.stderr)
        return 2
    except DuplicateKeyError:
        print(
            f"{REFUSED} tên đăng nhập {args.username!r} đã có người dùng / "
            f"the username {args.username!r} is taken",
            file=sys.stderr,
        )
        return 2
    print(
        json.dumps(
            {
                "id": doc["_id"],
                "username": doc["username"],
                "role": doc["role"],
                "commune_id": doc["commune_id"],
                **(
                    {
                        "password": password,
                        "note": "chỉ hiện một lần; người dùng phải đổi mật khẩu khi đăng nhập lần đầu / "
                        "shown once; the user must change it at first login",
                    }
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
        await require_commune(db, args.commune)
        store = ApiKeyStore(db)
        await store.ensure_indexes()
        if args.action == "create":
            if not args.scope:
                raise SystemExit("Cần ít nhất một --scope / name at least one --scope")
            doc, key = await store.create(
                args.commune, args.name or "integration", frozenset(Scope(s) for s in args.scope), "cli"
            )
            return {**key_view(doc), "key": key, "note": "khóa chỉ hiện một lần / the key is shown once"}
        if args.action == "list":
            return [key_view(d) for d in await store.list(args.commune)]
        return {"id": args.id, "revoked": await store.revoke(args.commune, args.id or "", "cli")}

    try:
        out = _with_store(work)
    except UnknownCommune as exc:
        print(f"{REFUSED} {exc}", file=sys.stderr)
        return 2
    print(json.dumps(out, ensure_ascii=False, default=str, indent=1))
    return 0


def _read_definition(source: str) -> Any:
    """The JSON of --file (`-`: standard input), with its text in NFC."""
    name = "stdin" if source == "-" else source
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8") as file:
                text = file.read()
        return normalised(json.loads(text))
    except OSError as exc:
        raise CommuneRefused([f"{name}: không đọc được tệp / cannot read ({exc.strerror})"]) from None
    except UnicodeDecodeError:
        raise CommuneRefused([f"{name}: tệp không phải văn bản UTF-8 / not UTF-8 text"]) from None
    except json.JSONDecodeError as exc:
        raise CommuneRefused(
            [
                f"{name}: không phải JSON, dòng {exc.lineno} cột {exc.colno} / "
                f"not JSON, line {exc.lineno} column {exc.colno}: {exc.msg}"
            ]
        ) from None


def communes(args: argparse.Namespace) -> int:
    needed = {"put": ("--file", args.file), "show": ("--commune", args.commune)}.get(args.action)
    if needed and not needed[1]:
        print(f"{REFUSED} thiếu {needed[0]} / communes {args.action} needs {needed[0]}", file=sys.stderr)
        return 2
    try:
        if args.action == "put":
            data = _read_definition(args.file)
            commune = parse_commune(data)  # before the store is opened: refused means untouched
            given = data.get("current_dialogue_id") is not None
            out: Any = _with_store(lambda db: put_commune(db, commune, dialogue_given=given)).summary()
        elif args.action == "list":
            out = _with_store(list_communes)
        else:
            out = _with_store(lambda db: show_commune(db, args.commune))
    except (CommuneRefused, UnknownCommune) as exc:
        print(f"{REFUSED} {exc}", file=sys.stderr)
        return 2
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


def add_parsers(commands: argparse._SubParsersAction) -> None:
    registry = commands.add_parser(
        "communes", help="the deployment's communes: put (create or replace) from JSON, list, show"
    )
    registry.add_argument("action", choices=("put", "list", "show"))
    registry.add_argument(
        "--file", default=None, help="put: the commune's JSON definition (- for standard input)"
    )
    registry.add_argument("--commune", default=None, help="show: the commune id")
    registry.set_defaults(func=communes)

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
