"""Exactly-once under a SIGKILL mid-way and with two workers: progress equals a pure replay."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session
from tests.processing_helpers import declare_events_queue

from processing_service.core.config import Settings
from processing_service.events.models import RecordedEvent
from processing_service.progress import rules
from processing_service.progress.models import QuestProgress
from processing_service.progress.rules import PlayerEvent, QuestRule
from processing_service.worker import SIGN_IN_KEYS
from quest_common.broker.connection import connect


def worker_process(settings: Settings) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": settings.database_url,
        "AMQP_URL": settings.amqp_url,
        "EVENTS_EXCHANGE": settings.events_exchange,
        "SIGN_IN_QUEUE": settings.sign_in_queue,
        "CATALOG_URL": settings.catalog_url,
        "AUTH_URL": settings.auth_url,
        "BATCH_SIZE": "50",
        "PREFETCH": "100",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "processing_service.worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_consumers(settings: Settings, expected: int, timeout: float = 30.0) -> None:
    """Until `expected` workers consume the queue (a SIGTERM before that would find no handler)."""
    connection = connect(settings.amqp_url, name="test-consumers")
    try:
        channel = connection.channel()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            declared = channel.queue_declare(settings.sign_in_queue, passive=True)
            if declared.method.consumer_count >= expected:
                return
            time.sleep(0.1)
    finally:
        connection.close()
    raise AssertionError(f"{expected} consumers not there in time")


def counted(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(RecordedEvent)).scalar_one())


def wait_count(engine: Engine, expected: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and counted(engine) < expected:
        time.sleep(0.1)
    assert counted(engine) == expected


def replay_matches(engine: Engine, quest: dict[str, Any]) -> int:
    """Compare every progress row with the pure rules replayed over the recorded events."""
    rule = QuestRule.from_catalog(quest)
    with Session(engine) as session:
        events = session.execute(
            select(RecordedEvent.user_id, RecordedEvent.type, RecordedEvent.occurred_at).order_by(
                RecordedEvent.seq
            )  # type: ignore[arg-type]
        ).all()
        rows = {r.user_id: r for r in session.execute(select(QuestProgress)).scalars()}
    per_user: dict[uuid.UUID, list[PlayerEvent]] = {}
    for user_id, type_, at in events:
        per_user.setdefault(user_id, []).append(
            PlayerEvent(time=at, type=rules.quest_event_type(type_))
        )
    for user_id, sign_ins in per_user.items():
        expected = rules.replay(rule, sign_ins)
        row = rows[user_id]
        assert (row.streak, row.completed, row.claimed) == (
            expected.streak,
            expected.completed,
            expected.claimed,
        )
    return len(per_user)


def events_for(sign_in: Any, players: list[uuid.UUID], per_player: int) -> list[Any]:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        sign_in.body(user, at=start + timedelta(minutes=i))
        for i in range(per_player)
        for user in players
    ]


def prepare(
    settings: Settings,
    store_quests: Any,
    sign_in: Any,
    *,
    quest: dict[str, int],
    sizes: tuple[int, int],
) -> tuple[dict[str, Any], list[Any]]:
    """A stored quest, `sizes` = (players, sign-ins each) of messages, and the declared queue."""
    [stored] = store_quests(sign_in.quest(**quest))
    players, per_player = sizes
    messages = events_for(sign_in, [uuid.uuid4() for _ in range(players)], per_player)
    declare_events_queue(settings, SIGN_IN_KEYS)
    return stored, messages


def test_sigkill_mid_way_then_restart_counts_everything_once(
    engine: Engine, settings: Settings, store_quests: Any, publish_raw: Any, sign_in: Any
) -> None:
    quest, messages = prepare(
        settings, store_quests, sign_in, quest={"streak": 3, "duplication": 3}, sizes=(100, 10)
    )
    first = worker_process(settings)
    try:
        publish_raw(messages)
        deadline = time.monotonic() + 60
        while counted(engine) < 200 and time.monotonic() < deadline:
            time.sleep(0.02)
        first.send_signal(signal.SIGKILL)  # mid-way: unacked deliveries come back
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert counted(engine) < len(messages)
    second = worker_process(settings)
    try:
        wait_consumers(settings, 1)
        wait_count(engine, len(messages))
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(20) == 0  # graceful exit
    assert replay_matches(engine, quest) == 100


def test_two_workers_at_once_give_the_replayed_result(
    engine: Engine, settings: Settings, store_quests: Any, publish_raw: Any, sign_in: Any
) -> None:
    quest, messages = prepare(
        settings, store_quests, sign_in, quest={"streak": 4, "duplication": 2}, sizes=(50, 12)
    )
    workers = [worker_process(settings), worker_process(settings)]
    try:
        wait_consumers(settings, 2)
        publish_raw(messages + messages[:100])  # and some duplicates on top
        wait_count(engine, len(messages))
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            assert worker.wait(20) == 0
    assert replay_matches(engine, quest) == 50


def queued(settings: Settings) -> int:
    connection = connect(settings.amqp_url, name="test-queued")
    try:
        declared = connection.channel().queue_declare(settings.sign_in_queue, passive=True)
        return int(declared.method.message_count)
    finally:
        connection.close()


def test_sigterm_finishes_and_acks_the_work_in_flight(
    engine: Engine, settings: Settings, store_quests: Any, publish_raw: Any, sign_in: Any
) -> None:
    quest, messages = prepare(
        settings, store_quests, sign_in, quest={"streak": 3, "duplication": 3}, sizes=(100, 30)
    )
    publish_raw(messages)
    worker = worker_process(settings)
    try:
        wait_consumers(settings, 1)
        deadline = time.monotonic() + 60
        while counted(engine) == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        worker.send_signal(signal.SIGTERM)  # mid-stream: batches in flight and prefetched
        assert worker.wait(30) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    done = counted(engine)
    assert 0 < done < len(messages)
    # Every committed event was acked (else it would be back in the queue on top), and nothing
    # was acked without its commit (else it would be missing from both).
    assert queued(settings) == len(messages) - done
    assert replay_matches(engine, quest) <= 100
