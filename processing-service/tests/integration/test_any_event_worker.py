"""The worker counts game servers' events (`ingest.<type>`) beside sign-ins, with the real
PostgreSQL and RabbitMQ (catalog down: local quest copy)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlmodel import Session
from tests.processing_helpers import ingested_body, recorded_events

from processing_service.events.models import RecordedEvent
from processing_service.grants.models import Grant
from processing_service.progress.models import QuestProgress
from quest_common.events import ingest_envelope_id, ingest_type
from quest_devtools.testing.waiting import wait_for


def ingested(
    user: uuid.UUID, client_event_id: str, event_type: str, at: datetime, **data: Any
) -> tuple[str, bytes]:
    return ingest_type(event_type), ingested_body(user, event_type, at, client_event_id, **data)


def recorded(engine: Engine, user: uuid.UUID) -> list[RecordedEvent]:
    with Session(engine) as session:
        return recorded_events(session, user)


def progress_of(engine: Engine, user: uuid.UUID, quest: dict[str, Any]) -> QuestProgress | None:
    with Session(engine) as session:
        return session.execute(
            select(QuestProgress).where(
                QuestProgress.user_id == user,
                QuestProgress.quest_id == uuid.UUID(quest["quest_id"]),
            )
        ).scalar_one_or_none()


def test_a_sum_quest_chained_to_a_sign_in_quest_counts_ingested_events_once(
    engine: Engine, store_quests: Any, publish_raw: Any, run_worker: Any, sign_in: Any
) -> None:
    first_name = f"first-{uuid.uuid4().hex[:6]}"
    _first, spend = store_quests(
        sign_in.quest(name=first_name, streak=1, duplication=1),
        sign_in.quest(
            name=f"spend-{uuid.uuid4().hex[:6]}",
            event_type="purchase",
            trigger="event",
            streak=500,
            duplication=3,
            measure="sum",
            measure_property="gold",
            auto_claim=True,
            requires=[first_name],
        ),
    )
    user = uuid.uuid4()
    now = datetime.now(UTC) - timedelta(minutes=10)
    run_worker()
    # Before the prerequisite: recorded, locked.
    publish_raw([ingested(user, "p1", "purchase", now, gold=300)])
    wait_for(lambda: len(recorded(engine, user)) == 1)
    row = progress_of(engine, user, spend)
    assert row is None or row.streak == 0
    publish_raw(
        [
            sign_in.body(user, at=now + timedelta(minutes=1), time_zone="Asia/Tokyo"),
            ingested(user, "p2", "purchase", now + timedelta(minutes=2), gold=700.5),
            # The client's retry of p2: the same envelope id, counted once.
            ingested(user, "p2", "purchase", now + timedelta(minutes=2), gold=700.5),
        ]
    )
    wait_for(lambda: len(recorded(engine, user)) == 3)
    row = progress_of(engine, user, spend)
    assert row is not None
    assert (row.completed, row.claimed, row.streak) == (1, 1, 200.5)  # the excess carried
    events = recorded(engine, user)
    purchase = next(e for e in events if e.event_id == ingest_envelope_id("studio", "p2"))
    assert (purchase.type, purchase.event_type, purchase.data) == (
        "ingest.purchase",
        "purchase",
        {"gold": 700.5},
    )
    assert purchase.time_zone == "Asia/Tokyo"  # the player's latest zone
    with Session(engine) as session:
        paid = (
            session.execute(
                select(Grant.reason).where(
                    Grant.user_id == user, Grant.quest_id == uuid.UUID(spend["quest_id"])
                )
            )
            .scalars()
            .all()
        )
    assert list(paid) == ["quest_auto_claim"]
