"""Contract of the monitoring files: Prometheus alert rules and the Grafana dashboard.

`promtool` (Debian's `prometheus` package; `make deps` installs it) checks the rules and the
config and runs the rules' unit tests in deploy/prometheus/alerts_test.yml. No Prometheus server
and no Grafana are needed. Every PromQL expression, in the rules and in the dashboard, may only
name metrics the services (or RabbitMQ's plugin, or FastStream's middleware) really expose.
"""

from __future__ import annotations

import functools
import json
import re
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
PROMETHEUS = ROOT / "deploy" / "prometheus"
ALERTS = PROMETHEUS / "alerts.yml"
ALERTS_TEST = PROMETHEUS / "alerts_test.yml"
PROMETHEUS_CONFIG = PROMETHEUS / "prometheus.yml"
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "doithoai.json"
DATASOURCES = GRAFANA / "provisioning" / "datasources" / "prometheus.yml"
DASHBOARD_PROVIDERS = GRAFANA / "provisioning" / "dashboards" / "doithoai.yml"

SERVICES = ("intake", "routing", "notification", "reporting")
SEVERITIES = {"critical", "warning", "info"}
EXPECTED_ALERTS = {
    "ServiceDown",
    "ConsumerMissing",
    "DeadLettersGrowing",
    "OutboxBacklog",
    "PlanDutiesOverdue",
    "FollowUpOverdue",
    "DeliveryFailureRate",
    "HandlerLatencyHigh",
}


def _histogram(name: str) -> set[str]:
    return {f"{name}_bucket", f"{name}_sum", f"{name}_count"}


# What the services expose (shared/observability.py and services/*/metrics.py, deliveries.py),
# as series names on /metrics: counters end in _total, histograms in _bucket/_sum/_count.
DOITHOAI_METRICS = {
    *(
        name
        for service in SERVICES
        for name in (
            f"doithoai_{service}_events_consumed_total",
            *_histogram(f"doithoai_{service}_handler_duration_seconds"),
            f"doithoai_{service}_events_published_total",
            f"doithoai_{service}_outbox_backlog",
        )
    ),
    "doithoai_intake_submissions_total",
    "doithoai_intake_status_updates_total",
    "doithoai_routing_submissions_routed_total",
    "doithoai_notification_deliveries_total",
    "doithoai_notification_scheduled_deliveries_total",
    "doithoai_notification_overdue_deadlines",
    "doithoai_reporting_read_model_updates_total",
    "doithoai_reporting_documents_rendered_total",
    "doithoai_reporting_overdue_followup_tasks",
}
# FastStream's RabbitPrometheusMiddleware (metrics_prefix="doithoai_faststream"): the ones used.
FASTSTREAM_METRICS = {"doithoai_faststream_received_processed_messages_total"}
# RabbitMQ's rabbitmq_prometheus plugin (3.13): queue gauges, with `vhost` and `queue` labels
# because rabbitmq.conf sets prometheus.return_per_object_metrics = true.
RABBITMQ_METRICS = {
    "rabbitmq_queue_messages",
    "rabbitmq_queue_messages_ready",
    "rabbitmq_queue_consumers",
}
KNOWN_METRICS = DOITHOAI_METRICS | FASTSTREAM_METRICS | RABBITMQ_METRICS | {"up"}

# Grafana's variables, replaced by plain values before promtool parses a dashboard expression.
GRAFANA_VARIABLES = {"__rate_interval": "1m", "__interval": "1m", "__range": "1h", "commune": ".*"}

VIETNAMESE_LETTER = r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]"

PROMQL_KEYWORDS = {
    "and", "or", "unless", "bool", "by", "without", "on", "ignoring", "group_left",
    "group_right", "offset", "inf", "nan", "atan2",
}  # fmt: skip


@functools.cache
def _promtool() -> str:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail(
            "promtool is not on PATH: run `make deps` (it installs Debian's `prometheus` package, "
            "which ships promtool) to check the alert rules and run their unit tests",
            pytrace=False,
        )
    return promtool


def _run_promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_promtool(), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def _load_yaml(path: Path) -> Any:
    if yaml is None:
        pytest.fail(
            "PyYAML is missing: add `pyyaml` to the dev dependency group in pyproject.toml "
            "(uv add --dev pyyaml) to check the Prometheus and Grafana files",
            pytrace=False,
        )
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _alert_rules() -> list[dict[str, Any]]:
    return [rule for group in _load_yaml(ALERTS)["groups"] for rule in group["rules"] if "alert" in rule]


def metric_names(expr: str) -> tuple[set[str], set[str]]:
    """The metric names an expression selects: plain names and __name__ regexes."""
    names, regexes = set(), set()
    for op, value in re.findall(r'__name__\s*(=~|!~|!=|=)\s*"([^"]*)"', expr):
        if op == "=":
            names.add(value)
        elif op == "=~":
            regexes.add(value)
    text = re.sub(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', '""', expr)  # strings
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges and subqueries
    text = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\$\{?\w+\}?", " ", text)  # Grafana variables
    text = re.sub(r"\boffset\s+-?\w+", " ", text)
    for match in re.finditer(r"(?<![\w.])[A-Za-z_:][A-Za-z0-9_:]*", text):
        word = match.group()
        if text[match.end() :].lstrip().startswith("("):
            continue  # a function or an aggregation
        if word.lower() in PROMQL_KEYWORDS:
            continue
        names.add(word)
    return names, regexes


def _unknown_metrics(expr: str) -> list[str]:
    names, regexes = metric_names(expr)
    problems = sorted(names - KNOWN_METRICS)
    for regex in sorted(regexes):
        if not any(re.fullmatch(regex, known) for known in KNOWN_METRICS):
            problems.append(f'{{__name__=~"{regex}"}} (matches no known metric)')
    if not names and not regexes:
        problems.append("(selects no metric at all)")
    return problems


# --- Prometheus: promtool ------------------------------------------------------------------


def test_alert_rules_pass_promtool_check() -> None:
    result = _run_promtool("check", "rules", str(ALERTS.relative_to(ROOT)))
    assert result.returncode == 0, f"promtool check rules failed:\n{result.stdout}{result.stderr}"


def test_prometheus_config_passes_promtool_check_and_loads_the_rules() -> None:
    config = _load_yaml(PROMETHEUS_CONFIG)
    # A relative path in rule_files is resolved against the config's directory, both by
    # Prometheus (/etc/prometheus in the container) and by promtool (deploy/prometheus here).
    assert "alerts.yml" in config.get("rule_files", []), config.get("rule_files")
    result = _run_promtool("check", "config", str(PROMETHEUS_CONFIG.relative_to(ROOT)))
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"promtool check config failed:\n{output}"
    assert "1 rule files found" in output and "alerts.yml" in output, output


def test_alert_rule_unit_tests_pass() -> None:
    result = _run_promtool("test", "rules", str(ALERTS_TEST.relative_to(ROOT)))
    assert result.returncode == 0, f"promtool test rules failed:\n{result.stdout}{result.stderr}"


# --- Prometheus: the rules themselves --------------------------------------------------------


def test_the_expected_alerts_are_defined() -> None:
    groups = _load_yaml(ALERTS)["groups"]
    assert [group["name"] for group in groups] == ["doithoai"]
    names = [rule["alert"] for rule in _alert_rules()]
    assert len(names) == len(set(names)), f"duplicate alert names: {names}"
    assert set(names) == EXPECTED_ALERTS, set(names) ^ EXPECTED_ALERTS


def test_every_alert_has_a_firing_and_a_quiet_unit_test() -> None:
    tests = _load_yaml(ALERTS_TEST)
    assert tests["rule_files"] == ["alerts.yml"], tests["rule_files"]
    firing: set[str] = set()
    quiet: set[str] = set()
    for case in tests["tests"]:
        assert case.get("input_series"), f"a test case without input series: {case}"
        for check in case.get("alert_rule_test", []):
            (firing if check.get("exp_alerts") else quiet).add(check["alertname"])
    alerts = {rule["alert"] for rule in _alert_rules()}
    assert not alerts - firing, f"alerts without a firing test: {sorted(alerts - firing)}"
    assert not alerts - quiet, f"alerts without a not-firing test: {sorted(alerts - quiet)}"
    unknown = (firing | quiet) - alerts
    assert not unknown, f"tests of unknown alerts: {sorted(unknown)}"


@pytest.mark.parametrize("rule", _alert_rules() if yaml else [], ids=lambda rule: rule["alert"])
def test_alert_has_severity_and_bilingual_annotations(rule: dict[str, Any]) -> None:
    assert rule.get("labels", {}).get("severity") in SEVERITIES, rule.get("labels")
    annotations = rule.get("annotations", {})
    for key in ("summary", "description"):
        # "<Vietnamese> / <English>": the Vietnamese part with its diacritics, the English
        # part in plain ASCII (the templates' label values aside).
        parts = annotations.get(key, "").split(" / ")
        assert len(parts) == 2, f"{rule['alert']} {key} is not 'Vietnamese / English': {parts}"
        vietnamese, english = parts
        assert re.search(VIETNAMESE_LETTER, vietnamese, re.I), (
            f"{rule['alert']} {key} has no Vietnamese: {vietnamese!r}"
        )
        assert english.isascii() and len(re.findall(r"[A-Za-z]{2,}", english)) >= 3, (
            f"{rule['alert']} {key} has no English after ' / ': {english!r}"
        )


@pytest.mark.parametrize("rule", _alert_rules() if yaml else [], ids=lambda rule: rule["alert"])
def test_alert_expr_selects_only_known_metrics(rule: dict[str, Any]) -> None:
    assert not _unknown_metrics(rule["expr"]), f"{rule['alert']}: {_unknown_metrics(rule['expr'])}"


def test_known_doithoai_metrics_are_the_ones_the_code_registers() -> None:
    """The list above is checked against the code, so a renamed metric fails here first."""
    from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
    from prometheus_client import CollectorRegistry

    from services.intake.metrics import IntakeMetrics
    from services.notification.deliveries import DeliveryMetrics
    from services.notification.metrics import NotificationMetrics
    from services.reporting.metrics import ReportingMetrics
    from services.routing.metrics import RoutingMetrics
    from shared.observability import ConsumerMetrics

    registry = CollectorRegistry()
    for service in SERVICES:
        ConsumerMetrics(service, registry)
    for metrics in (IntakeMetrics, RoutingMetrics, NotificationMetrics, DeliveryMetrics, ReportingMetrics):
        metrics(registry)
    RabbitPrometheusMiddleware(registry=registry, app_name="doithoai", metrics_prefix="doithoai_faststream")
    exposed: set[str] = set()
    for family in registry.collect():
        if family.type == "counter":
            exposed.add(f"{family.name}_total")
        elif family.type == "histogram":
            exposed |= _histogram(family.name)
        else:
            exposed.add(family.name)
    missing = (DOITHOAI_METRICS | FASTSTREAM_METRICS) - exposed
    assert not missing, f"listed but not registered by the code: {sorted(missing)}"


def test_metric_name_extraction() -> None:
    names, regexes = metric_names(
        'histogram_quantile(0.99, sum by (service, le) (rate({__name__=~"doithoai_.*_x"}[10m])))'
        ' > 1 and on (job) up{job="doithoai"} offset 5m / 1e3'
    )
    assert names == {"up"} and regexes == {"doithoai_.*_x"}
    assert _unknown_metrics("sum(rate(doithoai_intake_submisions_total[5m]))") == [
        "doithoai_intake_submisions_total"
    ]


# --- Grafana ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    return json.loads(DASHBOARD.read_text(encoding="utf-8"))


def _panels(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for panel in panels:
        found.append(panel)
        found += _panels(panel.get("panels", []))  # collapsed rows keep their panels inside
    return found


def _exprs(dashboard: dict[str, Any]) -> dict[str, str]:
    """Every PromQL expression of the dashboard's panels, keyed by panel title and refId."""
    exprs = {}
    for panel in _panels(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            if target.get("expr"):
                exprs[f"{panel.get('title')} [{target.get('refId')}]"] = target["expr"]
    return exprs


def test_dashboard_has_uid_title_and_panels(dashboard: dict[str, Any]) -> None:
    assert re.fullmatch(r"[a-zA-Z0-9_-]{1,40}", dashboard.get("uid", "")), dashboard.get("uid")
    assert dashboard.get("title", "").strip()
    panels = [p for p in _panels(dashboard["panels"]) if p.get("type") != "row"]
    assert len(panels) >= 10, f"only {len(panels)} panels"
    ids = [p["id"] for p in _panels(dashboard["panels"])]
    assert len(ids) == len(set(ids)), f"duplicate panel ids: {ids}"


def test_dashboard_covers_what_operators_watch(dashboard: dict[str, Any]) -> None:
    used = set()
    for expr in _exprs(dashboard).values():
        names, regexes = metric_names(expr)
        used |= names | {k for k in KNOWN_METRICS for r in regexes if re.fullmatch(r, k)}
    wanted = {
        "doithoai_intake_submissions_total",
        "doithoai_routing_submissions_routed_total",
        "doithoai_notification_deliveries_total",
        "doithoai_notification_scheduled_deliveries_total",
        "doithoai_routing_handler_duration_seconds_bucket",
        "doithoai_intake_outbox_backlog",
        "rabbitmq_queue_messages",
        "rabbitmq_queue_messages_ready",
        "doithoai_notification_overdue_deadlines",
        "doithoai_reporting_overdue_followup_tasks",
    }
    assert not wanted - used, f"the dashboard shows nothing of {sorted(wanted - used)}"


def test_dashboard_exprs_select_only_known_metrics(dashboard: dict[str, Any]) -> None:
    exprs = _exprs(dashboard)
    assert exprs
    problems = {title: _unknown_metrics(expr) for title, expr in exprs.items()}
    problems = {title: p for title, p in problems.items() if p}
    assert not problems, problems
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        query = query.get("query", "") if isinstance(query, dict) else query or ""
        match = re.fullmatch(r"\s*label_values\(\s*([A-Za-z_:][\w:]*)\s*,\s*\w+\s*\)\s*", query)
        if match:
            assert match.group(1) in KNOWN_METRICS, f"variable {variable['name']}: {query}"
        elif variable.get("type") == "query":
            assert not _unknown_metrics(query), f"variable {variable['name']}: {query}"


def test_dashboard_exprs_are_valid_promql(dashboard: dict[str, Any], tmp_path: Path) -> None:
    """promtool parses each expression as a recording rule, Grafana's variables filled in."""
    rules = []
    for index, (title, expr) in enumerate(sorted(_exprs(dashboard).items())):
        for name, value in GRAFANA_VARIABLES.items():
            expr = re.sub(rf"\$\{{{name}\}}|\${name}\b", value, expr)
        assert "$" not in expr, f"{title}: unknown Grafana variable in {expr}"
        rules.append({"record": f"dashboard:expr_{index}", "expr": expr})
    path = tmp_path / "dashboard_rules.yml"
    groups = {"groups": [{"name": "dashboard", "rules": rules}]}
    path.write_text(json.dumps(groups), encoding="utf-8")  # JSON is YAML
    result = _run_promtool("check", "rules", str(path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"a dashboard expression is not PromQL:\n{output}"


def test_dashboard_uses_the_provisioned_datasource(dashboard: dict[str, Any]) -> None:
    datasources = _load_yaml(DATASOURCES)["datasources"]
    prometheus = next(d for d in datasources if d["type"] == "prometheus")
    assert prometheus["url"] == "http://prometheus:9090"
    for panel in _panels(dashboard["panels"]):
        for holder in (panel, *panel.get("targets", [])):
            source = holder.get("datasource")
            if panel.get("type") != "row" and source is not None:
                expected = {"type": "prometheus", "uid": prometheus["uid"]}
                assert source == expected, (panel["title"], source)
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            assert variable["datasource"]["uid"] == prometheus["uid"], variable["name"]


def test_dashboard_provider_loads_a_folder() -> None:
    providers = _load_yaml(DASHBOARD_PROVIDERS)["providers"]
    assert [p["type"] for p in providers] == ["file"]
    assert providers[0]["options"]["path"].startswith("/"), providers[0]
