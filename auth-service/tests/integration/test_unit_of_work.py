"""Auth's unit of work on PostgreSQL: rollback on exit, the relay woken only after a commit, and
what a service returned still readable once the unit of work has ended."""

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from auth_service.core.db import build_engine
from auth_service.core.uow import AuthUnitOfWork
from auth_service.users.service import create_user
from quest_common.events import make_event
from quest_common.outbox import OutboxEvent, OutboxRelay

ROUTING_KEY = "auth.UnitOfWorkProbe"


class CountingRelay(OutboxRelay):
    """A real relay (never started) that counts its wake-ups."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine=engine, amqp_url="amqp://unused", exchange="unused")
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1
        super().wake()


@pytest.fixture
def engine(auth_db_url: str) -> Iterator[Engine]:
    engine = build_engine(auth_db_url)
    yield engine
    engine.dispose()


def _stored(engine: Engine, event_id: str) -> bool:
    with Session(engine) as session:
        found = session.exec(select(OutboxEvent).where(OutboxEvent.id == uuid.UUID(event_id)))
        return found.first() is not None


def test_an_event_left_uncommitted_is_rolled_back_and_wakes_nothing(engine: Engine) -> None:
    relay = CountingRelay(engine)
    event = make_event(source="auth-service", type="UnitOfWorkProbe", subject=None, data={})
    with AuthUnitOfWork(engine, relay=relay) as uow:
        uow.publish(event, routing_key=ROUTING_KEY)
    assert not _stored(engine, event.id)
    assert relay.wakes == 0


def test_a_published_event_wakes_the_relay_once_it_is_committed(engine: Engine) -> None:
    relay = CountingRelay(engine)
    event = make_event(source="auth-service", type="UnitOfWorkProbe", subject=None, data={})
    with AuthUnitOfWork(engine, relay=relay) as uow:
        uow.publish(event, routing_key=ROUTING_KEY)
        assert relay.wakes == 0  # not before the commit: the relay would find nothing
        uow.commit()
        assert relay.wakes == 1
    assert _stored(engine, event.id)


def test_an_explicit_rollback_drops_the_wake_up_with_the_event(engine: Engine) -> None:
    relay = CountingRelay(engine)
    event = make_event(source="auth-service", type="UnitOfWorkProbe", subject=None, data={})
    with AuthUnitOfWork(engine, relay=relay) as uow:
        uow.publish(event, routing_key=ROUTING_KEY)
        uow.rollback()
        uow.commit()  # nothing left to commit, nothing to announce
    assert not _stored(engine, event.id)
    assert relay.wakes == 0


def test_what_a_service_returned_is_readable_after_the_unit_of_work_ends(engine: Engine) -> None:
    """`create_user` commits, then reloads the row (a new transaction): leaving the unit of work
    must not expire it, or its caller could no longer read the user it was given."""
    name = f"uow_{uuid.uuid4().hex[:10]}"
    with AuthUnitOfWork(engine) as uow:
        user = create_user(uow=uow, user_name=name, password="password-123")
    assert user.user_name == name
    assert isinstance(user.user_id, uuid.UUID)
