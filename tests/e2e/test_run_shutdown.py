"""Ctrl-C on `make run`, as in a terminal: `doithoai run` under make, on a pseudo-terminal, and
the terminal's Ctrl-C (the tty sends SIGINT to its foreground process group). Every part stops,
one line says "doithoai stopped.", and make exits 0: no "Interrupt", no "Error 1", no
traceback. The banner names the residents' site and the staff login. Embedded mode
(in-memory broker, one process) keeps this near 20 s; the four-process mode's decision is
`exit_status` (tests/unit/test_runner_exit.py)."""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import signal
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import TEST_AUTH_KEYS
from tests.e2e.test_make_run import free_port_block

pytestmark = pytest.mark.e2e
DOITHOAI = str(Path(sys.executable).parent / "doithoai")


def _terminal_session() -> None:
    """In the child: SIGINT as a terminal program gets it, and the pty as its controlling terminal."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def test_ctrl_c_on_make_run_stops_everything_and_make_exits_0(tmp_path):
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    port = free_port_block(1)
    (tmp_path / "Makefile").write_text(f".PHONY: run\nrun:\n\t{DOITHOAI} run\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URL", "SMTP_URL", "RABBITMQ_URL")}
    env.update({"PORT": str(port), "DOITHOAI_BROKER": "memory", "DOITHOAI_AUTH_KEYS": TEST_AUTH_KEYS})
    master, slave = pty.openpty()
    make = subprocess.Popen(
        ["make", "--no-print-directory", "run"],
        cwd=tmp_path,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        preexec_fn=_terminal_session,
    )
    os.close(slave)
    output = bytearray()

    def read_terminal() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # the terminal closed: every process that held it is gone
                return
            if not data:
                return
            output.extend(data)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while b"Press Ctrl-C to stop" not in output:
            assert make.poll() is None and time.monotonic() < deadline, output.decode(errors="replace")
            time.sleep(0.1)
        os.write(master, b"\x03")  # Ctrl-C typed in the terminal
        assert make.wait(30) == 0, output.decode(errors="replace")[-2000:]
        reader.join(10)
    finally:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
        os.close(master)
    text = output.decode(errors="replace")
    assert f"Staff login:      http://127.0.0.1:{port}/login" in text
    assert f"Residents' site:  http://127.0.0.1:{port}/" in text
    assert text.rstrip().endswith("doithoai stopped.")
    for unwanted in ("Interrupt", "Error 1", "unexpectedly", "Traceback", "never awaited"):
        assert unwanted not in text, text[-2000:]
