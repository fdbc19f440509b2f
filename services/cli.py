"""The `doithoai` command: run services, seed the demo, run the whole system locally.

What a person reads (refusals, warnings, results) is in Vietnamese then English, "vi / en", as
the HTTP errors give `message_vi` before `message_en`; machine output (JSON) is left as it is."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

DEFAULT_PORTS = {"intake": 8000, "routing": 8001, "notification": 8002, "reporting": 8003}


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from services.deployment import build_service_app, service_settings
    from shared.observability import configure_logging

    settings = service_settings(args.service)
    configure_logging(settings.log_level, service=args.service)
    app = build_service_app(settings, args.service)
    # proxy_headers=False: uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1; the
    # client address is decided by shared/client_address.py (DOITHOAI_TRUSTED_PROXIES) alone.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port or DEFAULT_PORTS[args.service],
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )
    return 0


def _seed_demo(_: argparse.Namespace) -> int:
    from services.demo.seed import seed_demo
    from services.deployment import Settings
    from shared.mongo import create_client, database

    settings = Settings()

    async def seed() -> None:
        client = create_client(settings)
        try:
            await seed_demo(database(client, settings), staff=settings.demo)
        finally:
            await client.close()

    asyncio.run(seed())
    # The demo staff logins have published passwords: only with DOITHOAI_DEMO=1.
    print(
        "Đã tạo xã mẫu"
        + (
            " cùng các tài khoản cán bộ mẫu (mỗi tài khoản phải đổi mật khẩu khi đăng nhập lần đầu)"
            " / demo commune seeded with demo staff logins (each must change its password at first login)"
            if settings.demo
            else ", không có tài khoản cán bộ (DOITHOAI_DEMO tắt)"
            " / demo commune seeded; no staff logins (DOITHOAI_DEMO is off)"
        )
    )
    return 0


def _iso_date(text: str):
    import re
    from datetime import date

    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"ngày {text!r} không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2017-03-25 / "
            f"invalid date {text!r}: expected YYYY-MM-DD, e.g. 2017-03-25"
        ) from None


def _commune_id(text: str) -> str:
    import re

    from shared.contracts.envelope import COMMUNE_ID_PATTERN

    if not re.fullmatch(COMMUNE_ID_PATTERN, text):
        raise argparse.ArgumentTypeError(
            f"mã xã {text!r} không hợp lệ: chỉ gồm chữ thường không dấu, chữ số và '-' / "
            f"invalid commune id {text!r}: lowercase letters, digits and '-'"
        )
    return text


def _deadlines(args: argparse.Namespace) -> int:
    import json

    from shared.calendar import WorkingCalendar
    from shared.deadlines import derive, summary

    days_off, working_days, culture_day = (
        list(args.extra_day_off),
        list(args.extra_working_day),
        args.culture_day,
    )
    stored = _stored_calendar(args.commune)
    if stored is not None:  # the commune's own override table, when a store is configured
        days_off += stored.extra_days_off
        working_days += stored.extra_working_days
        culture_day = culture_day and stored.culture_day
    calendar = WorkingCalendar(days_off, working_days, culture_day=culture_day)
    out = {"meeting": args.meeting.isoformat(), "commune": args.commune, **summary(args.meeting, calendar)}
    out["deadlines"] = [
        {
            "key": d.key,
            "title": d.title,
            "responsible": d.responsible,
            "due": d.due.isoformat(),
            "printed": d.printed,
        }
        for d in derive(args.meeting, calendar)
    ]
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


def _stored_calendar(commune_id: str):
    """The commune's calendar overrides from MONGODB_URL, if that is set and answers."""
    import os

    if not os.environ.get("MONGODB_URL"):
        return None
    from shared.directory import DirectoryReader
    from shared.mongo import create_client, database
    from shared.settings import CommonSettings

    async def read():
        settings = CommonSettings()
        client = create_client(settings)
        try:
            commune = await DirectoryReader(database(client, settings)).commune(commune_id)
            return commune.calendar if commune else None
        finally:
            await client.close()

    try:
        return asyncio.run(read())
    except Exception as exc:  # the arithmetic must still work without a store
        print(
            f"doithoai deadlines: không đọc được lịch riêng của xã ({type(exc).__name__}), dùng lịch "
            "chung cả nước / commune calendar not read; using the national calendar",
            file=sys.stderr,
        )
        return None


def _classify(args: argparse.Namespace) -> int:
    """JSON lines in (stdin), one JSON line out per input (stdout); a bad line gives an error line."""
    import json

    from services.demo.seed import DEMO_COMMUNE_ID, demo_commune, demo_dialogue
    from services.routing.batch import StreamClassifier
    from services.routing.classifier import RuleSet

    if args.commune != DEMO_COMMUNE_ID:
        print(
            f"doithoai classify: khi chạy ngoại tuyến không có xã {args.commune!r}, chỉ có xã mẫu "
            f"{DEMO_COMMUNE_ID!r} / commune {args.commune!r} is not available offline; "
            f"only the built-in {DEMO_COMMUNE_ID!r} commune is",
            file=sys.stderr,
        )
        return 2
    stream = StreamClassifier(commune=demo_commune(), dialogue=demo_dialogue(), rules=RuleSet.load_default())
    for number, raw in enumerate(sys.stdin, start=1):
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError as exc:
            out = {"id": None, "error": f"line {number}: invalid JSON ({exc.msg})"}
        else:
            out = stream.classify_one(line)
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


def _render(args: argparse.Namespace) -> int:
    """One dialogue document from the built-in demo data set, written to -o FILE."""
    from pathlib import Path

    from services.demo.documents import demo_document
    from services.reporting.documents import FORMATS, KINDS, render

    if args.kind not in KINDS:
        print(
            f"doithoai render: không có loại văn bản {args.kind!r} / unknown document kind {args.kind!r}; "
            f"chọn một trong / choose one of: {', '.join(KINDS)}",
            file=sys.stderr,
        )
        return 2
    if args.format not in FORMATS:
        print(
            f"doithoai render: không có định dạng {args.format!r} / unknown format {args.format!r}; "
            f"chọn một trong / choose one of: {', '.join(FORMATS)}",
            file=sys.stderr,
        )
        return 2
    if not args.demo:
        print(
            "doithoai render: khi chạy ngoại tuyến chỉ in được bộ dữ liệu mẫu, hãy thêm --demo / "
            "only the built-in demo data set can be rendered offline; pass --demo",
            file=sys.stderr,
        )
        return 2
    if args.number is not None and args.number < 1:
        print(
            "doithoai render: --number bắt đầu từ 1 (bỏ trống để in dự thảo) / "
            "--number starts at 1 (leave it out for a draft)",
            file=sys.stderr,
        )
        return 2
    data = demo_document(args.kind, number=args.number, issued_on=args.issued_on)
    out = Path(args.output)
    out.write_bytes(render(args.kind, args.format, data))
    print(
        f"{out} ({args.kind}, {args.format}, {'số ' + str(args.number) if args.number else 'dự thảo'})",
        file=sys.stderr,
    )
    return 0


def _dlq(args: argparse.Namespace) -> int:
    import json

    from services.deployment import CONSUMERS
    from shared.dead_letters import list_dead_letters, replay_dead_letters
    from shared.settings import CommonSettings
    from shared.topology import Topology

    settings = CommonSettings()
    topology = Topology(settings.amqp_prefix, settings.retry_delay_ms, settings.delivery_limit, CONSUMERS)
    if args.action == "list":
        rows = asyncio.run(
            list_dead_letters(settings.rabbitmq_url, topology, service=args.service, limit=args.limit)
        )
    else:
        rows = asyncio.run(
            replay_dead_letters(
                settings.rabbitmq_url,
                topology,
                service=args.service,
                message_id=args.message_id,
                limit=args.limit,
            )
        )
    for row in rows:
        print(json.dumps(row, ensure_ascii=False, default=str))
    print(json.dumps({"action": args.action, "count": len(rows)}), file=sys.stderr)
    return 0


def _run(_: argparse.Namespace) -> int:
    from services.local.runner import run

    return run()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="doithoai", description="Dialogue between the commune Party Secretary and the people."
    )
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run one service (production runs one per process)")
    serve.add_argument("service", choices=sorted(DEFAULT_PORTS))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=_serve)

    seed = commands.add_parser(
        "seed-demo", help="create or refresh the demo commune and its 2017 dialogue (idempotent)"
    )
    seed.set_defaults(func=_seed_demo)

    deadlines = commands.add_parser(
        "deadlines", help="the plan's deadlines for a meeting date, as JSON (no server needed)"
    )
    deadlines.add_argument(
        "--meeting", type=_iso_date, required=True, metavar="YYYY-MM-DD", help="the dialogue's date"
    )
    deadlines.add_argument(
        "--commune",
        type=_commune_id,
        default="demo",
        metavar="ID",
        help="with MONGODB_URL set, the commune's own calendar overrides apply",
    )
    deadlines.add_argument(
        "--extra-day-off",
        type=_iso_date,
        action="append",
        default=[],
        metavar="YYYY-MM-DD",
        help="a day off the holidays package does not know (repeatable)",
    )
    deadlines.add_argument(
        "--extra-working-day",
        type=_iso_date,
        action="append",
        default=[],
        metavar="YYYY-MM-DD",
        help="a working day the holidays package does not know (repeatable)",
    )
    deadlines.add_argument(
        "--no-culture-day",
        dest="culture_day",
        action="store_false",
        help="24/11 (Ngày Văn hóa Việt Nam) is not a day off",
    )
    deadlines.set_defaults(func=_deadlines)

    classify = commands.add_parser(
        "classify",
        help="classify JSON-lines submissions from stdin offline: topic, office, authority, repeats",
    )
    classify.add_argument(
        "--commune",
        type=_commune_id,
        default="demo",
        metavar="ID",
        help="only the built-in demo commune is available offline",
    )
    classify.set_defaults(func=_classify)

    render = commands.add_parser(
        "render",
        help="render a dialogue document (invitation, report, minutes, notice, letter, radio) "
        "from the demo data set",
    )
    render.add_argument(
        "kind",
        metavar="KIND",
        help="giay-moi | bao-cao-tong-hop | bien-ban | thong-bao-ket-luan | kien-nghi-cap-tren "
        "| thong-bao-truyen-thanh",
    )
    render.add_argument(
        "--demo",
        action="store_true",
        help="use the built-in demo data set (2017 seed plan, 36 submissions); required offline",
    )
    render.add_argument("--format", default="pdf", metavar="FORMAT", help="html | pdf | docx (default pdf)")
    render.add_argument("-o", "--output", required=True, metavar="FILE")
    render.add_argument(
        "--number",
        type=int,
        default=None,
        metavar="N",
        help="the document's number in its register; without it a draft (Số    -TB/ĐU, DỰ THẢO)",
    )
    render.add_argument(
        "--issued-on",
        type=_iso_date,
        default=None,
        metavar="YYYY-MM-DD",
        help="issue date (default: the demo plan's date for that document)",
    )
    render.set_defaults(func=_render)

    dlq = commands.add_parser(
        "dlq", help="dead letters: list them with their reasons, or replay them to their consumer"
    )
    dlq.add_argument("action", choices=("list", "replay"))
    dlq.add_argument("--service", choices=sorted(DEFAULT_PORTS), help="only this service's consumers")
    dlq.add_argument("--message-id", help="replay only this message (its event id)")
    dlq.add_argument("--limit", type=int, default=100)
    dlq.set_defaults(func=_dlq)

    run = commands.add_parser("run", help="the whole system locally with embedded defaults (make run)")
    run.set_defaults(func=_run)

    from services.intake.admin_cli import add_parsers as add_intake_admin

    add_intake_admin(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
