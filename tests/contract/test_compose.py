"""Contract of the deployment files: docker-compose.yml and what it mounts from deploy/.

No Docker engine is needed: `docker compose config` (or Debian's `docker-compose` v1) only
reads, validates and normalises the file. The compose structure is checked on that
normalised output, so anchors, merge keys and interpolation are resolved by compose itself.
"""

from __future__ import annotations

import functools
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

try:
    import yaml
except ModuleNotFoundError:  # reported by _load_yaml as a failure, not a skip
    yaml = None

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DEPLOY = ROOT / "deploy"

APP_SERVICES = {"intake": 8000, "routing": 8001, "notification": 8002, "reporting": 8003}
REQUIRED_PARTS = {"rabbitmq", "mongodb", "prometheus", *APP_SERVICES}
SERVICE_ENV = ("RABBITMQ_URL", "MONGODB_URL", "MONGODB_DB", "SMTP_URL", "SMTP_FROM", "LOG_LEVEL")
RABBITMQ_METRICS = "rabbitmq:15692"


@functools.cache
def _compose_command() -> list[str]:
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True, timeout=60)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy:
        return [legacy]
    pytest.fail(
        "neither `docker compose` (plugin) nor `docker-compose` is on PATH: run `make deps` "
        "(it installs Debian's docker-compose) to validate docker-compose.yml",
        pytrace=False,
    )


def _compose_config(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_compose_command(), "-f", str(COMPOSE_FILE), "config", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _load_yaml(text: str) -> Any:
    if yaml is None:
        pytest.fail(
            "PyYAML is missing: add `pyyaml` to the dev dependency group in pyproject.toml "
            "(uv add --dev pyyaml) to check docker-compose.yml and prometheus.yml",
            pytrace=False,
        )
    return yaml.safe_load(text)


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    """The normalised `services:` of docker-compose.yml, as compose itself resolves them."""
    result = _compose_config()
    assert result.returncode == 0, f"compose config failed:\n{result.stderr}"
    return _load_yaml(result.stdout)["services"]


@pytest.fixture(scope="module")
def prometheus_targets() -> set[str]:
    config = _load_yaml((DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    return {
        target
        for job in config["scrape_configs"]
        for static in job.get("static_configs", [])
        for target in static["targets"]
    }


def _argv(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):  # KEY=VALUE list form
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def _published_ports(service: dict[str, Any]) -> set[int]:
    published = set()
    for port in service.get("ports", []):
        if isinstance(port, dict):  # long syntax (v1 and v2 normalise to it mostly)
            if port.get("published") is not None:
                published.add(int(port["published"]))
        else:  # "[ip:]published:target[/proto]"
            parts = str(port).split("/")[0].split(":")
            if len(parts) >= 2:
                published.add(int(parts[-2]))
    return published


def _bind_sources(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> host path of the service's bind mounts."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            mounts[volume["target"]] = str(volume.get("source", ""))
        else:
            source, target, *_ = str(volume).split(":")
            mounts[target] = source
    return mounts


def _healthcheck_text(service: dict[str, Any]) -> str:
    return " ".join(_argv(service.get("healthcheck", {}).get("test")))


def test_compose_file_is_valid() -> None:
    result = _compose_config("-q")
    assert result.returncode == 0, f"compose config -q failed:\n{result.stderr}"


def test_every_part_is_named(services: dict[str, dict[str, Any]]) -> None:
    missing = REQUIRED_PARTS - set(services)
    assert not missing, f"docker-compose.yml lacks services: {sorted(missing)}"


def test_mongodb_is_a_replica_set_of_one(services: dict[str, dict[str, Any]]) -> None:
    command = _argv(services["mongodb"].get("command"))
    assert "--replSet" in command, f"mongodb must run with --replSet: {command}"
    assert command[command.index("--replSet") + 1] == "rs0"
    # The healthcheck initiates the set on first start, so no manual step is needed.
    assert "rs.initiate" in _healthcheck_text(services["mongodb"])
    for name in APP_SERVICES:
        assert "replicaSet=rs0" in _env(services[name])["MONGODB_URL"], name


def test_the_four_services_share_one_image(services: dict[str, dict[str, Any]]) -> None:
    builds = {name: services[name].get("build") for name in APP_SERVICES}
    images = {name: services[name].get("image") for name in APP_SERVICES}
    assert all(builds.values()), f"every service builds the app image: {builds}"
    assert len({repr(sorted(b.items())) for b in builds.values()}) == 1, builds
    assert len(set(images.values())) == 1, images
    assert builds["intake"]["dockerfile"].endswith("deploy/Dockerfile")
    assert Path(builds["intake"]["context"]).resolve() == ROOT


@pytest.mark.parametrize("name", sorted(APP_SERVICES))
def test_service_runs_its_own_name_with_env_deps_and_healthcheck(
    services: dict[str, dict[str, Any]], name: str
) -> None:
    service = services[name]
    assert _argv(service.get("command"))[0] == name
    env = _env(service)
    assert set(SERVICE_ENV) <= set(env), f"{name} lacks {set(SERVICE_ENV) - set(env)}"
    assert env.get("PORT") == str(APP_SERVICES[name])
    for dependency in ("rabbitmq", "mongodb"):
        condition = service["depends_on"][dependency]["condition"]
        assert condition == "service_healthy", f"{name} -> {dependency}: {condition}"
    check = _healthcheck_text(service)
    assert "/healthz" in check and "urllib" in check, check


def test_intake_and_reporting_are_published(services: dict[str, dict[str, Any]]) -> None:
    assert 8000 in _published_ports(services["intake"])
    assert 8003 in _published_ports(services["reporting"])


def test_seed_runs_once_after_mongodb(services: dict[str, dict[str, Any]]) -> None:
    seed = services["seed"]
    assert "seed-demo" in _argv(seed.get("command"))
    assert seed["depends_on"]["mongodb"]["condition"] == "service_healthy"
    assert str(seed.get("restart", "no")) == "no"
    assert seed.get("image") == services["intake"].get("image")


def test_rabbitmq_enables_management_and_prometheus(
    services: dict[str, dict[str, Any]],
) -> None:
    plugins = (DEPLOY / "rabbitmq" / "enabled_plugins").read_text(encoding="utf-8")
    assert re.fullmatch(r"\s*\[[a-z_,\s]+\]\.\s*", plugins), f"not an Erlang list: {plugins!r}"
    assert {"rabbitmq_management", "rabbitmq_prometheus"} <= set(re.findall(r"\w+", plugins))
    mounts = _bind_sources(services["rabbitmq"])
    assert mounts["/etc/rabbitmq/enabled_plugins"].endswith("deploy/rabbitmq/enabled_plugins")
    assert mounts["/etc/rabbitmq/rabbitmq.conf"].endswith("deploy/rabbitmq/rabbitmq.conf")
    conf = (DEPLOY / "rabbitmq" / "rabbitmq.conf").read_text(encoding="utf-8")
    assert re.search(r"^prometheus\.tcp\.port\s*=\s*15692\s*$", conf, re.M)


def test_prometheus_scrapes_the_four_services_and_rabbitmq(
    services: dict[str, dict[str, Any]], prometheus_targets: set[str]
) -> None:
    expected = {f"{name}:{port}" for name, port in APP_SERVICES.items()} | {RABBITMQ_METRICS}
    missing = expected - prometheus_targets
    assert not missing, f"prometheus.yml does not scrape {sorted(missing)}"
    mounts = _bind_sources(services["prometheus"])
    assert mounts["/etc/prometheus/prometheus.yml"].endswith("deploy/prometheus/prometheus.yml")
    assert 9090 in _published_ports(services["prometheus"])


def test_prometheus_loads_the_alert_rules_beside_its_config(
    services: dict[str, dict[str, Any]],
) -> None:
    config = _load_yaml((DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    # Relative rule_files resolve against the config's directory: /etc/prometheus in the container.
    assert "alerts.yml" in config.get("rule_files", []), config.get("rule_files")
    mounts = _bind_sources(services["prometheus"])
    assert mounts["/etc/prometheus/alerts.yml"].endswith("deploy/prometheus/alerts.yml")
    conf = (DEPLOY / "rabbitmq" / "rabbitmq.conf").read_text(encoding="utf-8")
    # The alerts and the dashboard select RabbitMQ's queue metrics by their `queue` label.
    assert re.search(r"^prometheus\.return_per_object_metrics\s*=\s*true\s*$", conf, re.M)


def test_grafana_is_provisioned_with_prometheus_and_the_dashboard(
    services: dict[str, dict[str, Any]],
) -> None:
    grafana = services.get("grafana")
    assert grafana, "docker-compose.yml lacks a grafana service"
    assert str(grafana.get("image", "")).startswith("grafana/grafana-oss:"), grafana.get("image")
    assert 3000 in _published_ports(grafana)
    assert "prometheus" in grafana.get("depends_on", {}), grafana.get("depends_on")
    env = _env(grafana)
    assert env.get("GF_AUTH_ANONYMOUS_ENABLED") == "true"
    assert env.get("GF_AUTH_ANONYMOUS_ORG_ROLE") == "Viewer"
    mounts = _bind_sources(grafana)
    assert mounts["/etc/grafana/provisioning"].endswith("deploy/grafana/provisioning")
    provisioning = DEPLOY / "grafana" / "provisioning"
    providers = _load_yaml((provisioning / "dashboards" / "doithoai.yml").read_text(encoding="utf-8"))[
        "providers"
    ]
    for provider in providers:
        # The folder the provider reads is the one compose mounts deploy/grafana/dashboards on.
        assert mounts[provider["options"]["path"]].endswith("deploy/grafana/dashboards"), provider
    datasources = _load_yaml((provisioning / "datasources" / "prometheus.yml").read_text(encoding="utf-8"))[
        "datasources"
    ]
    urls = [d["url"] for d in datasources if d["type"] == "prometheus"]
    assert urls == ["http://prometheus:9090"], urls
    assert "/api/health" in _healthcheck_text(grafana)


def test_env_example_documents_every_variable() -> None:
    lines = (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines()
    compose_code = re.sub(r"(?m)^\s*#.*$", "", COMPOSE_FILE.read_text(encoding="utf-8"))
    compose_vars = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", compose_code))
    assignment = re.compile(r"^#?\s*([A-Z_][A-Z0-9_]*)=")
    documented: dict[str, bool] = {}
    for index, line in enumerate(lines):
        match = assignment.match(line)
        if not match:
            continue
        # A variable is documented by the comment above its block of assignments.
        above = index - 1
        while above >= 0 and assignment.match(lines[above]):
            above -= 1
        documented[match.group(1)] = above >= 0 and lines[above].startswith("# ")
    for name in sorted(set(SERVICE_ENV) | compose_vars):
        assert name in documented, f"deploy/env.example lacks {name}"
        assert documented[name], f"deploy/env.example has no comment for {name}"


def test_image_is_slim_non_root_and_built_from_the_lock() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_VERSION=3\.11$", dockerfile, re.M)
    bases = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert bases and all(base == "python:${PYTHON_VERSION}-slim" for base in bases), bases
    assert "uv sync --frozen --no-dev" in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1].split(":")[0] not in {"root", "0"}, users
    ignored = set((ROOT / ".dockerignore").read_text(encoding="utf-8").split())
    assert {".venv", ".data", ".git", ".pytest_cache"} <= ignored
