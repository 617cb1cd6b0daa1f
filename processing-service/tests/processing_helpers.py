"""Plain helpers the processing tests share (fixtures are in conftest.py): the worker's queue
declared ahead of it, a game server's ingested envelope, a player's recorded events."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from processing_service.core.config import Settings
from processing_service.events.models import RecordedEvent
from quest_common.events import ingest_envelope_id, ingest_type, make_event
from quest_devtools.testing.plugin import declare_queue


def declare_events_queue(settings: Settings, routing_keys: Iterable[str]) -> str:
    """Declare the worker's queue as the worker and the publishers declare it, so nothing
    published before a worker connects is lost (and a test can see it stay empty); its name."""
    declare_queue(
        settings.amqp_url,
        queue=settings.sign_in_queue,
        exchange=settings.events_exchange,
        routing_keys=routing_keys,
        delivery_limit=settings.delivery_limit,
        retry_delay_ms=settings.retry_delay_ms,
    )
    return settings.sign_in_queue


def ingested_body(
    user: uuid.UUID, event_type: str, at: datetime, client_event_id: str | None = None, **data: Any
) -> bytes:
    """The envelope the ingestion API publishes for a game server's ("studio") event."""
    client_event_id = client_event_id or f"c-{uuid.uuid4().hex[:8]}"
    return make_event(
        source="client:studio",
        type=ingest_type(event_type),
        subject=str(user),
        data={"user_id": str(user), "client_event_id": client_event_id, "data": data},
        time=at,
        event_id=ingest_envelope_id("studio", client_event_id),
    ).to_json()


def recorded_events(session: Session, user: uuid.UUID) -> list[RecordedEvent]:
    """The player's recorded events, in the order they were recorded."""
    statement = select(RecordedEvent).where(RecordedEvent.user_id == user)
    return list(session.execute(statement.order_by(RecordedEvent.seq)).scalars().all())
