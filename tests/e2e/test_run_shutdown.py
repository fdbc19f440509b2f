"""Ctrl-C on `doithoai run` (what `make run` starts): the terminal sends SIGINT to the whole
process group; every part stops, one line says "doithoai stopped." and the exit status is 0,
with no traceback. The banner names the residents' site and the staff login. Embedded mode
(in-memory broker, one process) keeps this under 20 s; the four-process mode's decision is
`exit_status` (tests/unit/test_runner_exit.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import TEST_AUTH_KEYS
from tests.e2e.test_make_run import free_port_block

pytestmark = pytest.mark.e2e
DOITHOAI = str(Path(sys.executable).parent / "doithoai")


def test_ctrl_c_stops_everything_with_status_0_and_one_line(tmp_path):
    port = free_port_block(1)
    env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URL", "SMTP_URL", "RABBITMQ_URL")}
    env.update({"PORT": str(port), "DOITHOAI_BROKER": "memory", "DOITHOAI_AUTH_KEYS": TEST_AUTH_KEYS})
    log_path = tmp_path / "run.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [DOITHOAI, "run"],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while "Press Ctrl-C to stop" not in log_path.read_text(errors="replace"):
            assert process.poll() is None and time.monotonic() < deadline, log_path.read_text(
                errors="replace"
            )
            time.sleep(0.1)
        os.killpg(process.pid, signal.SIGINT)  # what a Ctrl-C in the terminal does
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    output = log_path.read_text(errors="replace")
    assert (
        f"http://127.0.0.1:{port}/login" in output and f"Residents' site:  http://127.0.0.1:{port}/" in output
    )
    assert output.rstrip().endswith("doithoai stopped.")
    assert "Traceback" not in output and "unexpectedly" not in output and "never awaited" not in output
    with pytest.raises(ProcessLookupError):  # nothing of the group is left: store and server stopped
        os.killpg(process.pid, 0)
