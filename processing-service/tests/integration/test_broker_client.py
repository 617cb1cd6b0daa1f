"""The process's one broker client for short operations: the operations figures reuse one
connection (not one per `/admin/ops` call or scrape), and a lost connection is replaced."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from processing_service.core.broker import BrokerClient
from processing_service.core.config import Settings
from processing_service.ops.service import figures
from quest_common.broker.topology import declare_work_queue


@pytest.fixture
def broker(settings: Settings) -> Iterator[BrokerClient]:
    client = BrokerClient(settings.amqp_url, name="test-operations")
    client.run(
        lambda channel: declare_work_queue(
            channel,
            queue=settings.sign_in_queue,
            exchange=settings.events_exchange,
            routing_keys=[],
        )
    )
    yield client
    client.close()


def test_the_figures_reuse_one_connection(
    broker: BrokerClient, engine: Engine, settings: Settings
) -> None:
    for _ in range(5):
        ops = figures(engine=engine, broker=broker, queue=settings.sign_in_queue)
        assert (ops.sign_in_queue.depth, ops.sign_in_queue.consumers) == (0, 0)
    assert broker.opened == 1


def test_a_connection_lost_under_the_client_is_replaced(
    broker: BrokerClient, settings: Settings
) -> None:
    broker.run(lambda channel: channel.connection.close())  # the broker went away meanwhile
    ok = broker.run(lambda channel: channel.queue_declare(settings.sign_in_queue, passive=True))
    assert ok.method.message_count == 0
    assert broker.opened == 2


def test_an_unknown_queue_reads_as_unknown_figures(
    broker: BrokerClient, engine: Engine, settings: Settings
) -> None:
    ops = figures(engine=engine, broker=broker, queue=f"{settings.sign_in_queue}.missing")
    assert (ops.sign_in_queue.depth, ops.sign_in_queue.consumers) == (-1, -1)
    # The refused passive declare closed a channel, not the client: the next figures work.
    ops = figures(engine=engine, broker=broker, queue=settings.sign_in_queue)
    assert ops.sign_in_queue.depth == 0
