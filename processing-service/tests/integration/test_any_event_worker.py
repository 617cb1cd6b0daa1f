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
from processing_service.progress.rules import PlayerEvent, QuestRule
from processing_service.simulation import replay
from processing_service.simulation import service as simulations
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


def test_a_simulation_of_a_draft_sum_quest_folds_the_recorded_events_of_its_type(
    engine: Engine, consume: Any, sign_in: Any
) -> None:
    event_type = f"loot_{uuid.uuid4().hex[:8]}"
    start = datetime(2026, 3, 1, tzinfo=UTC)
    players = [uuid.uuid4() for _ in range(3)]
    amounts = {players[0]: [40, 70, 10], players[1]: [200], players[2]: [5]}
    consume(
        [
            PlayerEvent(
                time=start + timedelta(minutes=i),
                type=event_type,
                data={"gold": gold, "map": "desert" if gold != 10 else "city"},
                event_id=f"{user}-{i}",
                user_id=user,
                envelope_type=ingest_type(event_type),
            )
            for user, golds in amounts.items()
            for i, gold in enumerate(golds)
        ],
        [],
    )
    draft = QuestRule.from_catalog(
        sign_in.quest(
            event_type=event_type,
            trigger="event",
            streak=100,
            duplication=5,
            measure="sum",
            measure_property="gold",
            where=[{"property": "map", "op": "eq", "value": "desert"}],
        )
    )
    tally = simulations.stream_and_fold(
        engine=engine, rule=draft, since=start, until=None, per_player=True
    )
    result = replay.finish(tally)
    # 40 + 70 in the desert (the 10 was in the city): one completion; 200: two; 5: none.
    assert tally.per_player == {str(players[0]): 1, str(players[1]): 2, str(players[2]): 0}
    assert result["events_replayed"] == 5
