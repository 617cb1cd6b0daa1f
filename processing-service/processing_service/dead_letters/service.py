"""Dead letters: moved from the DLQ into a table admins can read, and replayed to the work queue."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pika
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from processing_service.dead_letters.models import DeadLetter
from quest_common.broker.connection import connect
from quest_common.broker.topology import queue_names
from quest_common.db import utcnow


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def collect(*, engine: Engine, amqp_url: str, queue: str, limit: int = 1000) -> int:
    """Move what sits in the DLQ into the table; each message is acked only after its commit."""
    dlq = queue_names(queue).dlq
    moved = 0
    connection = connect(amqp_url, name="dead-letter-collector")
    try:
        channel = connection.channel()
        channel.queue_declare(dlq, durable=True, arguments={"x-queue-type": "quorum"})
        with Session(engine) as session:
            while moved < limit:
                method, props, body = channel.basic_get(dlq, auto_ack=False)
                if method is None:
                    break
                headers = _jsonable(dict(props.headers or {}))
                deaths = headers.get("x-death") or [{}]
                death = deaths[0] if isinstance(deaths, list) and deaths else {}
                routing_keys = death.get("routing-keys") or [method.routing_key]
                session.add(
                    DeadLetter(
                        queue=str(death.get("queue", queue))[:255],
                        routing_key=str(routing_keys[0])[:255],
                        message_id=(props.message_id or None),
                        reason=str(death.get("reason", "rejected"))[:255],
                        delivery_count=int(headers.get("x-delivery-count", 0) or 0),
                        body=body.decode("utf-8", "replace"),
                        headers=json.loads(json.dumps(headers, default=str)),
                    )
                )
                session.commit()
                channel.basic_ack(method.delivery_tag)
                moved += 1
    finally:
        connection.close()
    return moved


def list_dead_letters(*, engine: Engine, limit: int, offset: int) -> tuple[list[DeadLetter], int]:
    with Session(engine) as session:
        count = session.execute(select(func.count()).select_from(DeadLetter)).scalar_one()
        rows = (
            session.execute(
                select(DeadLetter)
                .order_by(DeadLetter.received_at.desc())  # type: ignore[attr-defined]
                .limit(limit)
                .offset(offset)
            )
            .scalars()
            .all()
        )
    return list(rows), int(count)


def replay(*, engine: Engine, amqp_url: str, queue: str, dead_letter_id: uuid.UUID) -> DeadLetter:
    """Publish the stored body to the work queue again (with a confirm), then mark it replayed."""
    with Session(engine) as session:
        row = session.get(DeadLetter, dead_letter_id, with_for_update=True)
        if row is None:
            raise LookupError(dead_letter_id)
        connection = connect(amqp_url, name="dead-letter-replay")
        try:
            channel = connection.channel()
            channel.confirm_delivery()
            channel.basic_publish(
                exchange="",
                routing_key=queue,
                body=row.body.encode(),
                properties=pika.BasicProperties(
                    delivery_mode=pika.DeliveryMode.Persistent,
                    content_type="application/cloudevents+json",
                    message_id=row.message_id,
                ),
                mandatory=True,
            )
        finally:
            connection.close()
        row.replayed_at = utcnow()
        session.add(row)
        session.commit()
        session.refresh(row)
        return row
