"""Dead letters: moved from the DLQ into a table admins can read, and replayed to the work queue."""

from __future__ import annotations

import base64
import logging
import uuid
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import pika
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from processing_service.dead_letters.models import DeadLetter
from quest_common.audit import SYSTEM, Actor, record
from quest_common.broker.topology import queue_names
from quest_common.db import utcnow
from quest_common.refusals import ClientError

if TYPE_CHECKING:
    from processing_service.core.broker import BrokerClient
    from processing_service.unit_of_work import SqlUnitOfWorkFactory

log = logging.getLogger(__name__)


# Set in `headers` when the body could not be stored as it is: the original bytes, for replay.
ORIGINAL_BODY = "x-quest-original-body-base64"


class DeadLetterNotFoundError(
    ClientError, LookupError, status=HTTPStatus.NOT_FOUND, detail="Dead letter not found"
):
    pass


def _text(value: str) -> str:
    # PostgreSQL text and jsonb refuse NUL characters: stored escaped, visibly.
    return value.replace("\x00", "\\x00")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {_text(str(k)): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):
        return _text(value.decode("utf-8", "backslashreplace"))
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bool | int | float) or value is None:
        return value
    return _text(str(value))


def storable_body(body: bytes) -> tuple[str, str | None]:
    """(text to show, base64 of the original or None when the text is the body as it is)."""
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        decoded = None
    if decoded is not None and "\x00" not in decoded:
        return decoded, None
    shown = _text(body.decode("utf-8", "backslashreplace"))
    return shown, base64.b64encode(body).decode("ascii")


def collect(
    *, uow_factory: SqlUnitOfWorkFactory, broker: BrokerClient, queue: str, limit: int = 1000
) -> int:
    """Move what sits in the DLQ into the table; each message is acked only after its commit."""
    dlq = queue_names(queue).dlq

    def move(channel: Any) -> int:
        channel.queue_declare(dlq, durable=True, arguments={"x-queue-type": "quorum"})
        moved = 0
        while moved < limit:
            method, props, body = channel.basic_get(dlq, auto_ack=False)
            if method is None:
                break
            _store(uow_factory, queue, method, props, body)
            channel.basic_ack(method.delivery_tag)
            moved += 1
        return moved

    return broker.run(move)


def _store(
    uow_factory: SqlUnitOfWorkFactory, queue: str, method: Any, props: Any, body: bytes
) -> None:
    """One dead letter in its own transaction."""
    try:
        with uow_factory() as uow:
            uow.session.add(_dead_letter(queue, method, props, body))
            uow.commit()
    except (SQLAlchemyError, ValueError, TypeError) as exc:
        # Whatever in it could not be stored: keep the bytes (base64) and say why, rather than
        # leave it at the head of the DLQ blocking the others.
        log.warning("dead letter stored as raw bytes: %s", exc)
        with uow_factory() as uow:
            uow.session.add(_raw_dead_letter(queue, body, str(exc)))
            uow.commit()


def _dead_letter(queue: str, method: Any, props: Any, body: bytes) -> DeadLetter:
    try:
        headers = _jsonable(dict(props.headers or {}))
    except Exception:  # headers pika decoded but we cannot walk: keep them as text
        headers = {"unreadable": _text(repr(props.headers))[:2000]}
    deaths = headers.get("x-death") or [{}]
    death = deaths[0] if isinstance(deaths, list) and deaths and isinstance(deaths[0], dict) else {}
    routing_keys = death.get("routing-keys") or [method.routing_key]
    shown, original = storable_body(body)
    if original is not None:
        headers[ORIGINAL_BODY] = original
    return DeadLetter(
        queue=_text(str(death.get("queue", queue)))[:255],
        routing_key=_text(str(routing_keys[0]))[:255],
        message_id=_text(str(props.message_id))[:255] if props.message_id else None,
        reason=_text(str(death.get("reason", "rejected")))[:255],
        delivery_count=int(headers.get("x-delivery-count", 0) or 0),
        body=shown,
        headers=headers,
    )


def _raw_dead_letter(queue: str, body: bytes, error: str) -> DeadLetter:
    return DeadLetter(
        queue=queue[:255],
        reason="unstorable",
        body=_text(body.decode("utf-8", "backslashreplace")),
        headers={ORIGINAL_BODY: base64.b64encode(body).decode("ascii"), "error": _text(error)},
    )


def list_dead_letters(*, session: Session, limit: int, offset: int) -> tuple[list[DeadLetter], int]:
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


def requeue(
    *,
    uow_factory: SqlUnitOfWorkFactory,
    broker: BrokerClient,
    queue: str,
    dead_letter_id: uuid.UUID,
    actor: Actor = SYSTEM,
) -> DeadLetter:
    """Publish the stored body to the work queue again (with a confirm), then mark it replayed;
    the audit entry is written in that same transaction."""
    with uow_factory() as uow:
        session = uow.session
        row = session.get(DeadLetter, dead_letter_id, with_for_update=True)
        if row is None:
            raise DeadLetterNotFoundError(dead_letter_id)
        body = _original(row)
        broker.run(
            lambda channel: channel.basic_publish(
                exchange="",
                routing_key=queue,
                body=body,
                properties=pika.BasicProperties(
                    delivery_mode=pika.DeliveryMode.Persistent,
                    content_type="application/cloudevents+json",
                    message_id=row.message_id,
                ),
                mandatory=True,
            ),
            confirm=True,
        )
        before = {"replayed_at": row.replayed_at, "message_id": row.message_id}
        row.replayed_at = utcnow()
        session.add(row)
        record(
            session,
            actor=actor,
            action="dead_letter.replay",
            target_id=row.id,
            before=before,
            after={"replayed_at": row.replayed_at, "message_id": row.message_id},
        )
        uow.commit()
        return row


def _original(row: DeadLetter) -> bytes:
    encoded = row.headers.get(ORIGINAL_BODY)
    return base64.b64decode(encoded) if isinstance(encoded, str) else row.body.encode()
