"""pytest fixtures shared by every service: real PostgreSQL and RabbitMQ, isolated per run/test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol
from urllib.parse import urlparse

import pika
import pytest

from quest_common.broker.broadcast import BroadcastListener
from quest_common.broker.connection import connect
from quest_common.broker.topology import declare_work_queue
from quest_devtools.devstack import free_port
from quest_devtools.testing.databases import create_database, drop_database, sqlalchemy_url
from quest_devtools.testing.proxy import TcpProxy
from quest_devtools.testing.threads import broadcast_listeners, still_running
from quest_devtools.testing.tokens import JwksServer, TestKeys

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
AMQP_URL = os.environ.get("TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    return PG_ADMIN_URL


@pytest.fixture(scope="session")
def amqp_url() -> str:
    return AMQP_URL


@pytest.fixture(scope="session")
def run_id() -> str:
    return uuid.uuid4().hex[:8]


class DatabaseFactory(Protocol):
    def __call__(self, prefix: str = ..., migrate: Callable[[str], None] | None = ...) -> str: ...


@pytest.fixture(scope="session")
def database_url_factory(pg_admin_url: str) -> Iterator[DatabaseFactory]:
    """`make("auth")` → SQLAlchemy URL of a new empty database, dropped at the end of the run;
    `make("auth", run_migrations)` migrates it first."""
    created: list[str] = []

    def make(prefix: str = "test", migrate: Callable[[str], None] | None = None) -> str:
        name = create_database(pg_admin_url, prefix=f"t_{prefix}")
        created.append(name)
        url = sqlalchemy_url(pg_admin_url, name)
        if migrate is not None:
            migrate(url)
        return url

    yield make
    for name in created:
        drop_database(pg_admin_url, name)


def migrated_database(
    prefix: str,
    migrate: Callable[[str], None],
    *,
    scope: Literal["session", "function"] = "function",
    doc: str = "",
) -> Any:
    """A fixture giving the URL of a new database migrated by `migrate`: one per test, or with
    `scope="session"` one for the whole run. Assigned in a conftest, it takes the name it is
    assigned to (`fresh_db_url = migrated_database("auth", run_migrations, doc=...)`)."""

    def database(database_url_factory: DatabaseFactory) -> str:
        return database_url_factory(prefix, migrate)

    database.__doc__ = doc
    return pytest.fixture(scope=scope)(database)


def service_databases(prefix: str, migrate: Callable[[str], None]) -> tuple[Any, Any]:
    """A service's two database fixtures, assigned in its conftest as `<service>_db_url,
    fresh_db_url`: one migrated database for the whole run, and one for a single test."""
    return (
        migrated_database(
            prefix,
            migrate,
            scope="session",
            doc="One migrated database for the run; tests keep apart through unique names.",
        ),
        migrated_database(
            prefix,
            migrate,
            doc="A migrated database of its own, for tests that count every row or event.",
        ),
    )


@dataclass
class BrokerNames:
    """Unique exchange and queue names for one test; everything named here is deleted after it."""

    amqp_url: str
    prefix: str = field(default_factory=lambda: f"t.{uuid.uuid4().hex[:10]}")
    queues: list[str] = field(default_factory=list)

    @property
    def exchange(self) -> str:
        return f"{self.prefix}.events"

    def queue(self, name: str) -> str:
        full = f"{self.prefix}.{name}"
        self.queues.append(full)
        return full

    def work_queue(self, name: str, routing_keys: Iterable[str], **limits: int) -> str:
        """A work queue named after `name` (with its retry queue and DLQ), bound to the exchange
        as the consumers declare it (`limits`: delivery_limit, retry_delay_ms)."""
        queue = self.queue(name)
        declare_queue(
            self.amqp_url, queue=queue, exchange=self.exchange, routing_keys=routing_keys, **limits
        )
        return queue

    def probe(self, name: str, *routing_keys: str) -> str:
        """A queue named after `name` that captures each of `routing_keys` on the exchange (both
        declared here), for reading back what the code under test published."""
        queue = self.queue(name)
        for key in routing_keys:
            bind_probe_queue(self.amqp_url, exchange=self.exchange, queue=queue, routing_key=key)
        return queue

    def drain(self, queue: str, **options: Any) -> list[bytes]:
        """The messages waiting in one of this test's queues (options as for `drain_queue`)."""
        return drain_queue(self.amqp_url, queue, **options)

    def events(self, queue: str, *, expect: int) -> list[dict[str, Any]]:
        """The events waiting in one of this test's queues, decoded (see `read_events`)."""
        from quest_devtools.testing.events import read_events  # it builds on this module

        return read_events(self.amqp_url, queue, expect=expect)

    def cleanup(self) -> None:
        connection = connect(self.amqp_url, name="test-cleanup")
        try:
            channel = connection.channel()
            for queue in self.queues:
                for suffix in ("", ".retry", ".dlq"):
                    channel.queue_delete(queue=queue + suffix)
            channel.exchange_delete(exchange=self.exchange)
        finally:
            connection.close()


@pytest.fixture
def broker_names(amqp_url: str) -> Iterator[BrokerNames]:
    names = BrokerNames(amqp_url=amqp_url)
    yield names
    names.cleanup()


def declare_queue(
    amqp_url: str, *, queue: str, exchange: str, routing_keys: Iterable[str], **limits: int
) -> None:
    """Declare a work queue as its consumer and publishers do (`declare_work_queue`), so nothing
    published before a consumer connects is lost."""
    connection = connect(amqp_url, name="test-declare")
    try:
        declare_work_queue(
            connection.channel(),
            queue=queue,
            exchange=exchange,
            routing_keys=routing_keys,
            **limits,
        )
    finally:
        connection.close()


def bind_probe_queue(amqp_url: str, *, exchange: str, queue: str, routing_key: str) -> None:
    """Declare the exchange and a queue that captures `routing_key` (for reading events back)."""
    connection = connect(amqp_url, name="test-probe")
    try:
        channel = connection.channel()
        channel.exchange_declare(exchange=exchange, exchange_type="topic", durable=True)
        channel.queue_declare(queue=queue, durable=True)
        channel.queue_bind(queue=queue, exchange=exchange, routing_key=routing_key)
    finally:
        connection.close()


def drain_queue(
    amqp_url: str,
    queue: str,
    *,
    wait_seconds: float = 5.0,
    expect: int | None = None,
    idle_seconds: float = 0.5,
) -> list[bytes]:
    """Read messages from a queue until `expect` have arrived (or `idle_seconds` pass with none
    after the first), at most `wait_seconds`."""
    import time

    connection = connect(amqp_url, name="test-drain")
    bodies: list[bytes] = []
    try:
        channel = connection.channel()
        deadline = time.monotonic() + wait_seconds
        last = time.monotonic()
        while time.monotonic() < deadline:
            method, _props, body = channel.basic_get(queue=queue, auto_ack=True)
            if method is None:
                if expect is None and bodies and time.monotonic() - last > idle_seconds:
                    break
                # Past `expect`, keep looking a little: a duplicate would show up right after.
                if (
                    expect is not None
                    and len(bodies) >= expect
                    and time.monotonic() - last > idle_seconds
                ):
                    break
                connection.sleep(0.05)
                continue
            bodies.append(body)
            last = time.monotonic()
    finally:
        connection.close()
    return bodies


@pytest.fixture
def tcp_proxy() -> Iterator[Callable[[str, int], TcpProxy]]:
    """`tcp_proxy("127.0.0.1", 5672)` → a started proxy; `.cut()` / `.restore()`; closed after."""
    proxies: list[TcpProxy] = []

    def make(host: str, port: int) -> TcpProxy:
        proxy = TcpProxy(host, port)
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        proxy.close()


def amqp_target(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 5672


# --- no broker listener outlives its test ---------------------------------------------------

_LISTENERS_BEFORE = pytest.StashKey[set[BroadcastListener]]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    item.stash[_LISTENERS_BEFORE] = broadcast_listeners()
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """After the test's fixtures are gone (and with them the lifespans they ran), no broker
    listener the test started may still run: one left behind would keep retrying and logging
    through the rest of the run and after it. Listeners here belong to an app's lifespan or a
    function-scoped fixture, so whatever a test started ends with it."""
    result = yield
    before: set[BroadcastListener] = item.stash.get(_LISTENERS_BEFORE, set())
    started = broadcast_listeners() - before
    left = still_running(started)
    if left:
        for thread in left:
            thread.stop()  # the rest of the run is not to hear from it
        names = ", ".join(thread.name for thread in left)
        pytest.fail(
            f"{names} still running after the test that started it: a listener must stop "
            "with the lifespan or fixture that started it",
            pytrace=False,
        )
    return result


@pytest.fixture(scope="session")
def test_keys() -> TestKeys:
    return TestKeys()


@pytest.fixture(scope="session")
def jwks_server(test_keys: TestKeys) -> Iterator[JwksServer]:
    server = JwksServer(test_keys)
    yield server
    server.close()


__all__ = [
    "AMQP_URL",
    "PG_ADMIN_URL",
    "BrokerNames",
    "bind_probe_queue",
    "drain_queue",
    "free_port",
    "pika",
]
