"""How `doithoai run` ends when its service processes end while nobody asked it to stop: a
Ctrl-C that reached them first is a clean stop (0, "doithoai stopped."); a service that
failed by itself is named with how it ended (1)."""

from __future__ import annotations

import signal

from services.local.runner import STOPPED, exit_status


def test_services_ended_by_a_ctrl_c_are_a_clean_stop():
    assert exit_status({"intake": 0, "routing": -signal.SIGINT, "reporting": 130}) == (0, STOPPED)
    assert exit_status({}) == (0, STOPPED)


def test_a_service_that_failed_by_itself_is_named_with_how_it_ended():
    status, line = exit_status({"intake": 0, "routing": 3, "reporting": -signal.SIGKILL})
    assert status == 1
    assert "routing (exit status 3)" in line and f"reporting (signal {int(signal.SIGKILL)})" in line
    assert "intake" not in line
