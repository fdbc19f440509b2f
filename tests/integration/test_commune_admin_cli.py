"""`doithoai communes put|list|show` and the refusal of unregistered communes by `users create`
and `apikeys`, through the real CLI entry point against the session's nx-27017 store."""

import io
import json
import unicodedata
import uuid
from pathlib import Path

import pytest
from pymongo import MongoClient

from services import cli
from services.intake.api_keys import API_KEYS
from services.intake.web.staff.users import STAFF_USERS
from shared.directory import COMMUNES, DIALOGUES, dialogue_key

EXAMPLE = Path(__file__).resolve().parents[2] / "deploy" / "commune.example.json"
UNKNOWN = (
    "Xã 'phu-an' chưa được đăng ký, hãy đăng ký bằng `doithoai communes put` / "
    "unknown commune 'phu-an'; register it with `doithoai communes put`"
)


@pytest.fixture
def store(mongodb_url, monkeypatch):
    """The database the CLI writes (MONGODB_URL, MONGODB_DB), fresh for this test, dropped after."""
    name = f"t_communes_{uuid.uuid4().hex[:10]}"
    monkeypatch.setenv("MONGODB_URL", mongodb_url)
    monkeypatch.setenv("MONGODB_DB", name)
    client: MongoClient = MongoClient(mongodb_url)
    yield client[name]
    client.drop_database(name)
    client.close()


def run(capsys, monkeypatch, *argv: str, stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_unregistered_commune_refused_then_registered_listed_shown_and_used(store, capsys, monkeypatch):
    password = "mat-khau-rat-dai-1\n"
    admin = ("users", "create", "--username", "phuan.admin", "--role", "commune_admin", "--commune", "phu-an")
    key = ("apikeys", "create", "--commune", "phu-an", "--name", "Tỉnh", "--scope", "submit")
    for argv in (
        (*admin, "--password-stdin"),
        key,
        ("apikeys", "list", "--commune", "phu-an"),
        ("apikeys", "revoke", "--commune", "phu-an", "--id", "0123abcd4567ef89"),
        ("communes", "show", "--commune", "phu-an"),
    ):
        code, out, err = run(capsys, monkeypatch, *argv, stdin=password)
        assert (code, out, err) == (2, "", f"Từ chối / refused: {UNKNOWN}\n"), argv
    assert store.list_collection_names() == []  # not even an index

    # an operator has no commune: unchanged
    code, out, _ = run(
        capsys, monkeypatch, "users", "create", "--username", "op", "--role", "operator", "--password-stdin",
        stdin=password,
    )  # fmt: skip
    assert code == 0 and json.loads(out)["commune_id"] is None

    decomposed = unicodedata.normalize("NFD", EXAMPLE.read_text(encoding="utf-8"))
    code, out, _ = run(capsys, monkeypatch, "communes", "put", "--file", "-", stdin=decomposed)
    assert code == 0
    assert json.loads(out) == {
        "id": "phu-an",
        "name": "Phú An",
        "hamlets": ["ap-phu-hoa", "ap-an-thanh", "ap-rach-goc"],
        "offices": [o["id"] for o in json.loads(EXAMPLE.read_text(encoding="utf-8"))["offices"]],
        "current_dialogue_id": None,
        "result": "created",
    }
    stored = store[COMMUNES].find_one({"_id": "phu-an"})
    assert stored["name"] == "Phú An" and stored["hamlets"][2]["name"] == "ấp Rạch Gốc"  # NFC

    code, out, _ = run(capsys, monkeypatch, "communes", "list")
    assert (code, json.loads(out)) == (
        0,
        [
            {
                "id": "phu-an",
                "name": "Phú An",
                "kind": "xã",
                "province": "Vĩnh Long",
                "hamlets": 3,
                "offices": 7,
            }
        ],
    )

    # the plan API made a dialogue current; a re-put of the shown definition keeps it
    store[DIALOGUES].insert_one({"_id": dialogue_key("phu-an", "2026"), "commune_id": "phu-an", "id": "2026"})
    store[COMMUNES].update_one({"_id": "phu-an"}, {"$set": {"current_dialogue_id": "2026"}})
    code, out, _ = run(capsys, monkeypatch, "communes", "show", "--commune", "phu-an")
    shown = json.loads(out)
    assert code == 0 and shown["id"] == "phu-an" and shown["current_dialogue_id"] == "2026"
    shown.pop("current_dialogue_id")
    shown["hamlets"].append({"id": "ap-moi", "name": "ấp Mới"})
    edited = json.dumps(shown, ensure_ascii=False)
    code, out, _ = run(capsys, monkeypatch, "communes", "put", "--file", "-", stdin=edited)
    assert code == 0
    assert json.loads(out)["result"] == "replaced" and json.loads(out)["current_dialogue_id"] == "2026"
    assert store[COMMUNES].find_one({"_id": "phu-an"})["current_dialogue_id"] == "2026"
    assert [h["id"] for h in store[COMMUNES].find_one({"_id": "phu-an"})["hamlets"]][-1] == "ap-moi"

    code, out, _ = run(capsys, monkeypatch, *admin, "--password-stdin", stdin=password)
    assert code == 0 and json.loads(out)["commune_id"] == "phu-an"
    code, out, err = run(capsys, monkeypatch, *admin, "--password-stdin", stdin=password)
    assert (code, out) == (2, "")
    assert (
        err == "Từ chối / refused: tên đăng nhập 'phuan.admin' đã có người dùng / "
        "the username 'phuan.admin' is taken\n"
    )
    cell = ("users", "create", "--username", "phuan.ap", "--role", "hamlet_cell", "--commune", "phu-an")
    code, out, err = run(capsys, monkeypatch, *cell, "--password-stdin", stdin=password)
    assert (code, out) == (2, "") and err.startswith(
        "Từ chối / refused: hamlet_cell cần hamlet_id (và chỉ hamlet_cell có) / "
    )
    # An office or hamlet the commune does not have is refused, naming the ones it has.
    stored = store[COMMUNES].find_one({"_id": "phu-an"})
    for role, flag, wrong, what, known in (
        ("office_staff", "--office", "khong-co", "cơ quan", [o["id"] for o in stored["offices"]]),
        ("hamlet_cell", "--hamlet", "ap-khong-co", "ấp", [h["id"] for h in stored["hamlets"]]),
    ):
        scoped = ("users", "create", "--username", f"phuan.{role}", "--role", role, "--commune", "phu-an")
        code, out, err = run(capsys, monkeypatch, *scoped, flag, wrong, "--password-stdin", stdin=password)
        assert (code, out) == (2, "") and f"xã 'phu-an' không có {what} '{wrong}'" in err
        assert ", ".join(known) in err
    party = ("users", "create", "--username", "phuan.ct", "--role", "party_office", "--commune", "phu-an")
    code, out, _ = run(capsys, monkeypatch, *party)  # no password given: one is generated
    assert code == 0 and json.loads(out)["note"].startswith("chỉ hiện một lần; người dùng phải đổi mật khẩu")
    code, out, _ = run(capsys, monkeypatch, *key)
    assert code == 0 and json.loads(out)["name"] == "Tỉnh" and json.loads(out)["key"].startswith("dtk_")
    assert json.loads(out)["note"] == "khóa chỉ hiện một lần / the key is shown once"
    assert store[STAFF_USERS].count_documents({"commune_id": "phu-an"}) == 2
    assert store[API_KEYS].count_documents({"commune_id": "phu-an"}) == 1


def test_an_invalid_definition_is_refused_and_nothing_is_written(store, capsys, monkeypatch, tmp_path):
    definition = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    definition["hamlet"] = definition.pop("hamlets")
    definition["topic_offices"]["5"] = "cong-an"
    path = tmp_path / "commune.json"
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(capsys, monkeypatch, "communes", "put", "--file", str(path))
    assert (code, out) == (2, "")
    assert err.startswith("Từ chối / refused: Định nghĩa xã không hợp lệ / invalid commune definition:\n")
    assert (
        "  - hamlet: trường không hợp lệ, có phải 'hamlets'? / unknown field, did you mean 'hamlets'?\n"
        in err
    )

    definition["hamlets"] = definition.pop("hamlet")
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "communes", "put", "--file", str(path))
    assert (
        code == 2
        and "topic_offices.5: cơ quan 'cong-an' không có trong danh sách offices / office 'cong-an'" in err
    )

    # a dialogue the commune does not have cannot be made current
    definition["topic_offices"]["5"] = "cong-an-xa"
    definition["current_dialogue_id"] = "2099"
    path.write_text(json.dumps(definition, ensure_ascii=False), encoding="utf-8")
    code, _, err = run(capsys, monkeypatch, "communes", "put", "--file", str(path))
    assert code == 2 and "current_dialogue_id: xã chưa có đợt đối thoại '2099' (bỏ trường này" in err
    assert "/ no dialogue '2099' in this commune" in err

    for argv, message in (
        (("communes", "put", "--file", str(tmp_path / "missing.json")), "không đọc được tệp / cannot read"),
        (
            ("communes", "put", "--file", "-"),
            "stdin: không phải JSON, dòng 1 cột 2 / not JSON, line 1 column 2",
        ),
        (("communes", "put"), "Từ chối / refused: thiếu --file / communes put needs --file"),
    ):
        code, out, err = run(capsys, monkeypatch, *argv, stdin="{oops")
        assert (code, out) == (2, "") and message in err, argv
    assert store[COMMUNES].count_documents({}) == 0
