"""`make run`: the whole system on this machine with embedded defaults.

- Store: MONGODB_URL if set, else the nx-27017 wire server with its data in ./.data/mongo.
- Mail: SMTP_URL if set, else a capture server writing .eml files to ./.data/mail.
- Broker: RABBITMQ_URL if set or RabbitMQ answering on 127.0.0.1:5672: the four services run
  as separate processes, as in production. Otherwise FastStream's in-memory broker with all
  four services in this one process. DOITHOAI_BROKER=memory|rabbitmq forces either.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import uvicorn

from services.deployment import Settings
from services.local.mail_capture import MailCapture
from services.local.ports import is_listening
from services.local.wire_store import start_wire_store
from shared.mongo import create_client, database

SERVICES = ("intake", "routing", "notification", "reporting")


def _seed(settings: Settings) -> None:
    from services.demo.seed import seed_demo

    async def seed() -> None:
        client = create_client(settings)
        try:
            await seed_demo(database(client, settings), staff=settings.demo)
        finally:
            await client.close()

    asyncio.run(seed())


def _local_auth_keys(data_dir: Path) -> str:
    """The local deployment's token key, made once and kept in .data (readable by its owner only)."""
    from shared.auth.tokens import new_keys_setting

    path = data_dir / "auth-keys"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(new_keys_setting(), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def _wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{url} not healthy after {timeout:.0f}s")


class Stopped(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM: stop every part and exit 0. A BaseException, so that no
    `except Exception` on the way swallows it."""


def _stop(signum: int, _frame: object) -> None:
    raise Stopped(signum)


STOPPED = "doithoai stopped."
# How a service process ends when a Ctrl-C reached it: uvicorn's clean exit, or the SIGINT
# it re-raises after its graceful shutdown.
_INTERRUPTED = frozenset({0, -signal.SIGINT, 128 + signal.SIGINT})


def exit_status(ended: Mapping[str, int]) -> tuple[int, str]:
    """The runner's exit status and its last line when service processes ended while nobody
    asked the runner to stop: 0 when each ended as a Ctrl-C ends it (the terminal sends it to
    every process of the group, and the runner's own may be a moment late), else 1 naming
    the services and how they ended."""
    failed = {name: code for name, code in ended.items() if code not in _INTERRUPTED}
    if not failed:
        return 0, STOPPED
    how = ", ".join(
        f"{name} ({f'signal {-code}' if code < 0 else f'exit status {code}'})"
        for name, code in failed.items()
    )
    return 1, f"doithoai stopped: service(s) ended unexpectedly: {how}; see the log above."


@contextlib.contextmanager
def _sigttou_ignored() -> Iterator[None]:
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # else tcsetpgrp stops this process
    try:
        yield
    finally:
        signal.signal(signal.SIGTTOU, previous)


@contextlib.contextmanager
def _terminal_of_its_own() -> Iterator[None]:
    """Under `make run` (or any program that started the runner inside its own process group) a
    Ctrl-C reaches that program too, and make then reports "Interrupt" and fails however the
    runner ends. So when the runner is in the terminal's foreground group without leading it,
    it leads a group of its own and makes it the foreground one, as a shell does for a job:
    Ctrl-C reaches the runner and the processes it starts, and the parent sees the runner's
    exit status. Ctrl-Z is ignored meanwhile (a stopped group would hold the terminal). The
    terminal goes back to the previous group on the way out."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:  # no controlling terminal (a service manager, a test): nothing to do
        yield
        return
    try:
        previous = os.tcgetpgrp(tty)
        if previous != os.getpgrp() or os.getpgrp() == os.getpid():
            yield  # in the background, or already a group of its own (started by a shell)
            return
        os.setpgid(0, 0)
        with _sigttou_ignored():
            os.tcsetpgrp(tty, os.getpgrp())
        suspend = signal.signal(signal.SIGTSTP, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGTSTP, suspend)
            with _sigttou_ignored(), contextlib.suppress(OSError):
                os.tcsetpgrp(tty, previous)
    finally:
        os.close(tty)


def run(data_dir: Path = Path(".data")) -> int:
    """Everything until Ctrl-C or SIGTERM; then each part is stopped, one line says so, and
    the exit status is 0 (1 only when a service process ended by itself)."""
    with _terminal_of_its_own():
        return _run(data_dir)


def _run(data_dir: Path) -> int:
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    cleanups: list[Callable[[], None]] = []
    status, last_line = 0, STOPPED
    try:
        status, last_line = _start(data_dir, cleanups)
    except Stopped:
        status, last_line = 0, STOPPED
    finally:
        # Stopping takes a moment (each process finishes its requests): a second Ctrl-C must
        # not leave parts behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for cleanup in reversed(cleanups):
            cleanup()
    print(last_line, file=sys.stderr if status else sys.stdout, flush=True)
    return status


def _start(data_dir: Path, cleanups: list[Callable[[], None]]) -> tuple[int, str]:
    env = dict(os.environ)
    port = int(env.get("PORT", "8000"))
    if not env.get("MONGODB_URL"):
        with _ctrl_c_left_to_the_runner():  # the store stops after the services
            store = start_wire_store(data_dir / "run", data_dir=data_dir / "mongo")
        cleanups.append(store.stop)
        env["MONGODB_URL"] = store.url
    if not env.get("SMTP_URL"):
        capture = MailCapture(data_dir / "mail").start()
        cleanups.append(capture.stop)
        env["SMTP_URL"] = capture.url
        mail_note = f"e-mails are saved as .eml files in {(data_dir / 'mail').resolve()}"
    else:
        mail_note = f"e-mails go to {env['SMTP_URL']}"
    choice = env.get("DOITHOAI_BROKER", "auto")  # auto | rabbitmq | memory
    real_broker = choice == "rabbitmq" or (
        choice == "auto" and (bool(env.get("RABBITMQ_URL")) or is_listening("127.0.0.1", 5672))
    )
    # The staff pages reach routing and reporting, notification reads from intake and
    # reporting: the next ports, or this same process.
    env.setdefault(
        "DOITHOAI_INTAKE_URL",
        f"http://127.0.0.1:{port + SERVICES.index('intake')}" if real_broker else "inprocess",
    )
    env.setdefault(
        "DOITHOAI_ROUTING_URL",
        f"http://127.0.0.1:{port + SERVICES.index('routing')}" if real_broker else "inprocess",
    )
    env.setdefault(
        "DOITHOAI_REPORTING_URL",
        f"http://127.0.0.1:{port + SERVICES.index('reporting')}" if real_broker else "inprocess",
    )
    env.setdefault(
        "DOITHOAI_PUBLIC_REPORTING_URL",
        f"http://127.0.0.1:{port + SERVICES.index('reporting')}" if real_broker else "",
    )
    env.setdefault("DOITHOAI_PUBLIC_URL", f"http://127.0.0.1:{port}")  # the office e-mail's links
    env.setdefault(
        "DOITHOAI_DEMO", "1"
    )  # a local try-out: the demo staff logins too (changed at first login)
    env.setdefault("DOITHOAI_AUTH_KEYS", _local_auth_keys(data_dir))  # one signing key for the four processes
    os.environ.update(env)  # Settings() below and the child processes read the same values
    settings = Settings()
    _seed(settings)
    if real_broker:
        return _run_processes(env, port, mail_note, cleanups)
    _run_in_process(settings, port, mail_note)
    return 0, STOPPED


def _banner(port: int, mode: str, mail_note: str, extra: str = "") -> None:
    base = f"http://127.0.0.1:{port}"
    print(
        f"\ndoithoai is running ({mode}).\n"
        f"  Residents' site:  {base}/   (submit an opinion, track it, register to attend)\n"
        f"  Staff login:      {base}/login   (demo logins: README; documents under /staff/van-ban)\n"
        f"  Intake API:       {base}/docs   (OpenAPI: {base}/openapi.json)\n{extra}"
        f"  Store: {os.environ['MONGODB_URL']}; {mail_note}\n"
        f"  Try:\n"
        f"    curl -s -X POST {base}/api/v1/communes/demo/submissions "
        "-H 'content-type: application/json' \\\n"
        '      -d \'{"source":"citizen","kind":"petition","hamlet":"ấp Chợ",'
        '"text":"Cống thoát nước đường vào chợ bị nghẹt, mưa là ngập."}\'\n'
        f"  Press Ctrl-C to stop.\n",
        flush=True,
    )


def _run_in_process(settings: Settings, port: int, mail_note: str) -> None:
    """Until Ctrl-C: uvicorn stops gracefully, then re-raises the signal (`Stopped`)."""
    from services.deployment import build_app
    from services.intake.app import build_service as intake
    from services.notification.app import build_service as notification
    from services.reporting.app import build_service as reporting
    from services.routing.app import build_service as routing

    app = build_app(
        settings, [intake, routing, notification, reporting], title="doithoai (embedded)", in_memory=True
    )
    extra = f"  Metrics: http://127.0.0.1:{port}/metrics\n"
    # proxy_headers=False: shared/client_address.py decides who the client is.
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
    )

    async def serve() -> None:
        serving = asyncio.create_task(server.serve())
        while not server.started and not serving.done():
            await asyncio.sleep(0.05)
        if server.started:  # the banner once the address answers
            _banner(port, "embedded: in-memory broker, one process", mail_note, extra)
        await serving

    asyncio.run(serve())


@contextlib.contextmanager
def _ctrl_c_left_to_the_runner() -> Iterator[None]:
    """Processes started inside begin with SIGINT ignored (kept across exec): a Ctrl-C, which
    the terminal sends to every process of the group, does not cut them off; the runner stops
    them in order. A uvicorn service still shuts down gracefully on it, then restores
    "ignored" instead of re-raising it: it ends with status 0 and no traceback."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _spawn(args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    with _ctrl_c_left_to_the_runner():
        return subprocess.Popen(args, env=env)


def _run_processes(
    env: dict[str, str], port: int, mail_note: str, cleanups: list[Callable[[], None]]
) -> tuple[int, str]:
    children: dict[str, subprocess.Popen[bytes]] = {}

    def stop_children() -> None:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children.values():
            try:
                child.wait(15)
            except subprocess.TimeoutExpired:
                child.kill()

    cleanups.append(stop_children)
    for offset, service in enumerate(SERVICES):
        children[service] = _spawn(
            [sys.executable, "-m", "services.cli", "serve", service, "--port", str(port + offset)], env
        )
    for offset, service in enumerate(SERVICES):
        _wait_healthy(f"http://127.0.0.1:{port + offset}/healthz")
    extra = "".join(f"  {s:<13} http://127.0.0.1:{port + i}/metrics\n" for i, s in enumerate(SERVICES))
    _banner(port, f"RabbitMQ, four processes: {', '.join(SERVICES)}", mail_note, extra)
    while all(child.poll() is None for child in children.values()):
        time.sleep(0.2)  # Ctrl-C or SIGTERM raises Stopped here
    time.sleep(0.5)  # a Ctrl-C reaches the services too: give the runner's own a moment to arrive
    ended = {name: child.returncode for name, child in children.items() if child.poll() is not None}
    return exit_status(ended)
