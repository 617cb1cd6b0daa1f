"""The PostgreSQL unit of work: notifications stored in the transaction and published only after
its commit, nothing kept or told without a commit, and a read-only one that cannot write."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError

from processing_service.notifications.models import Notification, NotificationRecord
from processing_service.unit_of_work import UnitOfWork


def stored(engine: Engine, user: uuid.UUID) -> int:
    with UnitOfWork(engine=engine, read_only=True) as reads:
        return int(
            reads.session.execute(
                select(func.count())
                .select_from(NotificationRecord)
                .where(NotificationRecord.user_id == user)  # type: ignore[arg-type]
            ).scalar_one()
        )


def test_notifications_are_stored_then_published_after_the_commit(engine: Engine) -> None:
    user = uuid.uuid4()
    published: list[list[Notification]] = []
    seen_at_publish: list[int] = []

    def publish(notes: list[Notification]) -> None:
        seen_at_publish.append(stored(engine, user))  # committed by then, from elsewhere
        published.append(notes)

    with UnitOfWork(engine=engine, publish=publish) as uow:
        uow.notify([Notification(str(user), "check_in", {"streak": 1})])
        uow.notify([Notification(str(user), "check_in", {"streak": 2})])
        assert published == []
        uow.commit()
    [notes] = published
    assert [n.data["streak"] for n in notes] == [1, 2]
    assert notes[0].seq > 0 and notes[1].seq > notes[0].seq
    assert seen_at_publish == [2]
    assert uow.stored == notes


def test_without_a_commit_nothing_is_stored_or_published(engine: Engine) -> None:
    user = uuid.uuid4()
    published: list[list[Notification]] = []
    with pytest.raises(RuntimeError), UnitOfWork(engine=engine, publish=published.append) as uow:
        uow.notify([Notification(str(user), "check_in", {"streak": 1})])
        raise RuntimeError("the batch failed")
    with UnitOfWork(engine=engine, publish=published.append) as uow:
        uow.notify([Notification(str(user), "check_in", {"streak": 1})])  # never committed
    assert published == []
    assert stored(engine, user) == 0


def test_a_read_only_unit_of_work_refuses_any_write(engine: Engine) -> None:
    user = uuid.uuid4()
    with (
        pytest.raises(DBAPIError, match="read-only"),
        UnitOfWork(engine=engine, read_only=True) as reads,
    ):
        reads.notifications.store([Notification(str(user), "check_in", {})])
    assert stored(engine, user) == 0
