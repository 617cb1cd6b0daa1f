"""Known players on PostgreSQL and the broker: the worker consumes `auth.UserCreated` beside the
sign-ins and deletions, keeps each player's newest zone, and forgets a deleted player."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from sqlalchemy import Engine, text

import processing_service
from processing_service.core.config import Settings
from processing_service.players.models import PlayerSeen
from processing_service.unit_of_work import UnitOfWork
from quest_common.db import make_engine
from quest_common.events import USER_CREATED_KEY, make_event, routing_key
from quest_common.migrations import alembic_config, service_root
from quest_devtools.testing.databases import scalar
from quest_devtools.testing.plugin import declare_queue
from quest_devtools.testing.waiting import wait_for

T0 = datetime(2026, 3, 2, 12, tzinfo=UTC)


def user_created(user: uuid.UUID, zone: str) -> tuple[str, bytes]:
    event = make_event(
        source="auth-service",
        type="UserCreated",
        subject=str(user),
        data={"user_id": str(user), "user_name": "p", "time_zone": zone},
    )
    return routing_key("auth", "UserCreated"), event.to_json()


def user_deleted(user: uuid.UUID) -> tuple[str, bytes]:
    event = make_event(
        source="auth-service",
        type="UserDeleted",
        subject=str(user),
        data={"user_id": str(user), "deleted_at": datetime.now(UTC).isoformat()},
    )
    return routing_key("auth", "UserDeleted"), event.to_json()


def zone(engine: Engine, user: uuid.UUID) -> str | None:
    with UnitOfWork(engine=engine, read_only=True) as uow:
        return uow.players.zone_of(user)


def test_an_older_event_never_replaces_a_newer_zone(engine: Engine) -> None:
    user, other = uuid.uuid4(), uuid.uuid4()
    with UnitOfWork(engine=engine) as uow:
        # One batch naming a player twice (one upsert cannot touch a row twice).
        uow.players.note(
            [
                PlayerSeen(user_id=user, time_zone="Asia/Tokyo", at=T0 + timedelta(hours=1)),
                PlayerSeen(user_id=user, time_zone="Europe/Paris", at=T0),
                PlayerSeen(user_id=other, time_zone="UTC", at=T0),
            ]
        )
        uow.commit()
    with UnitOfWork(engine=engine) as uow:
        uow.players.note([PlayerSeen(user_id=user, time_zone="America/Lima", at=T0)])
        uow.commit()
    assert zone(engine, user) == "Asia/Tokyo"
    with UnitOfWork(engine=engine) as uow:
        uow.players.note(
            [PlayerSeen(user_id=user, time_zone="America/Lima", at=T0 + timedelta(days=1))]
        )
        assert uow.players.known_among([str(user), str(uuid.uuid4())]) == {str(user)}
        uow.commit()
    assert zone(engine, user) == "America/Lima"


def test_the_worker_keeps_the_known_players(
    engine: Engine,
    settings: Settings,
    publish_raw: Any,
    run_worker: Any,
    sign_in: Any,
    add_quest: Any,
    amqp_url: str,
) -> None:
    add_quest(streak=3)  # the sign-ins need quests to count on (catalog is not running)
    user, other, late = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # Auth's relay declares the queue as well (before processing ever ran): the announcements
    # wait there, and the worker's own declaration must agree with it.
    declare_queue(
        amqp_url,
        queue=settings.user_created_queue,
        exchange=settings.events_exchange,
        routing_keys=[USER_CREATED_KEY],
    )
    publish_raw([user_created(user, "Asia/Tokyo"), user_created(other, "Europe/Paris")])
    run_worker(settings)
    wait_for(lambda: zone(engine, user) == "Asia/Tokyo" and zone(engine, other) is not None)

    # A sign-in (newer than the announcement) moves the player's zone; one never announced
    # (signed up before the announcements) becomes known by signing in.
    publish_raw([sign_in.body(user, time_zone="America/Lima"), sign_in.body(late, time_zone="UTC")])
    wait_for(lambda: zone(engine, user) == "America/Lima" and zone(engine, late) == "UTC")

    publish_raw([user_deleted(other)])
    wait_for(lambda: zone(engine, other) is None)
    # Announced again after the deletion (a redelivery): the tombstone keeps them out. A marker
    # announced after it shows the worker has gone past it.
    marker = uuid.uuid4()
    publish_raw([user_created(other, "Europe/Paris"), user_created(marker, "UTC")])
    wait_for(lambda: zone(engine, marker) == "UTC")
    assert zone(engine, other) is None
    assert scalar(engine, "SELECT count(*) FROM player") == 3


def test_the_migration_knows_every_player_already_seen_signing_in(
    database_url_factory: Any,
) -> None:
    url = database_url_factory("processing")
    config = alembic_config(service_root(processing_service.__file__), url)
    command.upgrade(config, "p0106_grant_badge")
    user = uuid.uuid4()
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            for at, where in ((T0, "Europe/Paris"), (T0 + timedelta(days=1), "Asia/Tokyo")):
                connection.execute(
                    text(
                        "INSERT INTO sign_in_event (event_id, user_id, user_name, type, source,"
                        " time_zone, occurred_at, recorded_at) VALUES (:id, :u, 'p',"
                        " 'UserSignIn', 'auth-service', :z, :at, now())"
                    ),
                    {"id": str(uuid.uuid4()), "u": user, "z": where, "at": at},
                )
    finally:
        engine.dispose()
    command.upgrade(config, "head")
    assert scalar(url, "SELECT time_zone FROM player WHERE user_id = :u", u=user) == "Asia/Tokyo"
    assert scalar(url, "SELECT count(*) FROM player") == 1
