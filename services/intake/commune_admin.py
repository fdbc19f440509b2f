"""Registering a commune in a shared deployment (`doithoai communes put|list|show`).

Intake owns the `communes` collection (shared/directory.py); these functions are the only
writer besides seeding, and write the same document seeding does (`commune_document`,
`replace_one(..., upsert=True)`).

`parse_commune` is pure (no I/O): it accepts a definition only if `shared.directory.Commune`
accepts it, no field is unknown at any depth (the shared model ignores extras, so a typo such
as "hamlet" for "hamlets" would otherwise vanish silently) and every office it names is one of
its `offices`. Every problem is reported at once, each as "where: why", the reason in
Vietnamese then English ("vi / en", as the HTTP errors give `message_vi` before `message_en`).
"""

from __future__ import annotations

import difflib
import re
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from pymongo.asynchronous.database import AsyncDatabase

from shared.directory import COMMUNES, Commune, DirectoryReader, commune_document
from shared.text import nfc

_TOPIC_KEY = re.compile(r"^(0|[1-9][0-9]{0,2})$")
# pydantic error type -> the Vietnamese reason printed before pydantic's English one
_PYDANTIC_VI = {
    "missing": "thiếu thông tin bắt buộc",
    "string_type": "phải là chuỗi ký tự",
    "string_too_short": "quá ngắn",
    "string_too_long": "quá dài",
    "string_pattern_mismatch": "định dạng không hợp lệ",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "bool_parsing": "phải là true hoặc false",
    "float_type": "phải là số",
    "float_parsing": "phải là số",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "list_type": "phải là một danh sách",
    "tuple_type": "phải là một danh sách",
    "dict_type": "phải là một đối tượng JSON",
    "model_type": "phải là một đối tượng JSON",
    "model_attributes_type": "phải là một đối tượng JSON",
    "enum": "giá trị không nằm trong danh sách cho phép",
    "literal_error": "giá trị không nằm trong danh sách cho phép",
    "value_error": "giá trị không hợp lệ",
}


class CommuneRefused(ValueError):
    """The definition is not stored; `problems` says where and why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(
            "Định nghĩa xã không hợp lệ / invalid commune definition:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


class UnknownCommune(ValueError):
    def __init__(self, commune_id: str) -> None:
        super().__init__(
            f"Xã {commune_id!r} chưa được đăng ký, hãy đăng ký bằng `doithoai communes put` / "
            f"unknown commune {commune_id!r}; register it with `doithoai communes put`"
        )


def normalised(value: Any) -> Any:
    """`value` with every string in it, keys included, in NFC (the same word typed on macOS
    and on Windows must be stored, and later matched, as one)."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {normalised(k): normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    return value


def parse_commune(data: Any) -> Commune:
    """The commune `data` defines (text already NFC), or CommuneRefused with every problem."""
    if not isinstance(data, dict):
        raise CommuneRefused(["định nghĩa phải là một đối tượng JSON / the definition must be a JSON object"])
    problems = _unknown_fields(Commune, data, "")
    try:
        commune = Commune.model_validate(data)
    except ValidationError as exc:
        raise CommuneRefused(problems + [_pydantic_problem(e) for e in exc.errors()]) from None
    problems += _inconsistencies(commune)
    if problems:
        raise CommuneRefused(problems)
    return commune


def _where(path: str, name: object) -> str:
    return f"{path}[{name}]" if isinstance(name, int) else f"{path}.{name}" if path else str(name)


def _pydantic_problem(error: Any) -> str:
    where = ""
    for part in error["loc"]:
        where = _where(where, part)
    vi, en = _PYDANTIC_VI.get(error["type"], "giá trị không hợp lệ"), error["msg"]
    return f"{where or '(root)'}: {vi} / {en}"


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The pydantic models a field's type holds: `Hamlet` in `tuple[Hamlet, ...]`, `Signature`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _unknown_fields(model: type[BaseModel], data: dict[str, Any], path: str) -> list[str]:
    """Keys of `data` (and of the objects nested in it) that `model` has no field for."""
    known = list(model.model_fields)
    problems = []
    for key in data:
        if key not in model.model_fields:
            close = difflib.get_close_matches(key, known, n=1)
            if close:
                problems.append(
                    f"{_where(path, key)}: trường không hợp lệ, có phải {close[0]!r}? / "
                    f"unknown field, did you mean {close[0]!r}?"
                )
            else:
                problems.append(
                    f"{_where(path, key)}: trường không hợp lệ / unknown field "
                    f"(các trường / known: {', '.join(known)})"
                )
    for name, field in model.model_fields.items():
        nested = _models_in(field.annotation)
        value = data.get(name)
        if len(nested) != 1 or value is None:
            continue  # no nested model here (every nested model of Commune is unambiguous)
        if isinstance(value, dict):
            problems += _unknown_fields(nested[0], value, _where(path, name))
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    problems += _unknown_fields(nested[0], item, _where(_where(path, name), i))
    return problems


def _duplicates(ids: list[str]) -> list[str]:
    return sorted({i for i in ids if ids.count(i) > 1})


def _inconsistencies(commune: Commune) -> list[str]:
    """What the model lets through but the services rely on: routing sends a submission to
    `topic_offices[topic]`, else `topic_offices["0"]`, else `party_office_id`, and a rule's
    office; an office id that is not among `offices` makes its submissions fail routing."""
    offices = [o.id for o in commune.offices]
    hamlets = [h.id for h in commune.hamlets]
    problems = [f"hamlets: mã ấp {i!r} bị trùng / duplicate id {i!r}" for i in _duplicates(hamlets)]
    problems += [f"offices: mã cơ quan {i!r} bị trùng / duplicate id {i!r}" for i in _duplicates(offices)]
    if not commune.hamlets:
        problems.append("hamlets: cần ít nhất một ấp / at least one hamlet")
    if not commune.offices:
        problems.append("offices: cần ít nhất một cơ quan / at least one office")

    def unknown(where: str, office_id: str) -> None:
        if office_id not in offices:
            problems.append(
                f"{where}: cơ quan {office_id!r} không có trong danh sách offices / "
                f"office {office_id!r} is not among offices (offices: {', '.join(offices)})"
            )

    for topic, office_id in commune.topic_offices.items():
        if not _TOPIC_KEY.match(topic):
            problems.append(
                f"topic_offices.{topic}: không phải số nội dung ('0' = ngoài kế hoạch) / "
                "not a topic number ('0' = other)"
            )
        unknown(f"topic_offices.{topic}", office_id)
    if "0" not in commune.topic_offices:  # a topic without its own office falls to the Party office
        unknown("party_office_id", commune.party_office_id)
    for i, rule in enumerate(commune.office_rules):
        if not any(t.strip() for t in rule.terms):
            problems.append(f"office_rules[{i}].terms: cần ít nhất một từ khóa / at least one term")
        if rule.office_id is not None:
            unknown(f"office_rules[{i}].office_id", rule.office_id)
        for j, other in enumerate(rule.coordinating_office_ids):
            unknown(f"office_rules[{i}].coordinating_office_ids[{j}]", other)
    return problems


@dataclass(frozen=True)
class Stored:
    commune: Commune
    created: bool

    def summary(self) -> dict[str, Any]:
        c = self.commune
        return {
            "id": c.id,
            "name": c.name,
            "hamlets": [h.id for h in c.hamlets],
            "offices": [o.id for o in c.offices],
            "current_dialogue_id": c.current_dialogue_id,
            "result": "created" if self.created else "replaced",
        }


async def put_commune(db: AsyncDatabase, commune: Commune, *, dialogue_given: bool) -> Stored:
    """Store `commune`, replacing its previous definition. Without `dialogue_given` the stored
    `current_dialogue_id` stays (the plan API sets it; a re-put must not detach the dialogue);
    with it, the dialogue must be one of this commune's."""
    stored = await db[COMMUNES].find_one({"_id": commune.id}, {"current_dialogue_id": 1})
    if dialogue_given and commune.current_dialogue_id is not None:
        if await DirectoryReader(db).dialogue(commune.id, commune.current_dialogue_id) is None:
            raise CommuneRefused(
                [
                    f"current_dialogue_id: xã chưa có đợt đối thoại {commune.current_dialogue_id!r} "
                    "(bỏ trường này để giữ đợt hiện tại) / "
                    f"no dialogue {commune.current_dialogue_id!r} in this commune "
                    "(leave it out to keep the current one)"
                ]
            )
    elif stored is not None:
        commune = commune.model_copy(update={"current_dialogue_id": stored.get("current_dialogue_id")})
    await db[COMMUNES].replace_one({"_id": commune.id}, commune_document(commune), upsert=True)
    return Stored(commune, created=stored is None)


async def list_communes(db: AsyncDatabase) -> list[dict[str, Any]]:
    cursor = db[COMMUNES].find({}, {"name": 1, "kind": 1, "province": 1, "hamlets": 1, "offices": 1})
    return [
        {
            "id": doc["_id"],
            "name": doc.get("name"),
            "kind": doc.get("kind"),
            "province": doc.get("province"),
            "hamlets": len(doc.get("hamlets") or ()),
            "offices": len(doc.get("offices") or ()),
        }
        async for doc in cursor.sort("_id", 1)
    ]


async def show_commune(db: AsyncDatabase, commune_id: str) -> dict[str, Any]:
    """The stored definition in the shape `put` reads (so it can be edited and put back)."""
    commune = await DirectoryReader(db).commune(commune_id)
    if commune is None:
        raise UnknownCommune(commune_id)
    return commune.model_dump(mode="json")


async def user_scope_of(
    db: AsyncDatabase, commune_id: str, office_id: str | None, hamlet_id: str | None
) -> None:
    """UnknownCommune unless `commune_id` is registered; ValueError ("vi / en") when the office
    or hamlet a user is given is not one of that commune's (an account scoped to nothing)."""
    commune = await DirectoryReader(db).commune(commune_id)
    if commune is None:
        raise UnknownCommune(commune_id)
    for what_vi, what_en, given, known in (
        ("cơ quan", "office", office_id, [o.id for o in commune.offices]),
        ("ấp", "hamlet", hamlet_id, [h.id for h in commune.hamlets]),
    ):
        if given is not None and given not in known:
            listed = ", ".join(known)
            raise ValueError(
                f"xã {commune_id!r} không có {what_vi} {given!r}, chọn một trong: {listed} / "
                f"commune {commune_id!r} has no {what_en} {given!r}; one of: {listed}"
            )


async def require_commune(db: AsyncDatabase, commune_id: str) -> None:
    """UnknownCommune unless `commune_id` is registered (before anything is written for it)."""
    if await db[COMMUNES].find_one({"_id": commune_id}, {"_id": 1}) is None:
        raise UnknownCommune(commune_id)
