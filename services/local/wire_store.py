"""The nx-27017 MongoDB wire-protocol server, for `make run` without MONGODB_URL and for tests.

Production uses real MongoDB; this server speaks the same protocol over SQLite, so the code
path through PyMongo is the real one (see ../shared/MONGODB.md of the product notes).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from services.local.ports import free_port, wait_listening


@dataclass
class WireStore:
    process: subprocess.Popen
    port: int

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def _executable() -> str:
    local = Path(sys.executable).parent / "nx-27017"
    return str(local) if local.exists() else (shutil.which("nx-27017") or "nx-27017")


def start_wire_store(workdir: Path, data_dir: Path | None = None, port: int | None = None) -> WireStore:
    """Start one server on a free loopback port, with its own pid and log file.

    `data_dir` keeps the data on disk (survives restarts and kill -9); without it the data
    lives in memory."""
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    storage = ["--data-dir", str(data_dir)] if data_dir else ["--db", "memory"]
    if data_dir:
        data_dir.mkdir(parents=True, exist_ok=True)
    log = open(workdir / f"nx-{port}.out", "ab")  # noqa: SIM115 - owned by the child process
    process = subprocess.Popen(
        [
            _executable(),
            *storage,
            "--host",
            "127.0.0.1",
            "-p",
            str(port),
            "--pid-file",
            str(workdir / f"nx-{port}.pid"),
            "--log-file",
            str(workdir / f"nx-{port}.log"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_listening("127.0.0.1", port, timeout=30)
    except TimeoutError:
        process.kill()
        raise
    return WireStore(process, port)
