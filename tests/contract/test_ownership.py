"""Each service owns its code and its collections (issue 14's contract).

Read from the source, not run:
- a service module imports no other service, nor the composition roots (`services.deployment`,
  `services.cli`, `services.local`) or the demo data (`services.demo`); `shared/` imports no service;
- every collection a module touches (`db[NAME]`) is resolved to its owner: a service's private
  collections start with the service's name (`intake_submissions`, `routing_decisions`, ...);
  communes, dialogues and deadline marks are reference data owned by intake;
- no service module touches or even names another service's private collection;
- services other than intake read reference data only through `shared.directory.DirectoryReader`,
  and only the reads listed in ALLOWED_REFERENCE_READS;
- `shared/` touches reference data in `shared/directory.py` alone, and only with reads there.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "routing", "notification", "reporting")
COMPOSITION = ("services.deployment", "services.cli", "services.local", "services.demo")

REFERENCE_DATA = {
    "communes": "intake",
    "dialogues": "intake",
    "dialogue_deadline_marks": "intake",
    "api_key_revocations": "intake",  # read by every service's access guard (shared/auth)
}

# The reads of intake's reference data other services make, through DirectoryReader's methods.
ALLOWED_REFERENCE_READS: dict[str, frozenset[str]] = {
    "routing": frozenset({"commune", "dialogue"}),
    "notification": frozenset({"commune", "dialogue", "active_dialogues", "deadline_marks"}),
    # reporting: the plan's duties marked done, for the summary report's table of reports received
    "reporting": frozenset({"commune", "dialogue", "dialogues", "deadline_marks"}),
}
DIRECTORY_READS = frozenset(
    {"commune", "dialogue", "dialogues", "active_dialogues", "deadline_marks", "key_revocation"}
)
WRITES = frozenset(
    {
        "insert_one",
        "insert_many",
        "update_one",
        "update_many",
        "replace_one",
        "delete_one",
        "delete_many",
        "find_one_and_update",
        "find_one_and_replace",
        "find_one_and_delete",
        "bulk_write",
        "create_index",
        "drop",
    }
)


@functools.cache
def parsed(path: Path) -> ast.Module:
    """The module's syntax tree, parsed once per run (the checks only read the trees)."""
    return ast.parse(path.read_text(encoding="utf-8"))


def modules(folder: Path) -> Iterator[Path]:
    yield from sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def service_of(path: Path) -> str | None:
    rel = path.relative_to(ROOT).parts
    return rel[1] if len(rel) > 2 and rel[0] == "services" and rel[1] in SERVICES else None


def imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def string_constants(path: Path) -> dict[str, str]:
    """Module-level `NAME = "text"` assignments."""
    found: dict[str, str] = {}
    for node in parsed(path).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            if isinstance(node.value.value, str):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = node.value.value
    return found


def module_path(name: str) -> Path | None:
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def resolver(path: Path, tree: ast.AST) -> dict[str, str]:
    """Names usable in this module that stand for a string: its own constants and imported ones."""
    names = string_constants(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            source = module_path(node.module)
            if source is None:
                continue
            constants = string_constants(source)
            for alias in node.names:
                if alias.name in constants:
                    names[alias.asname or alias.name] = constants[alias.name]
    return names


def collections_touched(path: Path) -> Iterator[tuple[int, str | None, ast.Subscript]]:
    """(line, collection name or None when not a plain constant, node) for each `<...>db[...]`."""
    tree = parsed(path)
    names = resolver(path, tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Subscript):
            continue
        target = node.value
        holder = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if not holder.lstrip("_").endswith("db"):
            continue
        key = node.slice
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            yield node.lineno, key.value, node
        elif isinstance(key, ast.Name):
            yield node.lineno, names.get(key.id), node
        else:
            yield node.lineno, None, node


def owner_of(collection: str) -> str | None:
    if collection in REFERENCE_DATA:
        return REFERENCE_DATA[collection]
    return next((s for s in SERVICES if collection.startswith(f"{s}_")), None)


def all_collections() -> set[str]:
    found = set()
    for path in [*modules(ROOT / "services"), *modules(ROOT / "shared")]:
        found |= {name for _, name, _ in collections_touched(path) if name}
    return found


def test_service_modules_import_no_other_service_nor_the_composition_roots():
    problems = []
    for service in SERVICES:
        for path in modules(ROOT / "services" / service):
            for line, name in imported_modules(parsed(path)):
                other = name.split(".")[1] if name.startswith("services.") and "." in name else None
                if other in SERVICES and other != service:
                    problems.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
                if any(name == root or name.startswith(root + ".") for root in COMPOSITION):
                    problems.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    for path in modules(ROOT / "shared"):
        for line, name in imported_modules(parsed(path)):
            if name == "services" or name.startswith("services."):
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not problems, "\n".join(problems)


def test_every_collection_has_an_owner():
    unowned = sorted(name for name in all_collections() if owner_of(name) is None)
    assert unowned == [], "name a service's collection <service>_<what>, or declare it reference data"


def test_no_service_touches_or_names_another_services_collection():
    collections = all_collections()
    problems = []
    for service in SERVICES:
        for path in modules(ROOT / "services" / service):
            where = path.relative_to(ROOT)
            for line, name, _ in collections_touched(path):
                if name is None:
                    problems.append(f"{where}:{line} touches a collection whose name is not a constant")
                elif owner_of(name) != service:
                    problems.append(f"{where}:{line} touches {name}, owned by {owner_of(name)}")
            for node in ast.walk(parsed(path)):
                if isinstance(node, ast.Constant) and node.value in collections:
                    if owner_of(node.value) != service:
                        problems.append(f"{where}:{node.lineno} names {node.value}")
    assert not problems, "\n".join(problems)


def test_shared_code_touches_only_reference_data_and_only_to_read_it():
    problems = []
    for path in modules(ROOT / "shared"):
        where = path.relative_to(ROOT)
        for line, name, _ in collections_touched(path):
            if name is None:
                continue  # plumbing parameterised by the calling service (processed events, audit)
            if name in REFERENCE_DATA and where != Path("shared/directory.py"):
                problems.append(f"{where}:{line} touches reference data {name} outside the directory")
            elif name not in REFERENCE_DATA and owner_of(name) is not None:
                problems.append(f"{where}:{line} names {name}, a service's private collection")
    directory = parsed(ROOT / "shared" / "directory.py")
    for node in ast.walk(directory):
        if isinstance(node, ast.Attribute) and node.attr in WRITES:
            problems.append(f"shared/directory.py:{node.lineno} writes ({node.attr})")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("service", [s for s in SERVICES if s != "intake"])
def test_reference_data_is_read_only_through_the_allowed_directory_reads(service):
    problems = []
    for path in modules(ROOT / "services" / service):
        tree = parsed(path)
        for line, name in imported_modules(tree):
            if name.rsplit(".", 1)[-1] in ("COMMUNES", "DIALOGUES", "DEADLINE_MARKS", "API_KEY_REVOCATIONS"):
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in DIRECTORY_READS
                and "directory" in ast.unparse(node.func.value)
                and node.func.attr not in ALLOWED_REFERENCE_READS[service]
            ):
                where = path.relative_to(ROOT)
                problems.append(f"{where}:{node.lineno} reads {node.func.attr} (not allowed)")
    assert not problems, "\n".join(problems)


def test_the_contract_sees_every_services_collections():
    """The scan finds collections at all: a broken resolver must not pass the tests above."""
    found = all_collections()
    for service in SERVICES:
        assert any(owner_of(name) == service for name in found), service
    assert set(REFERENCE_DATA) <= found
