"""The `doithoai` command: run services, seed the demo, run the whole system locally."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

DEFAULT_PORTS = {"intake": 8000, "routing": 8001, "notification": 8002, "reporting": 8003}


def _serve(args: argparse.Namespace) -> int:
    import importlib

    import uvicorn

    from shared.observability import configure_logging
    from shared.settings import Settings

    settings = Settings()
    configure_logging(settings.log_level, service=args.service)
    app = importlib.import_module(f"services.{args.service}.app").build_app(settings)
    uvicorn.run(app, host=args.host, port=args.port or DEFAULT_PORTS[args.service], log_level="warning", access_log=False)
    return 0


def _seed_demo(_: argparse.Namespace) -> int:
    from services.intake.demo import seed_demo
    from shared.mongo import create_client, database
    from shared.settings import Settings

    async def seed() -> None:
        settings = Settings()
        client = create_client(settings)
        try:
            await seed_demo(database(client, settings))
        finally:
            await client.close()

    asyncio.run(seed())
    print("demo commune seeded")
    return 0


def _run(_: argparse.Namespace) -> int:
    from services.local.runner import run

    return run()


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="doithoai", description="Dialogue between the commune Party Secretary and the people.")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run one service (production runs one per process)")
    serve.add_argument("service", choices=sorted(DEFAULT_PORTS))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=None)
    serve.set_defaults(func=_serve)

    seed = commands.add_parser("seed-demo", help="create or refresh the demo commune and its 2017 dialogue (idempotent)")
    seed.set_defaults(func=_seed_demo)

    run = commands.add_parser("run", help="the whole system locally with embedded defaults (make run)")
    run.set_defaults(func=_run)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
