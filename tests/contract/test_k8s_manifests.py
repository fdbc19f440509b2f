"""Contract of the Kubernetes manifests in deploy/k8s (no cluster needed).

Every manifest is validated offline against the Kubernetes JSON schemas that the
`kubernetes-validate` package bundles (strict: unknown fields fail too). The kustomizations
are rendered by a small reader of their own here (resources, namespace, images, labels), so
the test needs neither kustomize nor kubectl; when one of them is on PATH its own
`kustomize build` output is checked against the same rules as well.

On top of the schemas: the four services each have a Deployment and a Service on their
port, probes on /healthz, non-root pods with resource limits, one image for everything, a
PodDisruptionBudget for every replicated Deployment, and no manifest left out of a
kustomization.
"""

from __future__ import annotations

import copy
import functools
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

try:
    import yaml
except ModuleNotFoundError:  # reported as a failure below, not a skip
    yaml = None

try:
    import kubernetes_validate
except ModuleNotFoundError:
    kubernetes_validate = None

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
NAMESPACE = "doithoai"
APP_SERVICES = {"intake": 8000, "routing": 8001, "notification": 8002, "reporting": 8003}
REPLICAS = {"intake": 2, "routing": 2, "notification": 2, "reporting": 1}
INGRESS_SERVICES = {"intake", "reporting"}
IMAGE_UID = 10001  # the doithoai user of deploy/Dockerfile
MEMORY_LIMIT = "256Mi"
SECRET_KEYS = {
    "RABBITMQ_URL",
    "MONGODB_URL",
    "SMTP_URL",
    "SMS_WEBHOOK_TOKEN",
    "DOITHOAI_AUTH_KEYS",
    "DOITHOAI_METRICS_TOKEN",
}
# The oldest Kubernetes minor the manifests promise to fit, and the newest bundled schema.
K8S_VERSIONS = ("1.28.0", "latest")
# Liveness must outlast a broker or store outage (see the comment in the manifests).
MIN_LIVENESS_TOLERANCE_S = 300
CLUSTER_SCOPED = {"Namespace"}
KUSTOMIZATION_KEYS = {"apiVersion", "kind", "namespace", "resources", "images", "labels"}


def _yaml() -> Any:
    if yaml is None:
        pytest.fail("PyYAML is missing: run `make install` (it is a dev dependency)", pytrace=False)
    return yaml


def _validator() -> Any:
    if kubernetes_validate is None:
        pytest.fail(
            "kubernetes-validate is missing: run `make install` (it is a dev dependency)", pytrace=False
        )
    return kubernetes_validate


# --- a small kustomize: enough for what deploy/k8s uses, and loud about anything else ------


def _load_docs(path: Path) -> list[dict]:
    docs = [d for d in _yaml().safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    for doc in docs:
        assert isinstance(doc, dict) and "kind" in doc and "apiVersion" in doc, (
            f"{path}: not a Kubernetes object: {doc!r}"
        )
    return docs


def _kustomization(directory: Path) -> dict:
    path = directory / "kustomization.yaml"
    assert path.is_file(), f"{directory} has no kustomization.yaml"
    data = _yaml().safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = set(data) - KUSTOMIZATION_KEYS
    assert not unknown, (
        f"{path}: fields this test's reader does not implement: {sorted(unknown)} (extend _render)"
    )
    assert data.get("kind") == "Kustomization", path
    return data


def _set_image(obj: dict, images: list[dict]) -> None:
    spec = obj.get("spec", {})
    pod = spec.get("jobTemplate", {}).get("spec", spec).get("template", {}).get("spec")
    if not pod:
        return
    for container in pod.get("containers", []) + pod.get("initContainers", []):
        name, _, tag = container["image"].partition(":")
        for image in images:
            if image["name"] == name:
                container["image"] = f"{image.get('newName', name)}:{image.get('newTag', tag)}"


@functools.cache
def _render_cached(directory: Path) -> tuple[tuple[dict, Path], ...]:
    data = _kustomization(directory)
    objects: list[tuple[dict, Path]] = []
    for entry in data.get("resources", []):
        target = (directory / entry).resolve()
        assert target.exists(), f"{directory}/kustomization.yaml lists {entry}, which does not exist"
        if target.is_dir():
            objects += [(copy.deepcopy(o), src) for o, src in _render_cached(target)]
        else:
            objects += [(o, target) for o in _load_docs(target)]
    for obj, _ in objects:
        if "namespace" in data and obj["kind"] not in CLUSTER_SCOPED:
            obj["metadata"]["namespace"] = data["namespace"]
        for label_set in data.get("labels", []):
            obj["metadata"].setdefault("labels", {}).update(label_set.get("pairs", {}))
        _set_image(obj, data.get("images", []))
    return tuple(objects)


def _render(directory: Path) -> list[dict]:
    return [copy.deepcopy(o) for o, _ in _render_cached(directory.resolve())]


def _by_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for obj in objects:
        if obj["kind"] == kind:
            name = obj["metadata"]["name"]
            assert name not in found, f"two {kind} objects named {name}"
            found[name] = obj
    return found


def _manifest_files() -> list[Path]:
    return sorted(p for p in K8S.rglob("*.y*ml") if p.name != "kustomization.yaml")


def _kustomization_dirs() -> list[Path]:
    return sorted(p.parent for p in K8S.rglob("kustomization.yaml"))


def _production() -> list[dict]:
    return _render(K8S)


def _demo() -> list[dict]:
    return _render(K8S / "demo")


def _container(deployment: dict) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, f"{deployment['metadata']['name']}: one container expected"
    return containers[0]


def _port_number(container: dict, port: int | str) -> int:
    if isinstance(port, int):
        return port
    named = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
    assert port in named, f"{container['name']}: probe port {port!r} is not a named container port"
    return named[port]


# --- schemas ---------------------------------------------------------------------------------


def _schema_cases() -> list[Any]:
    cases = []
    for path in _manifest_files():
        for index, doc in enumerate(_load_docs(path)):
            for version in K8S_VERSIONS:
                label = (
                    f"{path.relative_to(K8S)}#{index}:{doc['kind']}/{doc['metadata'].get('name')}@{version}"
                )
                cases.append(pytest.param(path, index, version, id=label))
    return cases


def _validate(doc: dict, version: str) -> None:
    kv = _validator()
    if version == "latest":
        version = kv.utils.latest_version()
    problem = None
    try:
        kv.validate(doc, version, strict=True)
    except kv.SchemaNotFoundError as exc:
        problem = exc.message
    except kv.ValidationError as exc:
        where = ".".join(str(p) for p in exc.path) or "(top)"
        problem = f"{doc['kind']}/{doc['metadata'].get('name')} against {exc.version}: {where}: {exc.message}"
    if problem:  # failed outside the except blocks: no chained traceback of the whole object
        pytest.fail(problem, pytrace=False)


@pytest.mark.parametrize(("path", "index", "version"), _schema_cases())
def test_manifest_matches_the_kubernetes_schema(path: Path, index: int, version: str) -> None:
    _validate(_load_docs(path)[index], version)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_rendered_kustomizations_match_the_kubernetes_schema(version: str) -> None:
    for directory in _kustomization_dirs():
        for obj in _render(directory):
            _validate(obj, version)


def test_the_validator_is_not_vacuous() -> None:
    """Strict validation rejects a misspelt field and a wrong type: it really validates."""
    deployment = copy.deepcopy(_by_kind(_production(), "Deployment")["intake"])
    _validator().validate(deployment, _validator().utils.latest_version(), strict=True)
    misspelt = copy.deepcopy(deployment)
    misspelt["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {
        "httpGet": {"path": "/healthz", "port": "http"}
    }
    wrong_type = copy.deepcopy(deployment)
    wrong_type["spec"]["replicas"] = "two"
    for broken in (misspelt, wrong_type):
        with pytest.raises(_validator().ValidationError):
            _validator().validate(broken, _validator().utils.latest_version(), strict=True)


# --- kustomizations --------------------------------------------------------------------------


def test_every_manifest_is_listed_by_the_kustomization_of_its_folder() -> None:
    for path in _manifest_files():
        listed = _kustomization(path.parent).get("resources", [])
        assert path.name in listed, (
            f"{path.relative_to(ROOT)} is not listed in {path.parent.relative_to(ROOT)}/kustomization.yaml"
        )
    for directory in _kustomization_dirs():
        for entry in _kustomization(directory).get("resources", []):
            assert (directory / entry).exists(), (
                f"{directory.relative_to(ROOT)}/kustomization.yaml lists missing {entry}"
            )


def test_every_kustomization_folder_is_reached_from_an_entry_point() -> None:
    """deploy/k8s (production) and deploy/k8s/demo are the entry points; base is shared."""
    reached: set[Path] = set()

    def walk(directory: Path) -> None:
        reached.add(directory.resolve())
        for entry in _kustomization(directory).get("resources", []):
            if (directory / entry).is_dir():
                walk((directory / entry).resolve())

    walk(K8S)
    walk(K8S / "demo")
    assert {d.resolve() for d in _kustomization_dirs()} <= reached


def test_kustomize_build_when_a_tool_is_available() -> None:
    """kustomize's own rendering agrees with this test's reader (skipped without the tool)."""
    kustomize = shutil.which("kustomize")
    kubectl = shutil.which("kubectl")
    if not (kustomize or kubectl):
        pytest.skip(
            "neither kustomize nor kubectl on PATH: the manifests are rendered by this test's reader only"
        )
    for directory in (K8S, K8S / "demo"):
        command = (
            [kustomize, "build", str(directory)] if kustomize else [kubectl, "kustomize", str(directory)]
        )
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stderr}"
        built = [d for d in _yaml().safe_load_all(result.stdout) if d]
        ours = _render(directory)
        key = lambda o: (o["kind"], o["metadata"]["name"], o["metadata"].get("namespace"))  # noqa: E731
        assert sorted(map(key, built)) == sorted(map(key, ours)), directory
        images = {
            c["image"]
            for o in built
            if o["kind"] in ("Deployment", "Job")
            for c in o["spec"]["template"]["spec"]["containers"]
        }
        assert images == {
            c["image"]
            for o in ours
            if o["kind"] in ("Deployment", "Job")
            for c in o["spec"]["template"]["spec"]["containers"]
        }
        for obj in built:
            _validate(obj, "latest")


# --- the four services -----------------------------------------------------------------------


@pytest.mark.parametrize("service", sorted(APP_SERVICES))
def test_each_service_has_a_deployment_and_a_service_on_its_port(service: str) -> None:
    objects = _production()
    deployment = _by_kind(objects, "Deployment").get(service)
    svc = _by_kind(objects, "Service").get(service)
    assert deployment is not None, f"no Deployment {service}"
    assert svc is not None, f"no Service {service}"
    port = APP_SERVICES[service]
    container = _container(deployment)
    assert container.get("args") == [service], "the image's entrypoint takes the service name as its argument"
    assert {p["containerPort"] for p in container["ports"]} == {port}
    env = {e["name"]: e.get("value") for e in container.get("env", [])}
    assert env.get("PORT") == str(port)
    assert deployment["spec"]["replicas"] == REPLICAS[service]
    template_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selector = deployment["spec"]["selector"]["matchLabels"]
    assert selector.items() <= template_labels.items()
    assert svc["spec"]["selector"].items() <= template_labels.items(), (
        "the Service must select the Deployment's pods"
    )
    (svc_port,) = svc["spec"]["ports"]
    assert svc_port["port"] == port
    assert _port_number(container, svc_port.get("targetPort", svc_port["port"])) == port


@pytest.mark.parametrize("service", sorted(APP_SERVICES))
def test_probes_use_healthz_on_the_service_port(service: str) -> None:
    container = _container(_by_kind(_production(), "Deployment")[service])
    for probe_name in ("readinessProbe", "livenessProbe", "startupProbe"):
        probe = container.get(probe_name)
        assert probe, f"{service}: no {probe_name}"
        http = probe.get("httpGet")
        assert http, f"{service}: {probe_name} is not an HTTP probe"
        assert http["path"] == "/healthz", f"{service}: {probe_name} path {http['path']}"
        assert _port_number(container, http["port"]) == APP_SERVICES[service], f"{service}: {probe_name} port"
    liveness, readiness = container["livenessProbe"], container["readinessProbe"]
    tolerance = liveness.get("periodSeconds", 10) * liveness.get("failureThreshold", 3)
    assert tolerance >= MIN_LIVENESS_TOLERANCE_S, (
        f"{service}: liveness restarts after {tolerance}s of 503s: /healthz fails during a broker "
        f"outage, so liveness must tolerate at least {MIN_LIVENESS_TOLERANCE_S}s"
    )
    assert tolerance > readiness.get("periodSeconds", 10) * readiness.get("failureThreshold", 3)


@pytest.mark.parametrize("service", sorted(APP_SERVICES))
def test_pods_run_as_the_image_user_with_a_read_only_root(service: str) -> None:
    deployment = _by_kind(_production(), "Deployment")[service]
    pod = deployment["spec"]["template"]["spec"]
    container = _container(deployment)
    pod_sc, sc = pod.get("securityContext", {}), container.get("securityContext", {})
    assert pod_sc.get("runAsNonRoot") is True
    assert pod_sc.get("runAsUser") == IMAGE_UID and sc.get("runAsUser", IMAGE_UID) == IMAGE_UID
    assert sc.get("runAsNonRoot", True) is True
    assert sc.get("allowPrivilegeEscalation") is False
    assert sc.get("capabilities", {}).get("drop") == ["ALL"]
    assert sc.get("readOnlyRootFilesystem") is True
    mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    assert "/tmp" in mounts and "emptyDir" in volumes[mounts["/tmp"]], (
        "a read-only root needs a writable /tmp"
    )


@pytest.mark.parametrize("service", sorted(APP_SERVICES))
def test_resources_and_metrics_annotations(service: str) -> None:
    deployment = _by_kind(_production(), "Deployment")[service]
    resources = _container(deployment).get("resources", {})
    for key in ("cpu", "memory"):
        assert key in resources.get("requests", {}), f"{service}: no {key} request"
        assert key in resources.get("limits", {}), f"{service}: no {key} limit"
    assert resources["limits"]["memory"] == MEMORY_LIMIT
    annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
    assert annotations.get("prometheus.io/scrape") == "true"
    assert annotations.get("prometheus.io/port") == str(APP_SERVICES[service])
    assert annotations.get("prometheus.io/path", "/metrics") == "/metrics"


def test_one_image_for_every_workload() -> None:
    pods = [*_by_kind(_production(), "Deployment").values(), *_by_kind(_demo(), "Job").values()]
    images = {c["image"] for o in pods for c in o["spec"]["template"]["spec"]["containers"]}
    assert len(images) == 1, f"expected the one doithoai image everywhere, found {sorted(images)}"
    (image,) = images
    assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), f"pin a tag: {image}"
    assert _by_kind(_demo(), "Deployment").keys() == APP_SERVICES.keys()


def test_replicated_deployments_have_a_disruption_budget() -> None:
    objects = _production()
    budgets = _by_kind(objects, "PodDisruptionBudget")
    for name, deployment in _by_kind(objects, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        matching = [
            b for b in budgets.values() if b["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        if deployment["spec"]["replicas"] > 1:
            assert len(matching) == 1, f"{name}: {len(matching)} PodDisruptionBudgets, expected one"
            spec = matching[0]["spec"]
            allowed = spec.get("maxUnavailable", deployment["spec"]["replicas"] - spec.get("minAvailable", 0))
            assert 1 <= allowed < deployment["spec"]["replicas"], (
                f"{name}: the budget must allow a drain and keep a replica"
            )
        else:
            assert not matching, f"{name}: a budget on a single replica blocks node drains"


def test_ingress_exposes_intake_and_reporting() -> None:
    objects = _production()
    services = _by_kind(objects, "Service")
    backends = set()
    for ingress in _by_kind(objects, "Ingress").values():
        for rule in ingress["spec"]["rules"]:
            assert rule.get("host"), "every rule names a (placeholder) host"
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                svc = services[backend["name"]]
                port = backend["port"]
                assert any(
                    p.get("name") == port.get("name") or p["port"] == port.get("number")
                    for p in svc["spec"]["ports"]
                )
                backends.add(backend["name"])
    assert backends == INGRESS_SERVICES


def test_everything_lives_in_the_doithoai_namespace() -> None:
    for objects in (_production(), _demo()):
        assert "doithoai" in _by_kind(objects, "Namespace")
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                assert obj["metadata"].get("namespace") == NAMESPACE, (
                    f"{obj['kind']}/{obj['metadata']['name']}"
                )
    for path in _manifest_files():
        for doc in _load_docs(path):
            if doc["kind"] not in CLUSTER_SCOPED:
                assert doc["metadata"].get("namespace") == NAMESPACE, (
                    f"{path.name}: also right with plain kubectl apply -f"
                )


# --- settings, the example Secret, the demo Job ------------------------------------------------


def _setting_names() -> set[str]:
    from services.deployment import Settings

    return {field.alias or name.upper() for name, field in Settings.model_fields.items()}


def test_config_and_secret_keys_are_settings_the_services_read() -> None:
    known = _setting_names()
    config = _by_kind(_production(), "ConfigMap")["doithoai-config"]["data"]
    secret = _by_kind(_demo(), "Secret")["doithoai-secrets"]["stringData"]
    assert set(config) <= known, f"unknown settings in the ConfigMap: {sorted(set(config) - known)}"
    assert set(secret) == SECRET_KEYS
    assert SECRET_KEYS <= known
    assert not set(config) & SECRET_KEYS, "credentials belong in the Secret"
    for deployment in _by_kind(_production(), "Deployment").values():
        refs = _container(deployment).get("envFrom", [])
        assert {"configMapRef": {"name": "doithoai-config"}} in refs
        assert {"secretRef": {"name": "doithoai-secrets"}} in refs


def test_the_example_secret_is_a_marked_placeholder_kept_out_of_production() -> None:
    assert "Secret" not in {o["kind"] for o in _production()}, (
        "applying the base must not overwrite the real Secret"
    )
    secret = _by_kind(_demo(), "Secret")["doithoai-secrets"]
    for key, value in secret["stringData"].items():
        assert "CHANGE-ME" in value, f"{key}: placeholder values must be marked CHANGE-ME"
    text = (K8S / "demo" / "secret.example.yaml").read_text(encoding="utf-8")
    assert "PLACEHOLDER" in text


def test_seed_demo_job_is_demo_only() -> None:
    assert "Job" not in {o["kind"] for o in _production()}
    job = _by_kind(_demo(), "Job")["seed-demo"]
    pod = job["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["args"] == ["seed-demo"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["resources"]["limits"]["memory"] == MEMORY_LIMIT
    assert "DEMO ONLY" in (K8S / "demo" / "seed-demo-job.yaml").read_text(encoding="utf-8")
