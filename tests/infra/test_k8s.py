"""deploy/k8s renders with kustomize, validates strictly, and keeps the platform's contracts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

BIN = Path(sys.executable).parent
CRD_GROUPS = ("keda.sh/", "traefik.io/", "rabbitmq.com/")
SECRET_NAME = "quest-secrets"


@pytest.fixture(scope="module")
def rendered(repo_root: Path) -> str:
    result = subprocess.run(
        [str(BIN / "kubectl"), "kustomize", "deploy/k8s"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def objects(rendered: str) -> list[dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(rendered) if d]
    assert docs
    return docs


def _of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def _containers(objects: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for obj in objects:
        if obj["kind"] in {"Deployment", "Job"}:
            for container in obj["spec"]["template"]["spec"]["containers"]:
                yield f"{obj['kind']}/{obj['metadata']['name']}", container


def test_core_objects_validate_strictly_offline(
    objects: list[dict[str, Any]], tmp_path: Path
) -> None:
    core = [o for o in objects if not o["apiVersion"].startswith(CRD_GROUPS)]
    assert {o["kind"] for o in core} >= {
        "Namespace",
        "ConfigMap",
        "Deployment",
        "Service",
        "Job",
        "Ingress",
    }
    manifest = tmp_path / "core.yaml"
    manifest.write_text(yaml.safe_dump_all(core))
    result = subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", str(manifest)],
        capture_output=True,
        text=True,
        timeout=180,
        # No network here: the schemas ship with kubernetes-validate.
        env={"PATH": "/usr/bin:/bin", "HTTPS_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""},
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.count("passed for resource") == len(core), output
    assert "WARN" not in output and "ERROR" not in output, output


def test_everything_is_in_the_quest_namespace(objects: list[dict[str, Any]]) -> None:
    for obj in objects:
        if obj["kind"] != "Namespace":
            assert obj["metadata"].get("namespace") == "quest", obj["metadata"]["name"]


def test_no_secret_values_only_references(objects: list[dict[str, Any]], repo_root: Path) -> None:
    assert not _of_kind(objects, "Secret"), "secrets are created in the cluster, not committed"
    keys: set[str] = set()
    for where, container in _containers(objects):
        for env in container.get("env", []):
            if "valueFrom" in env:
                ref = env["valueFrom"]["secretKeyRef"]
                assert ref["name"] == SECRET_NAME, where
                keys.add(ref["key"])
            else:
                assert not any(w in env["name"] for w in ("PASSWORD", "SECRET", "PASSPHRASE")), (
                    f"{where}: {env['name']} must come from the Secret"
                )
    assert {"signing-key-passphrase", "processing-client-secret", "admin-password"} <= keys
    # The README tells operators which keys to create.
    readme = (repo_root / "deploy" / "README.md").read_text()
    for key in keys:
        assert key in readme, f"deploy/README.md does not document the secret key {key}"


def test_deployments_have_probes_resources_and_security_contexts(
    objects: list[dict[str, Any]],
) -> None:
    deployments = _of_kind(objects, "Deployment")
    assert set(deployments) == {
        "auth-service",
        "catalog-service",
        "processing-service",
        "processing-worker",
        "frontend",
    }
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        for container in pod["containers"]:
            assert "livenessProbe" in container, name
            if name != "processing-worker":
                assert "readinessProbe" in container, name
            resources = container["resources"]
            assert resources["requests"]["cpu"] and resources["requests"]["memory"], name
            assert resources["limits"]["memory"], name
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, name
            assert security["readOnlyRootFilesystem"] is True, name
            assert security["capabilities"]["drop"] == ["ALL"], name
    api = deployments["processing-service"]["spec"]["template"]["spec"]["containers"][0]
    assert api["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert api["livenessProbe"]["httpGet"]["path"] == "/healthz"
    worker = deployments["processing-worker"]["spec"]["template"]["spec"]["containers"][0]
    assert worker["args"] == ["python", "-m", "processing_service.worker"]
    assert worker["image"] == api["image"]


def test_migration_jobs_run_each_prestart(objects: list[dict[str, Any]]) -> None:
    jobs = _of_kind(objects, "Job")
    for service in ("auth", "catalog", "processing"):
        container = jobs[f"{service}-migrate"]["spec"]["template"]["spec"]["containers"][0]
        assert container["args"] == ["python", "-m", f"{service}_service.prestart"]
        assert container["image"].startswith(f"quest-{service}-service")


def test_ingress_routes_the_design_prefixes_and_nothing_internal(
    objects: list[dict[str, Any]],
) -> None:
    services = _of_kind(objects, "Service")
    routes: dict[str, tuple[str, str]] = {}
    for ingress in _of_kind(objects, "Ingress").values():
        assert ingress["spec"]["ingressClassName"] == "traefik"
        middlewares = ingress["metadata"]["annotations"][
            "traefik.ingress.kubernetes.io/router.middlewares"
        ]
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                assert backend["name"] in services
                # Exact for the SSE stream only (its own router, without the body limit).
                exact = path["path"] == "/api/processing/notifications/stream"
                assert path["pathType"] == ("Exact" if exact else "Prefix")
                routes[path["path"]] = (backend["name"], middlewares)
    assert {p: s for p, (s, _) in routes.items()} == {
        "/api/auth/login/": "auth-service",
        "/api/auth/": "auth-service",
        "/api/catalog/": "catalog-service",
        "/api/processing/": "processing-service",
        "/api/processing/notifications/stream": "processing-service",
    }
    assert not any(p.startswith("/internal") for p in routes)
    assert "quest-login-ratelimit@kubernetescrd" in routes["/api/auth/login/"][1]
    assert "ratelimit" not in routes["/api/auth/"][1]
    assert all("quest-security-headers@kubernetescrd" in m for _, m in routes.values())
    # Nothing an Ingress routes falls back to the frontend (that is the IngressRoute's job).
    assert "frontend" not in {s for s, _ in routes.values()}
    # The 1 MiB body limit everywhere but on the SSE stream (buffering would hold it).
    for path, (_, middlewares) in routes.items():
        limited = "quest-body-limit@kubernetescrd" in middlewares
        assert limited == (path != "/api/processing/notifications/stream"), path


def test_traefik_middlewares_match_the_shared_file(
    objects: list[dict[str, Any]], repo_root: Path
) -> None:
    shared = yaml.safe_load((repo_root / "traefik" / "dynamic" / "middlewares.yml").read_text())
    crds = {
        name: obj["spec"]
        for name, obj in _of_kind(objects, "Middleware").items()
        if obj["apiVersion"] == "traefik.io/v1alpha1"
    }
    assert crds == shared["http"]["middlewares"]


def test_keda_scales_the_worker_on_the_sign_in_queue(objects: list[dict[str, Any]]) -> None:
    # KEDA's CRDs are not in kubernetes-validate's schemas: check the structure here.
    scaled = _of_kind(objects, "ScaledObject")["processing-worker"]
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    spec = scaled["spec"]
    assert set(spec) <= {
        "scaleTargetRef",
        "minReplicaCount",
        "maxReplicaCount",
        "pollingInterval",
        "cooldownPeriod",
        "triggers",
        "advanced",
        "fallback",
        "idleReplicaCount",
    }
    target = spec["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == (
        "apps/v1",
        "Deployment",
        "processing-worker",
    )
    assert target["name"] in _of_kind(objects, "Deployment")
    assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
    assert isinstance(spec["pollingInterval"], int) and isinstance(spec["cooldownPeriod"], int)
    (trigger,) = spec["triggers"]
    assert trigger["type"] == "rabbitmq"
    metadata = trigger["metadata"]
    config = _of_kind(objects, "ConfigMap")["quest-config"]["data"]
    assert metadata["queueName"] == config["SIGN_IN_QUEUE"] == "processing.sign-ins"
    assert metadata["mode"] in {"QueueLength", "MessageRate"}
    assert metadata["protocol"] in {"amqp", "http", "auto"}
    assert all(isinstance(v, str) for v in metadata.values()), "KEDA metadata values are strings"
    assert int(metadata["value"]) > 0
    auth = _of_kind(objects, "TriggerAuthentication")[trigger["authenticationRef"]["name"]]
    (ref,) = auth["spec"]["secretTargetRef"]
    assert (ref["parameter"], ref["name"], ref["key"]) == ("host", SECRET_NAME, "amqp-scaler-url")


def test_the_broker_is_a_three_node_rabbitmq_cluster(objects: list[dict[str, Any]]) -> None:
    # The operator's CRD is not in kubernetes-validate's schemas: check the structure here.
    clusters = _of_kind(objects, "RabbitmqCluster")
    assert set(clusters) == {"rabbitmq"}
    cluster = clusters["rabbitmq"]
    assert cluster["apiVersion"] == "rabbitmq.com/v1beta1"
    spec = cluster["spec"]
    assert set(spec) <= {
        "replicas",
        "image",
        "resources",
        "persistence",
        "rabbitmq",
        "override",
        "service",
        "tolerations",
        "affinity",
        "tls",
        "terminationGracePeriodSeconds",
    }
    assert spec["replicas"] == 3
    assert spec["resources"]["requests"]["memory"] == spec["resources"]["limits"]["memory"]
    config = spec["rabbitmq"]["additionalConfig"]
    assert "cluster_partition_handling = pause_minority" in config
    # The namespace is `restricted`: the operator's pods must meet it too.
    pod = spec["override"]["statefulSet"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    containers = {c["name"]: c for c in (*pod["containers"], *pod["initContainers"])}
    assert set(containers) == {"rabbitmq", "setup-container"}
    for name, container in containers.items():
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False, name
        assert security["capabilities"]["drop"] == ["ALL"], name
    # Nothing else runs its own broker.
    assert not [
        o
        for o in objects
        if "rabbitmq" in o["metadata"]["name"]
        and o["kind"]
        in {
            "Deployment",
            "StatefulSet",
        }
    ]


def test_every_pod_meets_the_restricted_pod_security_standard(
    objects: list[dict[str, Any]],
) -> None:
    namespace = _of_kind(objects, "Namespace")["quest"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    pods = [o for o in objects if o["kind"] in {"Deployment", "Job"}]
    assert len(pods) == 8
    for obj in pods:
        pod = obj["spec"]["template"]["spec"]
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        assert pod["securityContext"]["runAsNonRoot"] is True, where
        assert pod["securityContext"]["runAsUser"] > 0, where
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", where
        assert pod["automountServiceAccountToken"] is False, where
        for container in pod["containers"]:
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            assert "privileged" not in security, where


# --- unknown /api/... and /internal... paths: 404 from Traefik, as in compose and native ----------


def _rule_matches(rule: str, path: str) -> bool:
    """Traefik's rule language, as far as the gateway uses it: `&&` of `Path`/`PathPrefix`
    terms, each possibly negated with `!`."""
    result = True
    for term in (t.strip() for t in rule.split("&&")):
        negated = term.startswith("!")
        matcher, _, argument = term.lstrip("!").partition("(`")
        value = argument.removesuffix("`)")
        hit = path == value if matcher == "Path" else path.startswith(value)
        assert matcher in {"Path", "PathPrefix"}, term
        result = result and (hit != negated)
    return result


def _ingress_prefix_matches(prefix: str, path: str) -> bool:
    """Kubernetes `Prefix`: element-wise, `/api/auth/` matches `/api/auth` and `/api/auth/x`."""
    wanted = [p for p in prefix.split("/") if p]
    return [p for p in path.split("/") if p][: len(wanted)] == wanted


def _frontend_rule(objects: list[dict[str, Any]]) -> str:
    (route,) = _of_kind(objects, "IngressRoute")["quest-frontend"]["spec"]["routes"]
    assert [s["name"] for s in route["services"]] == ["frontend"]
    return str(route["match"])


def test_unknown_api_and_internal_paths_reach_no_backend(objects: list[dict[str, Any]]) -> None:
    frontend = _frontend_rule(objects)
    ingress_paths = [
        (path["path"], path["pathType"], path["backend"]["service"]["name"])
        for ingress in _of_kind(objects, "Ingress").values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]

    def backends(request_path: str) -> set[str]:
        found = {
            service
            for prefix, kind, service in ingress_paths
            if (
                request_path == prefix
                if kind == "Exact"
                else _ingress_prefix_matches(prefix, request_path)
            )
        }
        return found | ({"frontend"} if _rule_matches(frontend, request_path) else set())

    for unknown in ("/api", "/api/", "/api/nope", "/api/nope/deeper", "/internal/x", "/internal"):
        assert backends(unknown) == set(), unknown
    assert backends("/api/catalog/quests") == {"catalog-service"}
    assert backends("/api/auth/login/") == {"auth-service"}
    for page in ("/", "/quests", "/admin/users", "/apiary", "/history"):
        assert backends(page) == {"frontend"}, page


def test_the_frontend_rule_is_the_compose_and_native_one(
    objects: list[dict[str, Any]], repo_root: Path
) -> None:
    compose = yaml.safe_load((repo_root / "docker-compose.yml").read_text())
    labels = compose["services"]["frontend"]["labels"]
    native = (repo_root / "traefik" / "native" / "routes.yml.tmpl").read_text()
    rule = _frontend_rule(objects)
    assert labels["traefik.http.routers.frontend.rule"] == rule
    assert f'rule: "{rule}"' in native
    route = _of_kind(objects, "IngressRoute")["quest-frontend"]["spec"]
    assert route["entryPoints"] == ["web"]
    assert [m["name"] for m in route["routes"][0]["middlewares"]] == [
        "body-limit",
        "security-headers",
        "retry",
    ]
