"""An operator's command run where no store answers (MONGODB_URL unset beside `make run`, whose
store is on a port of its own) says so in one bilingual line, not with the driver's traceback.
Port 9 (discard) has nothing listening here, so the driver gives up after its 3 s selection."""

from __future__ import annotations

import pytest

from services import cli


def test_a_command_without_a_reachable_store_says_which_url_and_what_to_set(monkeypatch):
    monkeypatch.setenv("MONGODB_URL", "mongodb://127.0.0.1:9")
    with pytest.raises(SystemExit) as stopped:
        cli.main(["communes", "list"])
    said = str(stopped.value.code)
    assert said.startswith("Không kết nối được kho dữ liệu mongodb://127.0.0.1:9; đặt MONGODB_URL")
    assert "cannot reach the store at mongodb://127.0.0.1:9; set MONGODB_URL" in said
    assert "\n" not in said
