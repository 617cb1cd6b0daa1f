import json
import logging
import threading
import time
import uuid

import pytest
from sqlmodel import Session

from quest_common.db import make_engine
from quest_common.events import make_event
from quest_common.outbox import OutboxEvent, OutboxRelay, enqueue
from quest_devtools.testing.plugin import amqp_target, bind_probe_queue, drain_queue


def outbox_engine(database_url_factory):
    engine = make_engine(database_url_factory("outbox"), pool_size=5)
    OutboxEvent.metadata.create_all(engine, tables=[OutboxEvent.__table__])
    return engine


def add_events(engine, count: int, routing_key: str) -> list[str]:
    ids = []
    with Session(engine) as session:
        for i in range(count):
            event = make_event(source="test", type="Thing", subject=str(i), data={"i": i})
            enqueue(session, event, routing_key=routing_key)
            ids.append(event.id)
        session.commit()
    return ids


def test_rolled_back_transaction_publishes_nothing(database_url_factory, amqp_url, broker_names):
    engine = outbox_engine(database_url_factory)
    with Session(engine) as session:
        enqueue(
            session, make_event(source="t", type="T", subject=None, data={}), routing_key="test.T"
        )
        session.rollback()
    relay = OutboxRelay(engine=engine, amqp_url=amqp_url, exchange=broker_names.exchange)
    assert relay.publish_pending() == 0


def test_relay_publishes_each_event_once_across_replicas(
    database_url_factory, amqp_url, broker_names
):
    engine = outbox_engine(database_url_factory)
    queue = broker_names.queue("probe")
    bind_probe_queue(amqp_url, exchange=broker_names.exchange, queue=queue, routing_key="test.#")
    ids = add_events(engine, 300, "test.Thing")
    relays = [
        OutboxRelay(
            engine=engine,
            amqp_url=amqp_url,
            exchange=broker_names.exchange,
            batch_size=25,
            name=f"relay-{n}",
        )
        for n in range(3)
    ]
    counts: list[int] = []

    def drain(relay: OutboxRelay) -> None:
        # A relay is single-threaded (one broker connection); replicas are separate relays.
        total = 0
        while published := relay.publish_pending():
            total += published
        counts.append(total)

    threads = [threading.Thread(target=drain, args=(r,)) for r in relays]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(counts) == 300
    bodies = drain_queue(amqp_url, queue, expect=300, wait_seconds=10)
    received = [json.loads(b)["id"] for b in bodies]
    assert sorted(received) == sorted(ids)
    assert relays[0].pending_count() == 0


def test_events_survive_a_broker_outage(database_url_factory, amqp_url, broker_names, tcp_proxy):
    engine = outbox_engine(database_url_factory)
    queue = broker_names.queue("probe")
    bind_probe_queue(amqp_url, exchange=broker_names.exchange, queue=queue, routing_key="test.#")
    proxy = tcp_proxy(*amqp_target(amqp_url))
    proxy.cut()
    relay = OutboxRelay(
        engine=engine,
        amqp_url=proxy.url_for(amqp_url),
        exchange=broker_names.exchange,
        poll_seconds=0.1,
        max_backoff_seconds=0.5,
    )
    relay.start()
    try:
        ids = add_events(engine, 20, "test.Thing")
        relay.wake()
        time.sleep(1.0)
        assert relay.pending_count() == 20  # nothing lost, nothing marked while down
        proxy.restore()
        bodies = drain_queue(amqp_url, queue, expect=20, wait_seconds=15)
    finally:
        relay.stop()
    assert sorted(json.loads(b)["id"] for b in bodies) == sorted(ids)


def test_unroutable_sign_ins_stay_pending_until_a_queue_is_bound(
    database_url_factory, amqp_url, broker_names
):
    engine = outbox_engine(database_url_factory)
    add_events(engine, 3, "auth.UserSignIn")
    relay = OutboxRelay(
        engine=engine, amqp_url=amqp_url, exchange=broker_names.exchange, require_route=True
    )
    try:
        relay.publish_pending()
        raise AssertionError("publishing with no bound queue must fail")
    except Exception as exc:
        assert "no queue is bound" in str(exc)
    assert relay.pending_count() == 3
    queue = broker_names.queue(f"late-{uuid.uuid4().hex[:4]}")
    bind_probe_queue(amqp_url, exchange=broker_names.exchange, queue=queue, routing_key="auth.#")
    assert relay.publish_pending() == 3
    assert len(drain_queue(amqp_url, queue, expect=3)) == 3


def test_an_optional_event_with_no_listener_does_not_hold_back_the_next(
    database_url_factory, amqp_url, broker_names
):
    """Access changes may have nobody listening (no other service up): published and done,
    while the sign-in queued behind it still reaches its queue."""
    engine = outbox_engine(database_url_factory)
    queue = broker_names.queue("sign-ins")
    bind_probe_queue(
        amqp_url, exchange=broker_names.exchange, queue=queue, routing_key="auth.UserSignIn"
    )
    add_events(engine, 1, "auth.UserAccessChanged")
    add_events(engine, 1, "auth.UserSignIn")
    relay = OutboxRelay(
        engine=engine,
        amqp_url=amqp_url,
        exchange=broker_names.exchange,
        require_route=lambda key: key != "auth.UserAccessChanged",
    )
    assert relay.publish_pending() == 2
    assert relay.pending_count() == 0
    assert len(drain_queue(amqp_url, queue, expect=1)) == 1


def test_published_rows_are_purged_after_retention(database_url_factory, amqp_url, broker_names):
    from datetime import timedelta

    engine = outbox_engine(database_url_factory)
    add_events(engine, 5, "test.Thing")
    relay = OutboxRelay(
        engine=engine,
        amqp_url=amqp_url,
        exchange=broker_names.exchange,
        require_route=False,
        retention=timedelta(0),
    )
    assert relay.publish_pending() == 5
    add_events(engine, 2, "test.Thing")  # still pending: never purged
    assert relay.purge_published() == 5
    assert relay.pending_count() == 2


def test_outbox_figures_count_unpublished_rows_and_age_the_oldest(database_url_factory):
    from datetime import timedelta

    from sqlalchemy import update

    from quest_common.db import utcnow
    from quest_common.outbox import outbox_figures

    engine = outbox_engine(database_url_factory)
    empty = outbox_figures(engine)
    assert (empty.backlog, empty.oldest_unsent_age_s) == (0, 0.0)
    ids = add_events(engine, 3, "test.Thing")
    now = utcnow()
    with Session(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(OutboxEvent)
            .where(OutboxEvent.id == uuid.UUID(ids[0]))
            .values(created_at=now - timedelta(seconds=90))
        )
        session.exec(  # type: ignore[call-overload]
            update(OutboxEvent).where(OutboxEvent.id == uuid.UUID(ids[1])).values(published_at=now)
        )
        session.commit()
    figures = outbox_figures(engine, now=now)
    assert figures.backlog == 2  # the published row is not counted
    assert figures.oldest_unsent_age_s == pytest.approx(90, abs=0.01)


def test_outbox_gauges_are_computed_at_scrape_time(database_url_factory):
    from prometheus_client import REGISTRY

    from quest_common.outbox import expose_outbox_metrics

    engine = outbox_engine(database_url_factory)
    expose_outbox_metrics(engine)
    assert REGISTRY.get_sample_value("outbox_backlog") == 0
    add_events(engine, 2, "test.Thing")
    assert REGISTRY.get_sample_value("outbox_backlog") == 2
    assert REGISTRY.get_sample_value("outbox_oldest_unsent_age_seconds") >= 0


def test_a_woken_relay_publishes_at_once_and_catches_commits_made_during_a_pass(
    database_url_factory, amqp_url, broker_names
):
    """With a poll interval far beyond the wait below, only the wake can deliver in time: an
    idle relay publishes a woken row at once, and a commit (and wake) that lands while a pass is
    publishing is published by the next pass, not left for the poll."""
    from quest_common.broker.publisher import ConfirmingPublisher

    engine = outbox_engine(database_url_factory)
    queue = broker_names.queue("probe")
    bind_probe_queue(amqp_url, exchange=broker_names.exchange, queue=queue, routing_key="test.#")
    during_pass: list[str] = []
    relay: OutboxRelay

    class CommitsDuringPublish(ConfirmingPublisher):
        def publish_body(self, body: bytes, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().publish_body(body, **kwargs)
            if not during_pass:  # once: a login committing while the relay publishes
                during_pass.extend(add_events(engine, 1, "test.Thing"))
                relay.wake()

    relay = OutboxRelay(
        engine=engine,
        amqp_url=amqp_url,
        exchange=broker_names.exchange,
        poll_seconds=60.0,
        publisher_factory=lambda: CommitsDuringPublish(amqp_url, broker_names.exchange),
    )
    relay.start()
    try:
        time.sleep(0.3)  # the first pass finds nothing; the relay now sleeps on its wake
        ids = add_events(engine, 1, "test.Thing")
        started = time.monotonic()
        relay.wake()
        bodies = drain_queue(amqp_url, queue, expect=2, wait_seconds=5)
        elapsed = time.monotonic() - started
    finally:
        relay.stop()
    assert sorted(json.loads(b)["id"] for b in bodies) == sorted(ids + during_pass)
    assert elapsed < 5


def test_an_idle_relay_keeps_its_connection_past_the_heartbeat(
    database_url_factory, amqp_url, broker_names, caplog
):
    """The first sign-in after a quiet spell is published at once on the open connection, not
    after a failed publish, error logs and a reconnection (the broker drops a connection whose
    heartbeats go unanswered for two intervals)."""
    from quest_common.broker.publisher import ConfirmingPublisher

    engine = outbox_engine(database_url_factory)
    queue = broker_names.queue("probe")
    bind_probe_queue(amqp_url, exchange=broker_names.exchange, queue=queue, routing_key="test.#")
    publishers: list[ConfirmingPublisher] = []

    def short_heartbeat() -> ConfirmingPublisher:
        publishers.append(ConfirmingPublisher(amqp_url, broker_names.exchange, heartbeat_s=2))
        return publishers[-1]

    relay = OutboxRelay(
        engine=engine,
        amqp_url=amqp_url,
        exchange=broker_names.exchange,
        poll_seconds=0.2,
        publisher_factory=short_heartbeat,
    )
    relay.start()
    try:
        first = add_events(engine, 1, "test.Thing")
        relay.wake()
        assert [json.loads(b)["id"] for b in drain_queue(amqp_url, queue, expect=1)] == first
        time.sleep(7)  # idle for three heartbeat intervals
        caplog.clear()
        after_idle = add_events(engine, 1, "test.Thing")
        relay.wake()
        bodies = drain_queue(amqp_url, queue, expect=1, wait_seconds=5)
    finally:
        relay.stop()
    assert [json.loads(b)["id"] for b in bodies] == after_idle
    assert [p.connections_opened for p in publishers] == [1]  # the same connection throughout
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_relay_moves_to_another_broker_node_and_publishes_each_event(
    database_url_factory, amqp_url, broker_names, tcp_proxy
):
    engine = outbox_engine(database_url_factory)
    queue = broker_names.queue("probe")
    bind_probe_queue(amqp_url, exchange=broker_names.exchange, queue=queue, routing_key="test.#")
    # Two proxies to the one broker stand for two nodes; the first is lost and stays lost.
    first, second = (tcp_proxy(*amqp_target(amqp_url)) for _ in range(2))
    relay = OutboxRelay(
        engine=engine,
        amqp_url=f"{first.url_for(amqp_url)},{second.url_for(amqp_url)}",
        exchange=broker_names.exchange,
        poll_seconds=0.1,
    )
    relay.start()
    try:
        add_events(engine, 5, "test.Thing")
        relay.wake()
        assert len(drain_queue(amqp_url, queue, expect=5, wait_seconds=10)) == 5
        first.cut()
        after = add_events(engine, 5, "test.Thing")
        relay.wake()
        bodies = drain_queue(amqp_url, queue, expect=5, wait_seconds=20)
    finally:
        relay.stop()
    assert sorted(json.loads(b)["id"] for b in bodies) == sorted(after)
    assert relay.pending_count() == 0


def test_a_busy_relay_publishes_the_commits_of_its_interval_in_one_pass(
    database_url_factory, amqp_url, broker_names
):
    """Paced while busy: the first row after a quiet spell gets a pass of its own, the rows
    committed (and woken for) during the interval that follows share the next one."""
    from quest_common.broker.publisher import ConfirmingPublisher

    engine = outbox_engine(database_url_factory)
    queue = broker_names.queue("probe")
    bind_probe_queue(amqp_url, exchange=broker_names.exchange, queue=queue, routing_key="test.#")
    sizes: list[int] = []
    first_published = threading.Event()

    class Recording(OutboxRelay):
        def publish_pending(self) -> int:
            published = super().publish_pending()
            if published:
                sizes.append(published)
                first_published.set()
            return published

    relay = Recording(
        engine=engine,
        amqp_url=amqp_url,
        exchange=broker_names.exchange,
        poll_seconds=60.0,
        busy_interval_seconds=2.0,
        publisher_factory=lambda: ConfirmingPublisher(amqp_url, broker_names.exchange),
    )
    relay.start()
    try:
        time.sleep(0.3)  # the first pass finds nothing; the relay now sleeps on its wake
        ids = add_events(engine, 1, "test.Thing")
        relay.wake()
        assert first_published.wait(10)
        for _ in range(5):  # a login each, each waking the relay, within its busy interval
            ids += add_events(engine, 1, "test.Thing")
            relay.wake()
        bodies = drain_queue(amqp_url, queue, expect=6, wait_seconds=10)
    finally:
        relay.stop()
    assert sorted(json.loads(b)["id"] for b in bodies) == sorted(ids)
    assert sizes == [1, 5]
    assert relay.passes == 2
