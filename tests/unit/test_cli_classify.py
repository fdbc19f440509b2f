import io
import json
import subprocess
import sys
from pathlib import Path

from services.cli import main

# the console script installed beside the interpreter running the tests (the checkout's .venv)
DOITHOAI = Path(sys.executable).parent / "doithoai"
LINES = [
    {
        "id": "S1",
        "hamlet": "ấp Rạch Tràm",
        "text": "Lộ đal ấp Rạch Tràm bể nát, bà con đồng ý góp tiền làm lại.",
    },
    {
        "id": "S2",
        "hamlet": "Rạch Tràm",
        "text": "lo dal ap Rach Tram be nat lam r, ba con dong y gop tien ma xa chua lam",
    },
]


def _classify(monkeypatch, capsys, stdin: str, *argv: str):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["classify", *argv])
    captured = capsys.readouterr()
    return code, [json.loads(line) for line in captured.out.splitlines()], captured.err


def test_classify_reads_json_lines_and_writes_one_line_each(monkeypatch, capsys):
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in LINES) + "\n"
    code, out, _ = _classify(monkeypatch, capsys, stdin)
    assert code == 0
    assert [o["id"] for o in out] == ["S1", "S2"]
    assert out[0]["topic"] == 3 and out[0]["office"] == "Phòng Kinh tế"
    assert out[1]["duplicate_of"] == "S1" and out[1]["times_raised"] == 2


def test_bad_lines_become_error_lines_and_the_rest_continues(monkeypatch, capsys):
    stdin = 'not json\n{"id": "N"}\n\n[1, 2]\n' + json.dumps(LINES[0], ensure_ascii=False) + "\n"
    code, out, _ = _classify(monkeypatch, capsys, stdin)
    assert code == 0
    assert [o["id"] for o in out] == [None, "N", None, "S1"]
    assert "invalid JSON" in out[0]["error"] and "text" in out[1]["error"] and "error" in out[2]
    assert "error" not in out[3]


def test_only_the_demo_commune_is_available_offline(monkeypatch, capsys):
    code, out, err = _classify(monkeypatch, capsys, json.dumps(LINES[0]) + "\n", "--commune", "tan-phuoc")
    assert code == 2 and out == []
    assert "khi chạy ngoại tuyến không có xã 'tan-phuoc', chỉ có xã mẫu 'demo' / " in err
    assert "commune 'tan-phuoc' is not available offline" in err


def test_the_installed_command():
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in LINES) + "\n"
    done = subprocess.run(
        [str(DOITHOAI), "classify"], input=stdin, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["duplicate_of"] for o in out] == [None, "S1"]
    assert "Phòng Kinh tế" in done.stdout  # ensure_ascii=False: Vietnamese as written
