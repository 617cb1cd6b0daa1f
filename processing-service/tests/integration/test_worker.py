"""The worker with the real PostgreSQL and RabbitMQ (catalog down: local quest copy)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from processing_service.notifications.models import Notification
from processing_service.progress.models import QuestProgress, SignInEvent
from sqlalchemy import Engine, func, select
from sqlmodel import Session


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def count_events(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(SignInEvent)).scalar_one())


def progress(engine: Engine, user_id: uuid.UUID, quest_id: str) -> QuestProgress | None:
    with Session(engine) as session:
        return session.get(QuestProgress, _progress_id(session, user_id, quest_id))


def _progress_id(session: Session, user_id: uuid.UUID, quest_id: str) -> Any:
    return session.execute(
        select(QuestProgress.id).where(
            QuestProgress.user_id == user_id, QuestProgress.quest_id == uuid.UUID(quest_id)
        )
    ).scalar()


def test_three_sign_ins_make_the_reference_quest_claimable(
    engine: Engine, store_quests: Any, publish_raw: Any, run_worker: Any, sign_in: Any
) -> None:
    [quest] = store_quests(sign_in.quest())
    user = uuid.uuid4()
    run_worker()
    publish_raw([sign_in.body(user) for _ in range(3)])
    wait_until(lambda: count_events(engine) == 3)
    row = progress(engine, user, quest["quest_id"])
    assert row is not None
    assert (row.streak, row.completed, row.claimed) == (0, 1, 0)
    with Session(engine) as session:
        events = (
            session.execute(
                select(Notification.event)
                .where(Notification.user_id == user)
                .order_by(Notification.seq)
            )
            .scalars()
            .all()
        )
    assert events == ["check_in", "check_in", "check_in", "quest_completed"]
