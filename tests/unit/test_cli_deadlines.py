import json
import subprocess
import sys
from pathlib import Path

import pytest

from services.cli import main

# the console script installed beside the interpreter running the tests (the checkout's .venv)
DOITHOAI = Path(sys.executable).parent / "doithoai"
EXPECTED_2017 = {
    "meeting": "2017-03-25",
    "commune": "demo",
    "reports_due_before": "2017-03-15",
    "classification_due_before": "2017-03-18",
    "delegate_invitations_by": "2017-03-21",
    "resident_invitations_by": "2017-03-21",
    "conclusion_by": "2017-04-10",
}


def _run(capsys, *argv: str) -> dict:
    assert main(["deadlines", *argv]) == 0
    return json.loads(capsys.readouterr().out)


def test_deadlines_2017(capsys):
    out = _run(capsys, "--meeting", "2017-03-25")
    assert {k: out[k] for k in EXPECTED_2017} == EXPECTED_2017
    by_key = {d["key"]: d for d in out["deadlines"]}
    assert set(by_key["reports"]) == {"key", "title", "responsible", "due", "printed"}
    assert by_key["reports"]["due"] == "2017-03-14"
    assert by_key["reports"]["printed"] == "trước ngày 15/03/2017"
    assert by_key["conclusion"]["printed"] == "chậm nhất ngày 10/04/2017"


def test_commune_calendar_options(capsys):
    out = _run(
        capsys,
        "--meeting",
        "2026-11-27",
        "--commune",
        "tan-phuoc",
        "--no-culture-day",
        "--extra-day-off",
        "2026-11-26",
        "--extra-working-day",
        "2026-11-21",
    )
    # Without 24/11 and with 26/11 off, 21/11 (Sat) working: strictly between 25, 24, 23 -> Sat 21/11.
    assert out["commune"] == "tan-phuoc"
    assert out["delegate_invitations_by"] == "2026-11-21"


@pytest.mark.parametrize(
    "argv",
    [
        ["--meeting", "2017-02-30"],
        ["--meeting", "25/03/2017"],
        ["--meeting", "2017-03-25", "--extra-day-off", "tomorrow"],
        ["--meeting", "2017-03-25", "--commune", "Tân Phước"],
        [],
    ],
)
def test_bad_arguments_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(["deadlines", *argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "doithoai deadlines: error:" in err


def test_bad_date_message(capsys):
    with pytest.raises(SystemExit):
        main(["deadlines", "--meeting", "2017-02-30"])
    assert (
        "ngày '2017-02-30' không hợp lệ: cần dạng YYYY-MM-DD, ví dụ 2017-03-25 / "
        "invalid date '2017-02-30': expected YYYY-MM-DD" in capsys.readouterr().err
    )


def test_console_script_without_servers():
    proc = subprocess.run(
        [str(DOITHOAI), "deadlines", "--meeting", "2017-03-25"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert {k: out[k] for k in EXPECTED_2017} == EXPECTED_2017
    assert len(out["deadlines"]) == 8
