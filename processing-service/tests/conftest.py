"""Fixtures for processing tests: a migrated throwaway database, unique broker names, settings."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

import pika
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from processing_service.catalog.cache import QuestDefinition
from processing_service.core.config import Settings
from processing_service.core.db import run_migrations
from processing_service.events.service import consume_events
from processing_service.main import create_app
from processing_service.progress.rules import PlayerEvent, QuestRule
from processing_service.unit_of_work import UnitOfWork
from processing_service.worker import Worker
from quest_common.broker.connection import connect
from quest_common.db import make_engine
from quest_common.events import make_event, routing_key
from quest_devtools.devstack import free_port
from quest_devtools.testing.plugin import BrokerNames, migrated_database
from quest_devtools.testing.quests import catalog_quest

processing_db = migrated_database(
    "processing", run_migrations, doc="A migrated database of its own for each test."
)


@pytest.fixture
def settings(
    processing_db: str, broker_names: BrokerNames, amqp_url: str, jwks_server: Any
) -> Settings:
    return Settings(
        environment="test",
        database_url=processing_db,
        amqp_url=amqp_url,
        events_exchange=broker_names.exchange,
        sign_in_queue=broker_names.queue("sign-ins"),
        user_deletions_queue=broker_names.queue("user-deletions"),
        user_created_queue=broker_names.queue("players"),
        catalog_url=f"http://127.0.0.1:{free_port()}",
        auth_url=f"http://127.0.0.1:{free_port()}",
        jwks_url=jwks_server.url,
        linger_ms=5,
        grant_poll_s=0.2,
        http_timeout_s=1.0,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def api(settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """Start the processing app in-process (`api(**setting_overrides)`); every one started is
    shut down after the test."""
    clients: list[TestClient] = []

    def start(**overrides: Any) -> TestClient:
        client = TestClient(create_app(settings.model_copy(update=overrides)))
        client.__enter__()
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)


def quest_payload(**overrides: Any) -> dict[str, Any]:
    """A catalog quest read, as catalog serves it (with the embedded reward), under a name of
    its own."""
    return catalog_quest(**{"name": f"quest-{uuid.uuid4().hex[:8]}", **overrides})


@pytest.fixture
def store_quests(engine: Engine) -> Callable[..., list[dict[str, Any]]]:
    """Put quest definitions in the local copy (what the worker uses while catalog is down)."""

    def store(*quests: dict[str, Any]) -> list[dict[str, Any]]:
        with Session(engine) as session:
            for quest in quests:
                session.add(
                    QuestDefinition(
                        quest_id=uuid.UUID(quest["quest_id"]), name=quest["name"], payload=quest
                    )
                )
            session.commit()
        return list(quests)

    return store


@pytest.fixture
def add_quest(store_quests: Callable[..., list[dict[str, Any]]]) -> Callable[..., dict[str, Any]]:
    """`add_quest(**fields)` → a quest (`quest_payload(**fields)`) put in the local copy."""

    def add(**fields: Any) -> dict[str, Any]:
        [quest] = store_quests(quest_payload(**fields))
        return quest

    return add


def sign_in_body(
    user_id: uuid.UUID,
    *,
    at: datetime | None = None,
    event_id: str | None = None,
    type: str = "UserSignIn",
    time_zone: object = None,
) -> tuple[str, bytes]:
    data: dict[str, Any] = {
        "user_id": str(user_id),
        "user_name": "player",
        "signed_in_at": (at or datetime.now(UTC)).isoformat(),
    }
    if time_zone is not None:
        data["time_zone"] = time_zone
    event = make_event(
        source="auth-service",
        type=type,
        subject=str(user_id),
        data=data,
        time=at,
        event_id=event_id,
    )
    return routing_key("auth", type), event.to_json()


@pytest.fixture
def publish_raw(amqp_url: str, settings: Settings) -> Callable[[list[tuple[str, bytes]]], None]:
    """Publish (routing key, body) pairs to the test exchange, with confirms."""

    def publish(messages: list[tuple[str, bytes]]) -> None:
        connection = connect(amqp_url, name="test-publisher")
        try:
            channel = connection.channel()
            channel.exchange_declare(settings.events_exchange, exchange_type="topic", durable=True)
            channel.confirm_delivery()
            for key, body in messages:
                channel.basic_publish(
                    settings.events_exchange, key, body, pika.BasicProperties(delivery_mode=2)
                )
        finally:
            connection.close()

    return publish


@pytest.fixture
def consume(engine: Engine) -> Callable[[Sequence[PlayerEvent], Sequence[QuestRule]], None]:
    """`consume(events, quests)`: the worker's batch core over one batch, committed, as the worker
    runs it (without the broker)."""

    def run(events: Sequence[PlayerEvent], quests: Sequence[QuestRule]) -> None:
        with UnitOfWork(engine=engine) as uow:
            consume_events(uow=uow, events=events, quests=quests)
            uow.commit()

    return run


class RunningWorker:
    def __init__(self, settings: Settings) -> None:
        self.worker = Worker(settings)
        self.thread = threading.Thread(target=self.worker.run, daemon=True)

    def start(self) -> RunningWorker:
        self.thread.start()
        assert self.worker.shell.wait_ready(15)
        return self

    def stop(self) -> None:
        self.worker.stop()
        self.thread.join(20)
        assert not self.thread.is_alive()


@pytest.fixture
def run_worker(settings: Settings) -> Iterator[Callable[..., RunningWorker]]:
    """Start a worker in this process (a thread); stopped gracefully after the test."""
    running: list[RunningWorker] = []

    def start(custom: Settings | None = None) -> RunningWorker:
        worker = RunningWorker(custom or settings).start()
        running.append(worker)
        return worker

    yield start
    for worker in running:
        if worker.thread.is_alive():
            worker.stop()


class SignInHelpers:
    """Builders for test data, reachable from test files through the `sign_in` fixture."""

    quest = staticmethod(quest_payload)
    body = staticmethod(sign_in_body)


@pytest.fixture
def sign_in() -> SignInHelpers:
    return SignInHelpers()


def settings_env(settings: Settings) -> dict[str, str]:
    """`settings` as the environment variables a service process reads them from."""
    return {
        name.upper(): str(value)
        for name, value in settings.model_dump().items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }


@pytest.fixture
def start_api(settings: Settings) -> Iterator[Callable[..., str]]:
    """`start_api(**env)` → base URL of a real `uvicorn --factory` process of the API on the
    test's settings (with `env` on top); stopped after the test."""
    from quest_devtools.testing.servers import uvicorn_processes

    with uvicorn_processes(
        "processing_service.main:create_app", name="processing-service", ready_s=60
    ) as start:
        yield lambda **env: start({**os.environ, **settings_env(settings), **env})
