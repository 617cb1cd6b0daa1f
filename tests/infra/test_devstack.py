"""quest_devtools.devstack: configuration, rendering, the static SPA server, process groups."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from quest_common.broker.connection import connect
from quest_devtools.devstack import (
    REPO_ROOT,
    ChildProcess,
    Databases,
    Ports,
    Stack,
    StackConfig,
    StackError,
    config_from_env,
    database_url,
    parse_env_file,
    port_is_free,
    queue_consumers,
    render_native_static,
    service_env,
    write_gateway_config,
)
from quest_devtools.testing.plugin import BrokerNames, free_port


def test_database_url_keeps_server_and_credentials() -> None:
    assert (
        database_url("postgresql://postgres:pw@db.local:5433/postgres", "quest_auth")
        == "postgresql+psycopg://postgres:pw@db.local:5433/quest_auth"
    )
    assert (
        database_url("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", "x")
        == "postgresql+psycopg://postgres@127.0.0.1:5432/x"
    )
    with pytest.raises(ValueError):
        database_url("not a url", "x")


def test_each_child_gets_its_own_database_and_the_shared_settings() -> None:
    config = StackConfig(
        ports=Ports(auth=9101, catalog=9102, processing=9103),
        databases=Databases(auth="a_db", catalog="c_db", processing="p_db"),
        events_exchange="t.events",
        sign_in_queue="t.sign-ins",
        extra_env={"processing": {"CATALOG_URL": "http://127.0.0.1:1"}},
    )
    auth = service_env(config, "auth")
    assert auth["DATABASE_URL"].endswith("/a_db")
    assert auth["ADMIN_USER_NAME"] == "admin" and auth["ENVIRONMENT"] == "development"
    assert service_env(config, "catalog")["DATABASE_URL"].endswith("/c_db")
    # The worker belongs to processing: same database, same queue.
    worker = service_env(config, "worker")
    assert worker["DATABASE_URL"].endswith("/p_db")
    assert worker["SIGN_IN_QUEUE"] == "t.sign-ins" and worker["EVENTS_EXCHANGE"] == "t.events"
    assert worker["JWKS_URL"] == "http://127.0.0.1:9101/api/auth/.well-known/jwks.json"
    assert worker["AUTH_URL"] == "http://127.0.0.1:9101"
    assert worker["CATALOG_URL"] == "http://127.0.0.1:9102"
    assert service_env(config, "processing")["CATALOG_URL"] == "http://127.0.0.1:1"
    assert "DATABASE_URL" not in service_env(config, "gateway")


def test_a_list_of_broker_urls_reaches_every_child_and_the_worker_probe(
    amqp_url: str, broker_names: BrokerNames
) -> None:
    """`make dev` and the end-to-end stack take a cluster's node list as it is: the children get
    it unchanged, and the worker's readiness probe asks the first node that answers."""
    dead = f"amqp://guest:guest@127.0.0.1:{free_port()}/%2F"
    nodes = f"{dead},{amqp_url}"
    config = StackConfig(amqp_url=nodes)
    assert {service_env(config, c)["AMQP_URL"] for c in ("auth", "worker")} == {nodes}
    queue = broker_names.queue("probe")
    connection = connect(amqp_url, name="test-consumer")
    try:
        channel = connection.channel()
        channel.queue_declare(queue, durable=True)
        channel.basic_consume(queue, lambda *_: None)
        assert queue_consumers(nodes, queue) == 1
    finally:
        connection.close()
    assert queue_consumers(dead, queue) == 0


def test_env_file_parsing_and_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\n\nexport ADMIN_PASSWORD='from file'\nNATIVE_AMQP_URL=amqp://file\n"
        'ADMIN_USER_NAME="boss"\nnot a line\n'
    )
    assert parse_env_file(env_file) == {
        "ADMIN_PASSWORD": "from file",
        "NATIVE_AMQP_URL": "amqp://file",
        "ADMIN_USER_NAME": "boss",
    }
    monkeypatch.setenv("NATIVE_AMQP_URL", "amqp://process-env")
    monkeypatch.delenv("ADMIN_USER_NAME", raising=False)
    config = config_from_env(
        mode="test", env_file=env_file, overrides={"ADMIN_PASSWORD": "from flag"}
    )
    assert config.amqp_url == "amqp://process-env"  # the environment beats the file
    assert config.admin_password == "from flag"  # a flag beats both
    assert config.admin_user_name == "boss"
    assert config.mode == "test" and config.echo_logs is False
    assert config_from_env(mode="dev", env_file=tmp_path / "missing").echo_logs is True


def test_gateway_config_is_rendered_with_the_actual_ports(tmp_path: Path) -> None:
    config = StackConfig(run_dir=tmp_path, ports=Ports(gateway=9000, auth=9001, dashboard=9080))
    static_path = write_gateway_config(config)
    static = yaml.safe_load(static_path.read_text())
    assert static["entryPoints"]["web"]["address"] == "127.0.0.1:9000"
    assert static["entryPoints"]["traefik"]["address"] == "127.0.0.1:9080"
    dynamic = Path(static["providers"]["file"]["directory"])
    routes = yaml.safe_load((dynamic / "routes.yml").read_text())
    assert routes["http"]["services"]["auth"]["loadBalancer"]["servers"] == [
        {"url": "http://127.0.0.1:9001"}
    ]
    # The one middlewares file is copied unchanged next to the routes.
    assert (dynamic / "middlewares.yml").read_text() == (
        REPO_ROOT / "traefik" / "dynamic" / "middlewares.yml"
    ).read_text()
    assert "${" not in static_path.read_text() + (dynamic / "routes.yml").read_text()


def test_native_static_config_never_calls_home(tmp_path: Path) -> None:
    static = yaml.safe_load(
        render_native_static(
            web_address="127.0.0.1:1",
            dashboard_address="127.0.0.1:2",
            dynamic_dir=tmp_path,
            access_log=tmp_path / "a.log",
        )
    )
    assert static["global"] == {"checkNewVersion": False, "sendAnonymousUsage": False}
    assert "docker" not in static["providers"]


def test_stopping_a_child_leaves_no_orphan(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    child = ChildProcess(
        name="sleeper",
        argv=["sh", "-c", f"sleep 300 & echo $! > {pid_file}; wait"],
        cwd=tmp_path,
        env={},
        log_path=tmp_path / "sleeper.log",
        echo=False,
        colour="0",
    )
    while not pid_file.exists() or not pid_file.read_text().strip():
        assert child.running
        time.sleep(0.05)
    grandchild = int(pid_file.read_text())
    child.stop(timeout=5)
    assert not child.running
    # The grandchild was in the child's process group: it is gone too (or a zombie being
    # reaped by init, which no longer runs).
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(grandchild):
        time.sleep(0.05)
    assert not _alive(grandchild)
    assert "start" in (tmp_path / "sleeper.log").read_text()


def _state(pid: int) -> str:
    """The kernel's one-letter state of a process: S sleeping, T stopped, Z zombie…"""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("State:"):
            return line.split()[1]
    raise AssertionError(f"no state for {pid}")


def _wait_state(pid: int, wanted: str) -> None:
    deadline = time.monotonic() + 5
    while _state(pid) != wanted:
        assert time.monotonic() < deadline, (pid, _state(pid), wanted)
        time.sleep(0.05)


def test_pausing_a_component_freezes_it_until_resumed(tmp_path: Path) -> None:
    stack = Stack(StackConfig(run_dir=tmp_path))
    child = ChildProcess(
        name="worker",
        argv=["sleep", "300"],
        cwd=tmp_path,
        env={},
        log_path=tmp_path / "worker.log",
        echo=False,
        colour="0",
    )
    # A stand-in for the worker: the signals go to the component's process group.
    stack._children["worker"] = child
    try:
        stack.pause_component("worker")
        _wait_state(child.process.pid, "T")
        stack.resume_component("worker")
        _wait_state(child.process.pid, "S")
    finally:
        stack.stop_component("worker", timeout=5)
    with pytest.raises(StackError):
        stack.pause_component("worker")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def test_a_busy_port_is_reported_before_anything_starts(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        busy = sock.getsockname()[1]
        assert not port_is_free(busy)
        stack = Stack(
            StackConfig(run_dir=tmp_path, ports=Ports(gateway=busy), components=("gateway",))
        )
        with pytest.raises(StackError, match=f"gateway :{busy}"):
            stack.start()
    assert not stack.is_running("gateway")


def test_static_server_falls_back_to_index_html(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app.js").write_text("console.log('app')")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "quest_devtools.devstack",
            "serve-static",
            "--root",
            str(tmp_path),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 15
        while True:
            try:
                index = httpx.get(base + "/", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)
        assert "id=root" in index.text
        assert index.headers["cache-control"] == "no-cache"
        deep = httpx.get(base + "/quests/sign-in-three-times", timeout=2)
        assert deep.status_code == 200 and "id=root" in deep.text
        asset = httpx.get(base + "/assets/app.js", timeout=2)
        assert asset.text == "console.log('app')"
        assert httpx.get(base + "/api/auth/users/me", timeout=2).status_code == 404
        assert httpx.get(base + "/healthz", timeout=2).text == "ok\n"
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_interrupt_stops_every_child(tmp_path: Path) -> None:
    """What Ctrl-C on `make dev` does, with the gateway alone (on free ports)."""
    ports = {name: free_port() for name in ("gateway", "dashboard")}
    script = (
        "from pathlib import Path\n"
        "from quest_devtools.devstack import Ports, StackConfig, run\n"
        f"raise SystemExit(run(StackConfig(run_dir=Path({str(tmp_path)!r}), "
        f"ports=Ports(gateway={ports['gateway']}, dashboard={ports['dashboard']}), "
        "components=('gateway',), echo_logs=True)))\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    output: list[str] = []
    for line in process.stdout:
        output.append(line)
        if "Ctrl-C stops everything" in line:
            break
    assert any("Quest platform is up" in line for line in output), "".join(output)
    # The address the README gives, not 127.0.0.1 (cookies are kept per host name).
    assert any(f"http://localhost:{ports['gateway']}/" in line for line in output), output
    assert any(line.startswith("gateway   |") for line in output), "logs echoed with a prefix"
    traefik_pids = [
        pid for pid, cmd in _command_lines() if "traefik" in cmd and str(tmp_path) in cmd
    ]
    assert len(traefik_pids) == 1
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=30)
    assert process.returncode == 0, rest
    assert "stopping" in rest
    assert not _alive(traefik_pids[0])
    assert port_is_free(ports["gateway"])


def _command_lines() -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue  # exited while we looked
            found.append((int(entry.name), cmd))
    return found
