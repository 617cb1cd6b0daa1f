"""docker-compose.yml guarded without a Docker engine: spec, files, variables, routes, health."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from quest_common.settings import PLACEHOLDER_SECRETS
from quest_devtools.devstack import parse_env_file

# Services that exist once by nature (a published port, a named volume of their own).
SINGLETONS = {"traefik", "postgres", "rabbitmq", "rabbitmq-2", "rabbitmq-3"}
SECRET_VARIABLES = {
    "POSTGRES_PASSWORD",
    "AUTH_DB_PASSWORD",
    "CATALOG_DB_PASSWORD",
    "PROCESSING_DB_PASSWORD",
    "RABBITMQ_PASSWORD",
    "RABBITMQ_ERLANG_COOKIE",
    "SIGNING_KEY_PASSPHRASE",
    "PROCESSING_CLIENT_SECRET",
    "CATALOG_CLIENT_SECRET",
    "ADMIN_PASSWORD",
}
VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
PYTHON_SERVICES = ("auth-service", "catalog-service", "processing-service")


def python_dockerfiles(compose: dict[str, Any], repo_root: Path) -> dict[str, Path]:
    """The Dockerfile each Python service's image is built from, as compose names it."""
    return {
        name: repo_root / compose["services"][name]["build"]["dockerfile"]
        for name in PYTHON_SERVICES
    }


def test_compose_file_validates_against_the_compose_spec(repo_root: Path) -> None:
    checker = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"],
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok" in result.stdout


def test_every_build_context_and_dockerfile_exists(
    compose: dict[str, Any], repo_root: Path
) -> None:
    builds = {name: s["build"] for name, s in compose["services"].items() if "build" in s}
    assert {"auth-service", "catalog-service", "processing-service", "frontend"} <= set(builds)
    for name, build in builds.items():
        context = (repo_root / build["context"]).resolve()
        assert context.is_dir(), f"{name}: build context {context} missing"
        dockerfile = context / build.get("dockerfile", "Dockerfile")
        assert dockerfile.is_file(), f"{name}: {dockerfile} missing"


def test_python_images_build_from_the_repo_root_with_common(
    compose: dict[str, Any], repo_root: Path
) -> None:
    for name in PYTHON_SERVICES:
        build = compose["services"][name]["build"]
        assert build["context"] == ".", f"{name} must build from the repository root"
        dockerfile = (repo_root / build["dockerfile"]).read_text()
        assert "COPY common/ common/" in dockerfile
        # The shared Dockerfile builds the service its arguments name: its folder and package.
        assert build["args"]["SERVICE"] == name, name
        assert (repo_root / name / build["args"]["PACKAGE"] / "main.py").is_file(), name


def test_dockerfiles_are_multi_stage_slim_and_non_root(
    compose: dict[str, Any], repo_root: Path
) -> None:
    for service, dockerfile in python_dockerfiles(compose, repo_root).items():
        text = dockerfile.read_text()
        stages = re.split(r"^FROM ", text, flags=re.M)[1:]
        assert len(stages) >= 2, f"{service}: build and runtime stages expected"
        final = stages[-1]
        assert final.startswith("python:3.11-slim"), f"{service}: slim runtime base"
        # The runtime stage carries no package manager or compiler.
        assert "/uv" not in final and "apt-get install" not in final, service
        users = re.findall(r"^USER\s+(\S+)", final, flags=re.M)
        assert users and not users[-1].startswith(("0", "root")), f"{service}: non-root USER"
        assert "uv sync --locked --no-dev" in stages[0]


def test_processing_image_serves_api_and_worker(compose: dict[str, Any]) -> None:
    services = compose["services"]
    api, worker = services["processing-service"], services["processing-worker"]
    assert api["build"] == worker["build"]
    assert api["image"] == worker["image"]
    assert worker["command"] == ["python", "-m", "processing_service.worker"]


def test_every_variable_is_documented_in_env_example(repo_root: Path) -> None:
    used = {m.group(1) for m in VARIABLE.finditer((repo_root / "docker-compose.yml").read_text())}
    documented = set(parse_env_file(repo_root / ".env.example"))
    assert used, "no variables found: the pattern is broken"
    assert used <= documented, f"not in .env.example: {sorted(used - documented)}"


def test_secrets_are_required_and_never_defaulted(repo_root: Path) -> None:
    text = (repo_root / "docker-compose.yml").read_text()
    for match in VARIABLE.finditer(text):
        name, operator = match.group(1), match.group(2)
        if name in SECRET_VARIABLES:
            assert operator == ":?", f"${{{name}}} must fail loudly when unset (:?)"
    found = {m.group(1) for m in VARIABLE.finditer(text)}
    assert found >= SECRET_VARIABLES


def test_env_example_commits_only_placeholders(repo_root: Path) -> None:
    values = parse_env_file(repo_root / ".env.example")
    for name in SECRET_VARIABLES:
        value = values[name]
        assert value.startswith("change-me") or value in PLACEHOLDER_SECRETS, (
            f"{name} in .env.example looks like a real secret"
        )
    gitignore = (repo_root / ".gitignore").read_text().split()
    assert ".env" in gitignore


def test_every_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        check = service.get("healthcheck")
        assert check, f"{name} has no healthcheck"
        if check.get("disable"):
            # Only one-shot jobs go without: their exit code is what others wait on.
            assert service.get("restart") == "no", f"{name}: only jobs may disable it"
            waiters = [
                other
                for other, s in services.items()
                if (s.get("depends_on") or {}).get(name, {}).get("condition")
                == "service_completed_successfully"
            ]
            assert waiters, f"{name}: a job nobody waits on"
        else:
            assert check["test"][0] in {"CMD", "CMD-SHELL"}, name
            assert "curl" not in " ".join(check["test"]), f"{name}: images have no curl"


def test_dependencies_carry_conditions(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        assert isinstance(depends, dict), f"{name}: depends_on needs conditions"
        for target, spec in depends.items():
            assert target in services, f"{name} depends on unknown {target}"
            condition = spec["condition"]
            assert condition in {"service_healthy", "service_completed_successfully"}, name
            if condition == "service_healthy":
                assert not services[target]["healthcheck"].get("disable"), (name, target)
    # Every API waits on its own migration job.
    for api, job in [
        ("auth-service", "auth-migrate"),
        ("catalog-service", "catalog-migrate"),
        ("processing-service", "processing-migrate"),
        ("processing-worker", "processing-migrate"),
    ]:
        assert services[api]["depends_on"][job]["condition"] == "service_completed_successfully"


def test_scalable_services_have_no_container_name_or_host_ports(compose: dict[str, Any]) -> None:
    scalable = set(compose["services"]) - SINGLETONS
    assert {"processing-worker", "processing-service"} <= scalable
    for name in scalable:
        service = compose["services"][name]
        assert "container_name" not in service, name
        assert "ports" not in service, f"{name}: reach it through Traefik, not a host port"


def test_postgres_creates_one_database_and_role_per_service(
    compose: dict[str, Any], repo_root: Path
) -> None:
    postgres = compose["services"]["postgres"]
    mounts = [v for v in postgres["volumes"] if "docker-entrypoint-initdb.d" in v]
    assert len(mounts) == 1
    script = repo_root / mounts[0].split(":")[0]
    assert script.is_file()
    text = script.read_text()
    for service in ("auth", "catalog", "processing"):
        assert f"create_service_database {service} " in text
        url = compose["x-" + service + "-env"]["DATABASE_URL"]
        assert url.startswith(f"postgresql+psycopg://{service}:")
        assert url.endswith(f"@postgres:5432/quest_{service}")
    named = [v.split(":")[0] for v in postgres["volumes"]]
    assert set(named) & set(compose["volumes"]), "PostgreSQL data needs a named volume"


def test_rabbitmq_has_management_ui_and_healthcheck(compose: dict[str, Any]) -> None:
    rabbit = compose["services"]["rabbitmq"]
    assert "management" in rabbit["image"]
    assert any(str(p).endswith(":15672") for p in rabbit["ports"])
    assert "rabbitmq-diagnostics" in " ".join(rabbit["healthcheck"]["test"])


def test_the_cluster_profile_adds_two_nodes_that_join_rabbitmq(
    compose: dict[str, Any], repo_root: Path
) -> None:
    services = compose["services"]
    nodes = {"rabbitmq", "rabbitmq-2", "rabbitmq-3"}
    assert "profiles" not in services["rabbitmq"]
    for name in nodes:
        node = services[name]
        assert node["hostname"] == name  # the node name is rabbit@<hostname>
        assert node["image"] == services["rabbitmq"]["image"]
        # One cookie for all: written from the same variable by the same entrypoint.
        assert (
            node["environment"]["ERLANG_COOKIE"]
            == services["rabbitmq"]["environment"]["ERLANG_COOKIE"]
        )
        assert "ERLANG_COOKIE" in " ".join(node["entrypoint"])
        assert "RABBITMQ_ERLANG_COOKIE" not in node["environment"]  # the image refuses it
        named = [v.split(":")[0] for v in node["volumes"]]
        assert named[0] in compose["volumes"], f"{name} needs a data volume of its own"
    volumes = [services[name]["volumes"][0].split(":")[0] for name in nodes]
    assert len(set(volumes)) == 3
    for name in ("rabbitmq-2", "rabbitmq-3"):
        node = services[name]
        assert node["profiles"] == ["cluster"]
        assert "ports" not in node
        (conf,) = [v for v in node["volumes"] if "/etc/rabbitmq/conf.d/" in v]
        text = (repo_root / conf.split(":")[0]).read_text()
        for peer in nodes:
            assert f"= rabbit@{peer}\n" in text
        # Queues declared before the node joined get a member on it too.
        assert 'rabbitmq-queues grow "rabbit@$$(hostname)" all' in " ".join(node["entrypoint"])
    # Every service is given every node, and waits for none of the profile's nodes: without
    # the profile they do not exist (an optional dependency needs Compose >= 2.20).
    urls = [u.strip() for u in compose["x-common-env"]["AMQP_URL"].split(",")]
    assert [u.split("@")[1].split(":")[0] for u in urls] == ["rabbitmq", "rabbitmq-2", "rabbitmq-3"]
    for name, service in services.items():
        depends = service.get("depends_on") or {}
        if name not in nodes:
            assert not {"rabbitmq-2", "rabbitmq-3"} & set(depends), name


def test_traefik_uses_docker_provider_without_exposing_by_default(
    compose: dict[str, Any], repo_root: Path
) -> None:
    import yaml

    static = yaml.safe_load((repo_root / "traefik" / "traefik.yml").read_text())
    assert static["providers"]["docker"]["exposedByDefault"] is False
    assert static["providers"]["file"]["directory"] == "/etc/traefik/dynamic"
    assert "accessLog" in static and static["api"]["dashboard"] is True
    assert static["entryPoints"]["traefik"]["address"] == ":8080"
    volumes = compose["services"]["traefik"]["volumes"]
    assert "./traefik/dynamic:/etc/traefik/dynamic:ro" in volumes
    assert "./traefik/traefik.yml:/etc/traefik/traefik.yml:ro" in volumes
    # Only labelled services join: nothing else may opt in by accident.
    for name, service in compose["services"].items():
        enabled = (service.get("labels") or {}).get("traefik.enable") == "true"
        assert enabled == (
            name in {"auth-service", "catalog-service", "processing-service", "frontend"}
        ), name


def test_healthchecks_use_the_shell_form(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        check = service["healthcheck"]
        if not check.get("disable"):
            assert check["test"][0] == "CMD-SHELL" and len(check["test"]) == 2, name


def test_services_take_forwarded_addresses_from_the_gateway_only(
    compose: dict[str, Any], repo_root: Path
) -> None:
    services = compose["services"]
    gateway_ip = services["traefik"]["networks"]["default"]["ipv4_address"]
    for name in ("auth-service", "catalog-service", "processing-service"):
        assert services[name]["environment"]["FORWARDED_ALLOW_IPS"] == gateway_ip, name
    # The dynamic range never hands the gateway's address to another container.
    (pool,) = compose["networks"]["default"]["ipam"]["config"]
    default_ip = re.sub(r"\$\{GATEWAY_IP:-(.*)\}", r"\1", gateway_ip)
    import ipaddress

    subnet = ipaddress.ip_network(re.sub(r"\$\{\w+:-(.*)\}", r"\1", pool["subnet"]))
    ip_range = ipaddress.ip_network(re.sub(r"\$\{\w+:-(.*)\}", r"\1", pool["ip_range"]))
    assert ipaddress.ip_address(default_ip) in subnet
    assert ipaddress.ip_address(default_ip) not in ip_range
    # Nothing anywhere trusts every peer.
    for path in [
        *python_dockerfiles(compose, repo_root).values(),
        *(repo_root / "deploy" / "k8s").glob("*.yaml"),
        repo_root / "docker-compose.yml",
    ]:
        text = path.read_text()
        assert not re.search(r"forwarded-allow-ips[\"',\s-]*\*", text), path
        assert 'FORWARDED_ALLOW_IPS: "*"' not in text, path


def test_images_never_carry_the_dev_tools(compose: dict[str, Any], repo_root: Path) -> None:
    # uv reads the lock only with every workspace member's manifest, so the manifest is copied;
    # the code never is, and `--package <service>` keeps it out of the venv.
    for service, dockerfile in python_dockerfiles(compose, repo_root).items():
        text = dockerfile.read_text()
        assert "COPY devtools/pyproject.toml devtools/" in text, service
        copies = re.findall(r"^COPY\s+(?:--\S+\s+)*(\S+)", text, flags=re.M)
        assert not [
            c for c in copies if c.startswith("devtools") and c != "devtools/pyproject.toml"
        ]
        assert "/app/devtools" not in text, service
        # `--package ${SERVICE}`, and compose builds each image with SERVICE=<service>.
        assert re.search(r"uv sync .*--package \$\{SERVICE\}", text), service
        assert compose["services"][service]["build"]["args"]["SERVICE"] == service


def test_the_runtime_library_holds_no_dev_or_test_tooling(repo_root: Path) -> None:
    runtime = repo_root / "common" / "quest_common"
    for path in runtime.rglob("*.py"):
        source = path.read_text()
        assert "import pytest" not in source, path
        assert "quest_devtools" not in source, path
    assert not (runtime / "testing").exists() and not (runtime / "devstack.py").exists()
