"""The running platform for end-to-end tests: real processes behind the real Traefik.

One `stack` per test session (quest_devtools.devstack in test mode): throwaway databases, a
uniquely named exchange and sign-in queue, free ports, the built frontend behind a static
server. Tests reach everything through the gateway (`stack.gateway_url`) and may stop, kill
and restart single components (`stack.stop_component("worker")`, ...).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

from quest_devtools.devstack import (
    COMPONENTS,
    REPO_ROOT,
    SERVICES,
    Databases,
    Ports,
    Stack,
    StackConfig,
    database_url,
)
from quest_devtools.testing.databases import create_database, drop_database
from quest_devtools.testing.players import Player
from quest_devtools.testing.plugin import BrokerNames
from quest_devtools.testing.proxy import TcpProxy
from quest_devtools.testing.rabbit_cluster import LocalCluster

# The helpers (admin_setup, browser_helpers) sit next to this file and the test modules import
# them; pytest's importlib mode puts no test folder on sys.path, so this conftest does, once.
sys.path.insert(0, str(Path(__file__).parent))
from admin_setup import Studio
from browser_helpers import CHROMIUM, CHROMIUM_ARGS

FRONTEND = REPO_ROOT / "frontend"
# What the frontend build reads; dist is stale when any of these is newer than its index.html.
FRONTEND_SOURCES = (
    "src",
    "public",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        path = Path(str(item.fspath))
        if here in path.parents:
            item.add_marker(pytest.mark.e2e)
            if path.name.startswith("test_browser_"):
                item.add_marker(pytest.mark.browser)


def _newest_mtime(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        elif path.is_dir():
            for child in path.rglob("*"):
                if child.is_file():
                    newest = max(newest, child.stat().st_mtime)
    return newest


def build_frontend() -> None:
    """Build frontend/dist once, only when it is missing or older than its sources."""
    index = FRONTEND / "dist" / "index.html"
    sources = [FRONTEND / name for name in FRONTEND_SOURCES]
    if index.is_file() and index.stat().st_mtime >= _newest_mtime(sources):
        return
    npm = shutil.which("npm")
    assert npm, "npm is needed to build the frontend (Node.js >= 20)"
    modules = FRONTEND / "node_modules" / ".package-lock.json"
    lock = FRONTEND / "package-lock.json"
    if not modules.is_file() or modules.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=FRONTEND, check=True)
    subprocess.run([npm, "run", "build"], cwd=FRONTEND, check=True)


def present_components() -> tuple[str, ...]:
    """Every component whose code is in the tree, minus those named in E2E_WITHOUT
    (e.g. `E2E_WITHOUT=frontend` to run the API tests while the UI does not build)."""
    without = {c.strip() for c in os.environ.get("E2E_WITHOUT", "").split(",") if c.strip()}
    present = {
        "auth": (REPO_ROOT / "auth-service/auth_service/main.py").is_file(),
        "catalog": (REPO_ROOT / "catalog-service/catalog_service/main.py").is_file(),
        "processing": (REPO_ROOT / "processing-service/processing_service/main.py").is_file(),
        "worker": (REPO_ROOT / "processing-service/processing_service/worker.py").is_file(),
        "frontend": (FRONTEND / "package.json").is_file(),
        "gateway": True,
    }
    return tuple(c for c in COMPONENTS if present[c] and c not in without)


class E2EStack:
    """The running stack plus helpers that go through the gateway, as a browser would."""

    def __init__(self, stack: Stack, broker: BrokerNames) -> None:
        self.stack = stack
        self.broker = broker
        config = stack.config
        self.gateway_url = stack.gateway_url
        self.dashboard_url = stack.dashboard_url
        self.auth_url = stack.service_url("auth")
        self.catalog_url = stack.service_url("catalog")
        self.processing_url = stack.service_url("processing")
        self.amqp_url = config.amqp_url
        self.exchange = config.events_exchange
        self.sign_in_queue = config.sign_in_queue
        self.admin_user_name = config.admin_user_name
        self.admin_password = config.admin_password
        self.processing_client_secret = config.processing_client_secret
        self.components = config.components

    def client(self, **kwargs: Any) -> httpx.Client:
        """An HTTP client on the gateway (close it, or use it as a context manager)."""
        return httpx.Client(base_url=self.gateway_url, timeout=kwargs.pop("timeout", 15), **kwargs)

    def database_url(self, service: str) -> str:
        return self.stack.database_url(service)

    @staticmethod
    def unique_name(prefix: str = "p") -> str:
        return f"{prefix}_{uuid.uuid4().hex[:12]}"

    def sign_up(self, user_name: str | None = None, password: str | None = None) -> Player:
        """A new player (signed up, not signed in yet: access_token is empty)."""
        return Player.sign_up(self.gateway_url, user_name, password)

    def log_in(self, user_name: str, password: str) -> dict[str, Any]:
        """A password sign-in through the gateway (emits a sign-in event); the token pair."""
        return Player(self.gateway_url, user_name, password).login()

    def new_player(self) -> Player:
        """Signed up and signed in once."""
        player = self.sign_up()
        player.login()
        return player

    def admin_headers(self) -> dict[str, str]:
        token = self.log_in(self.admin_user_name, self.admin_password)["access_token"]
        return {"Authorization": f"Bearer {token}"}


def run_stack(
    pg_admin_url: str,
    amqp_url: str,
    run_dir: Path,
    components: tuple[str, ...],
    extra_env: dict[str, dict[str, str]] | None = None,
    ports: Ports | None = None,
    database_proxies: dict[str, TcpProxy] | None = None,
) -> Iterator[E2EStack]:
    """A whole stack on throwaway databases and broker names; stopped and cleaned up after.
    With `database_proxies` ({service: TcpProxy to PostgreSQL}), that service (and for
    processing, its worker) reaches its database through the proxy."""
    databases = Databases(
        **{service: create_database(pg_admin_url, prefix=f"e2e_{service}") for service in SERVICES}
    )
    extra_env = {component: dict(env) for component, env in (extra_env or {}).items()}
    for service, proxy in (database_proxies or {}).items():
        url = proxy.url_for(database_url(pg_admin_url, databases.for_service(service)))
        for component in (service, "worker") if service == "processing" else (service,):
            extra_env.setdefault(component, {})["DATABASE_URL"] = url
    broker = BrokerNames(amqp_url=amqp_url)
    config = StackConfig(
        pg_admin_url=pg_admin_url,
        amqp_url=amqp_url,
        mode="test",
        run_dir=run_dir,
        databases=databases,
        ports=ports or Ports.free(),
        environment="test",
        events_exchange=broker.exchange,
        sign_in_queue=broker.queue("sign-ins"),
        user_deletions_queue=broker.queue("user-deletions"),
        user_created_queue=broker.queue("players"),
        signing_key_passphrase=secrets.token_urlsafe(24),
        processing_client_secret=secrets.token_urlsafe(24),
        catalog_client_secret=secrets.token_urlsafe(24),
        admin_user_name="admin",
        admin_password=secrets.token_urlsafe(16),
        components=components,
        extra_env=extra_env,
    )
    running = Stack(config)
    try:
        running.start()
        yield E2EStack(running, broker)
    finally:
        running.stop()
        broker.cleanup()
        for service in SERVICES:
            drop_database(pg_admin_url, databases.for_service(service))


@pytest.fixture(scope="session")
def stack(
    pg_admin_url: str, amqp_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[E2EStack]:
    components = present_components()
    if "frontend" in components:
        build_frontend()
    yield from run_stack(pg_admin_url, amqp_url, tmp_path_factory.mktemp("stack"), components)


@pytest.fixture
def studio(stack: E2EStack) -> Iterator[Studio]:
    """An admin's setup for one test (admin_setup.Studio), taken down after it."""
    made = Studio(stack)
    try:
        yield made
    finally:
        made.close()


@dataclass
class CuttableStack:
    """A stack of its own (tests stop and cut things) whose processing API and worker reach auth
    and catalog through TcpProxies, and whose catalog reaches auth's wallet through the same auth
    proxy; players, the gateway and every token check (JWKS) reach auth directly. The processing
    API reaches the broker through a proxy too (ingestion publishes there)."""

    e2e: E2EStack
    auth: TcpProxy
    catalog: TcpProxy
    broker: TcpProxy

    @property
    def stack(self) -> Stack:
        return self.e2e.stack

    @property
    def gateway_url(self) -> str:
        return str(self.e2e.gateway_url)


@pytest.fixture(scope="module")
def cuttable_stack(
    pg_admin_url: str, amqp_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CuttableStack]:
    ports = Ports.free()
    auth = TcpProxy("127.0.0.1", ports.auth)
    catalog = TcpProxy("127.0.0.1", ports.catalog)
    parsed = urlsplit(amqp_url)
    broker = TcpProxy(parsed.hostname or "127.0.0.1", parsed.port or 5672)
    via_proxies = {
        "AUTH_URL": "http://{}:{}".format(*auth.address),
        "CATALOG_URL": "http://{}:{}".format(*catalog.address),
    }
    components = tuple(c for c in present_components() if c != "frontend")
    try:
        for running in run_stack(
            pg_admin_url,
            amqp_url,
            tmp_path_factory.mktemp("cut-stack"),
            components,
            extra_env={
                "processing": {**via_proxies, "AMQP_URL": broker.url_for(amqp_url)},
                "worker": via_proxies,
                "catalog": {"AUTH_URL": via_proxies["AUTH_URL"]},
            },
            ports=ports,
        ):
            yield CuttableStack(running, auth, catalog, broker)
    finally:
        auth.close()
        catalog.close()
        broker.close()


def cluster_broker_url(cluster: LocalCluster) -> str:
    """What the services of `cluster_stack` are given: every node of the cluster."""
    return cluster.url


@pytest.fixture(scope="module")
def broker_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """Three RabbitMQ nodes of the module's own on loopback, joined in one cluster; stopped and
    removed after (the machine's broker is never touched)."""
    with LocalCluster(tmp_path_factory.mktemp("rabbit-cluster")) as cluster:
        yield cluster


@dataclass
class ClusterStack:
    """A stack of its own whose services use every node of a broker cluster and reach
    PostgreSQL through one TcpProxy per service database (cut one to restart that database)."""

    e2e: E2EStack
    cluster: LocalCluster
    databases: dict[str, TcpProxy]

    @property
    def gateway_url(self) -> str:
        return str(self.e2e.gateway_url)


@pytest.fixture(scope="module")
def cluster_stack(
    broker_cluster: LocalCluster, pg_admin_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClusterStack]:
    target = urlsplit(pg_admin_url)
    proxies = {
        service: TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
        for service in SERVICES
    }
    components = tuple(c for c in present_components() if c != "frontend")
    try:
        for running in run_stack(
            pg_admin_url,
            cluster_broker_url(broker_cluster),
            tmp_path_factory.mktemp("cluster-stack"),
            components,
            database_proxies=proxies,
        ):
            yield ClusterStack(running, broker_cluster, proxies)
    finally:
        for proxy in proxies.values():
            proxy.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium for the browser tests, one per test module."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
