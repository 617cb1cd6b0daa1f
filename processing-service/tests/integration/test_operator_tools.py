"""Operator tools with the real PostgreSQL and RabbitMQ: simulations (dry runs that write
nothing and equal the worker), traces, operations figures, export, deletions, and the audit of
every admin write."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlmodel import Session

from processing_service.core.config import Settings
from processing_service.dead_letters.models import DeadLetter
from processing_service.deletions.models import UserTombstone
from processing_service.events.models import RecordedEvent
from processing_service.grants.models import Grant
from processing_service.incidents import service as incidents
from processing_service.main import create_app
from processing_service.players.models import PlayerSeen
from processing_service.progress.models import QuestProgress
from processing_service.progress.rules import QuestRule
from processing_service.simulation import replay
from processing_service.simulation import service as simulations
from processing_service.unit_of_work import UnitOfWork
from quest_common.audit import Actor
from quest_common.broker.connection import connect
from quest_common.broker.topology import declare_work_queue
from quest_common.db import utcnow
from quest_common.events import make_event, routing_key
from quest_devtools.testing.admin_routes import admin_write_routes
from quest_devtools.testing.databases import scalar
from quest_devtools.testing.plugin import declare_queue
from quest_devtools.testing.tokens import TestKeys
from quest_devtools.testing.waiting import wait_for

PREFIX = "/api/processing"
# The tables a simulation may write: its own job row and the audit entry of starting it.
SIMULATION_OWN = {"simulation", "audit_entry", "alembic_version"}


@pytest.fixture
def deletion_settings(settings: Settings) -> Settings:
    return settings


@pytest.fixture
def client(deletion_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(deletion_settings)) as client:
        yield client


@pytest.fixture
def admin(test_keys: TestKeys) -> dict[str, str]:
    return test_keys.headers(sub=str(uuid.uuid4()), role="admin")


def player(test_keys: TestKeys, user_id: uuid.UUID) -> dict[str, str]:
    return test_keys.headers(sub=str(user_id))


def table_counts(engine: Engine) -> dict[str, int]:
    """Rows in every table of the processing database (read from the database itself, so a
    model imported by another package's tests never counts)."""
    with engine.connect() as connection:
        names = connection.execute(
            text(
                "SELECT table_name FROM information_schema.tables"
                " WHERE table_schema = 'public' AND table_name <> 'alembic_version'"
            )
        ).scalars()
        return {
            name: int(connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())  # noqa: S608
            for name in names
            if name not in SIMULATION_OWN
        }


def table_contents(engine: Engine) -> dict[str, str]:
    """A checksum of every row of every table a simulation must leave alone: an update that
    keeps the row count (progress moved, a grant re-timed) changes it as surely as an insert."""
    with engine.connect() as connection:
        names = connection.execute(
            text("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
        ).scalars()
        return {
            name: str(
                connection.execute(
                    text(
                        f"SELECT count(*) || ':' || md5(coalesce("  # noqa: S608
                        f"string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{name}\" t"
                    )
                ).scalar_one()
            )
            for name in names
            if name not in SIMULATION_OWN
        }


def add_events(engine: Engine, rows: list[tuple[uuid.UUID, datetime]]) -> list[str]:
    ids = []
    with Session(engine) as session:
        for user_id, at in rows:
            event_id = str(uuid.uuid4())
            ids.append(event_id)
            session.add(
                RecordedEvent(event_id=event_id, user_id=user_id, type="UserSignIn", occurred_at=at)
            )
            session.flush()
        session.commit()
    return ids


def simulate(client: TestClient, admin: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{PREFIX}/admin/simulations", json=body, headers=admin)
    assert response.status_code == 202, response.text
    url = f"{PREFIX}/admin/simulations/{response.json()['simulation_id']}"
    result: dict[str, Any] = {}

    def done() -> bool:
        result.update(client.get(url, headers=admin).json())
        return result["state"] != "running"

    wait_for(done, timeout=30)
    assert result["state"] == "done", result
    return result


def draft(quest: dict[str, Any]) -> dict[str, Any]:
    keys = ("name", "title", "streak", "duplication", "auto_claim", "streak_mode")
    return {**{k: quest[k] for k in keys}, "reward": quest["reward"]}


# --- simulations ---------------------------------------------------------------------------


def test_a_simulation_equals_the_worker_and_writes_nothing(
    engine: Engine,
    client: TestClient,
    admin: dict[str, str],
    store_quests: Any,
    publish_raw: Any,
    run_worker: Any,
    sign_in: Any,
) -> None:
    rng = random.Random(9)  # a fixed, varied history: several players, days with gaps and repeats
    daily, counting = store_quests(
        sign_in.quest(streak_mode="daily", streak=3, duplication=2, auto_claim=True),
        sign_in.quest(streak=2, duplication=3),
    )
    start = datetime(2026, 3, 1, 8, tzinfo=UTC)
    messages, players = [], [uuid.uuid4() for _ in range(8)]
    for user in players:
        at = start
        for _ in range(rng.randint(1, 12)):
            at += timedelta(hours=rng.choice([1, 5, 20, 26, 49, 70]))
            messages.append(sign_in.body(user, at=at))
    worker = run_worker()
    publish_raw(messages)
    wait_for(lambda: table_counts(engine)["player_event"] == len(messages), timeout=30)
    # Nothing but the simulation may write from here on (the worker would retry grants).
    worker.stop()

    before = table_contents(engine)
    for quest in (daily, counting):
        result = simulate(client, admin, {"quest": draft(quest), "since": start.isoformat()})
        with Session(engine) as session:
            real = {
                str(r.user_id): r.completed
                for r in session.execute(
                    select(QuestProgress).where(
                        QuestProgress.quest_id == uuid.UUID(quest["quest_id"])
                    )
                ).scalars()
            }
        assert result["events_replayed"] == len(messages)
        assert result["players"] == len(players)
        assert result["completions"] == sum(real.values())
        assert result["players_completing"] == sum(1 for c in real.values() if c)
        assert result["minted"][quest["reward"]["reward_item"]] == 10 * sum(real.values())
        tally = simulations.stream_and_fold(
            engine=engine,
            rule=QuestRule.from_catalog(quest),
            since=start,
            until=None,
            per_player=True,
        )
        replay.finish(tally)
        assert tally.per_player == real  # completions per player, player by player
    # No progress, grant, notification or event written, inserted or changed.
    assert table_contents(engine) == before


def test_a_window_leaves_out_what_is_outside_it(
    engine: Engine, client: TestClient, admin: dict[str, str], sign_in: Any
) -> None:
    user = uuid.uuid4()
    day = datetime(2026, 4, 1, 12, tzinfo=UTC)
    add_events(engine, [(user, day + timedelta(days=i)) for i in range(6)])
    quest = {**draft(sign_in.quest(streak=2, duplication=5))}
    window = {
        "since": (day + timedelta(days=1)).isoformat(),
        "until": (day + timedelta(days=5)).isoformat(),
    }
    result = simulate(client, admin, {"quest": quest, **window})
    assert (result["events_replayed"], result["completions"]) == (4, 2)
    assert result["completions_histogram"] == {"2": 1}
    assert result["progress"] == 1.0


@pytest.mark.parametrize(
    "body",
    [
        {
            "quest": {"streak": 0, "reward": {"reward_item": "gold", "reward_qty": 1}},
            "since": "2026-01-01T00:00:00Z",
        },
        {"quest": {"streak": 2}, "since": "2026-01-01T00:00:00Z"},  # no reward
        {
            "quest": {
                "streak": 2,
                "streak_mode": "daily",
                "reset": "daily",
                "reward": {"reward_item": "gold", "reward_qty": 1},
            },
            "since": "2026-01-01T00:00:00Z",
        },
        {
            "quest": {"streak": 2, "reward": {"reward_item": "gold", "reward_qty": 1}},
            "since": "2026-02-01T00:00:00Z",
            "until": "2026-01-01T00:00:00Z",
        },
        {
            "quest": {"streak": 2, "reward": {"reward_item": "wood", "reward_qty": 1}},
            "since": "2026-01-01T00:00:00Z",
        },
    ],
)
def test_bad_simulation_input_is_a_422_and_starts_nothing(
    engine: Engine, client: TestClient, admin: dict[str, str], body: dict[str, Any]
) -> None:
    response = client.post(f"{PREFIX}/admin/simulations", json=body, headers=admin)
    assert response.status_code == 422, response.text
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM simulation")).scalar_one() == 0
        assert connection.execute(text("SELECT count(*) FROM audit_entry")).scalar_one() == 0


def test_players_cannot_simulate(client: TestClient, test_keys: TestKeys) -> None:
    body = {
        "quest": {"streak": 2, "reward": {"reward_item": "gold", "reward_qty": 1}},
        "since": "2026-01-01T00:00:00Z",
    }
    response = client.post(
        f"{PREFIX}/admin/simulations", json=body, headers=player(test_keys, uuid.uuid4())
    )
    assert response.status_code == 403


# --- traces --------------------------------------------------------------------------------


def test_the_trace_gives_each_event_its_local_date_and_verdict(
    engine: Engine,
    client: TestClient,
    admin: dict[str, str],
    test_keys: TestKeys,
    add_quest: Any,
) -> None:
    quest = add_quest(streak_mode="daily", streak=2, duplication=1)
    user = uuid.uuid4()
    d = datetime(2026, 5, 4, 9, tzinfo=UTC)
    times = [
        d,
        d + timedelta(hours=3),
        d + timedelta(days=2),
        d + timedelta(days=3),
        d + timedelta(days=4),
    ]
    ids = add_events(engine, [(user, t) for t in times])
    grant_id = uuid.uuid4()
    with Session(engine) as session:
        session.add(
            Grant(
                grant_id=grant_id,
                user_id=user,
                quest_id=uuid.UUID(quest["quest_id"]),
                item="diamond",
                qty=10,
                reason="quest_claim",
            )
        )
        session.commit()
    mine = client.get(
        f"{PREFIX}/me/quests/{quest['quest_id']}/trace", headers=player(test_keys, user)
    )
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert [e["event_id"] for e in body["events"]] == ids
    assert [e["verdict"] for e in body["events"]] == [
        "counted",
        "same_day",
        "streak_reset",
        "counted",
        "done",
    ]
    assert [e["local_date"] for e in body["events"]] == [
        "2026-05-04",
        "2026-05-04",
        "2026-05-06",
        "2026-05-07",
        "2026-05-08",
    ]
    assert [(c["number"], c["event_id"]) for c in body["completions"]] == [(1, ids[3])]
    assert body["grants"][0]["idempotency_key"] == str(grant_id)
    assert body["grants"][0]["status"] == "pending"
    as_admin = client.get(
        f"{PREFIX}/admin/users/{user}/quests/{quest['quest_id']}/trace", headers=admin
    )
    assert as_admin.json() == body
    other = client.get(
        f"{PREFIX}/admin/users/{user}/quests/{quest['quest_id']}/trace",
        headers=player(test_keys, user),
    )
    assert other.status_code == 403
    assert (
        client.get(
            f"{PREFIX}/me/quests/{uuid.uuid4()}/trace", headers=player(test_keys, user)
        ).status_code
        == 404
    )


# --- operations ----------------------------------------------------------------------------


def test_a_late_older_event_reads_not_after_last_in_the_trace(
    engine: Engine, client: TestClient, test_keys: TestKeys, add_quest: Any
) -> None:
    quest = add_quest(streak_mode="daily", streak=3, duplication=1)
    user = uuid.uuid4()
    d = datetime(2026, 5, 4, 9, tzinfo=UTC)
    # Recorded (and applied) in this order: the second happened a day before the first.
    ids = add_events(
        engine, [(user, d + timedelta(days=1)), (user, d), (user, d + timedelta(days=1, hours=2))]
    )
    body = client.get(
        f"{PREFIX}/me/quests/{quest['quest_id']}/trace", headers=player(test_keys, user)
    ).json()
    assert [(e["event_id"], e["verdict"]) for e in body["events"]] == [
        (ids[0], "counted"),
        (ids[1], "not_after_last"),
        (ids[2], "same_day"),
    ]


def test_ops_figures(
    engine: Engine,
    client: TestClient,
    admin: dict[str, str],
    settings: Settings,
    amqp_url: str,
    sign_in: Any,
) -> None:
    now = datetime.now(UTC)
    user, quest_id = uuid.uuid4(), uuid.uuid4()
    add_events(engine, [(user, now - timedelta(minutes=10))])
    with Session(engine) as session:
        for qty, item, status, credited in [
            (10, "diamond", "credited", now - timedelta(minutes=5)),
            (3, "gold", "credited", now - timedelta(hours=5)),
            (7, "gold", "credited", now - timedelta(days=2)),
            (4, "diamond", "pending", None),
        ]:
            session.add(
                Grant(
                    user_id=user,
                    quest_id=quest_id,
                    item=item,
                    qty=qty,
                    reason="quest_claim",
                    status=status,
                    credited_at=credited,
                )
            )
        session.add(DeadLetter(queue="q", reason="rejected", body="{}", headers={}))
        session.commit()
    # Nothing waiting: no lag.
    connection = connect(amqp_url, name="ops-test")
    try:
        channel = connection.channel()
        declare_work_queue(
            channel,
            queue=settings.sign_in_queue,
            exchange=settings.events_exchange,
            routing_keys=[],
        )
        figures = client.get(f"{PREFIX}/admin/ops", headers=admin).json()
        assert figures["sign_in_queue"] == {"depth": 0, "consumers": 0}
        assert figures["worker_lag_s"] == 0
        for _ in range(2):
            channel.basic_publish("", settings.sign_in_queue, sign_in.body(user)[1])
        wait_for(
            lambda: (
                client.get(f"{PREFIX}/admin/ops", headers=admin).json()["sign_in_queue"]["depth"]
                == 2
            )
        )
    finally:
        connection.close()
    figures = client.get(f"{PREFIX}/admin/ops", headers=admin).json()
    assert figures["dead_letters"] == 1
    assert figures["grants_pending"] == 1
    assert figures["minted"] == {
        "last_hour": {"diamond": 10, "gold": 0},
        "last_day": {"diamond": 10, "gold": 3},
    }
    assert 590 <= figures["worker_lag_s"] <= 3600  # since the newest recorded sign-in (10 min)
    metrics = client.get("/metrics").text
    assert "grants_pending 1.0" in metrics
    assert 'minted{item="gold",window="day"} 3.0' in metrics


# --- personal data -------------------------------------------------------------------------


def test_export_holds_everything_about_the_player_and_nothing_else(
    engine: Engine, client: TestClient, test_keys: TestKeys
) -> None:
    user, other = uuid.uuid4(), uuid.uuid4()
    ids = add_events(
        engine,
        [(user, datetime(2026, 1, 2, tzinfo=UTC)), (other, datetime(2026, 1, 2, tzinfo=UTC))],
    )
    with Session(engine) as session:
        session.add(
            Grant(user_id=user, quest_id=uuid.uuid4(), item="gold", qty=2, reason="quest_claim")
        )
        session.add(QuestProgress(user_id=user, quest_id=uuid.uuid4(), streak=1))
        session.commit()
    with UnitOfWork(engine=engine) as uow:
        at = datetime(2026, 1, 3, tzinfo=UTC)
        uow.players.note(
            [
                PlayerSeen(user_id=user, time_zone="Asia/Tokyo", at=at),
                PlayerSeen(user_id=other, time_zone="Europe/Paris", at=at),
            ]
        )
        uow.commit()
    response = client.get(f"{PREFIX}/me/export", headers=player(test_keys, user))
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    body = response.json()
    assert body["user_id"] == str(user)
    assert [e["event_id"] for e in body["events"]] == [ids[0]]
    assert [g["qty"] for g in body["grants"]] == [2]
    assert [p["streak"] for p in body["progress"]] == [1]
    assert body["notifications"] == []
    assert [p["time_zone"] for p in body["player"]] == ["Asia/Tokyo"]


def user_deleted(user: uuid.UUID) -> tuple[str, bytes]:
    event = make_event(
        source="auth-service",
        type="UserDeleted",
        subject=str(user),
        data={
            "user_id": str(user),
            "deleted_at": datetime.now(UTC).isoformat(),
            "initiated_by": "self",
        },
    )
    return routing_key("auth", "UserDeleted"), event.to_json()


def rows_of(engine: Engine, user: uuid.UUID) -> int:
    return sum(
        int(scalar(engine, f"SELECT count(*) FROM {t} WHERE user_id = :u", u=user))  # noqa: S608
        for t in ("player", "player_event", "quest_progress", "reward_grant", "notification")
    )


def recorded(engine: Engine, user: uuid.UUID) -> bool:
    with Session(engine) as session:
        return (
            session.execute(
                select(func.count()).select_from(RecordedEvent).where(RecordedEvent.user_id == user)
            ).scalar_one()
            > 0
        )


def test_a_deleted_player_stays_deleted(
    engine: Engine,
    client: TestClient,
    admin: dict[str, str],
    deletion_settings: Settings,
    store_quests: Any,
    publish_raw: Any,
    run_worker: Any,
    sign_in: Any,
) -> None:
    store_quests(sign_in.quest(streak=1, duplication=5, auto_claim=True))
    user = uuid.uuid4()
    first = sign_in.body(user, event_id=str(uuid.uuid4()))
    run_worker(deletion_settings)
    publish_raw([first, sign_in.body(user)])
    wait_for(lambda: rows_of(engine, user) >= 4)

    publish_raw([user_deleted(user)])
    with Session(engine) as session:
        wait_for(lambda: session.get(UserTombstone, user) is not None, timeout=20)
    wait_for(lambda: rows_of(engine, user) == 0)

    # Redelivered (same id) and late (new id) sign-ins: dropped. A marker player after them
    # shows the worker has gone past them.
    marker = uuid.uuid4()
    publish_raw([first, sign_in.body(user), sign_in.body(marker)])
    wait_for(lambda: recorded(engine, marker))
    assert rows_of(engine, user) == 0

    # A dead letter of the deleted player, replayed by an admin: nothing comes back either.
    with Session(engine) as session:
        letter = DeadLetter(
            queue=deletion_settings.sign_in_queue,
            reason="rejected",
            body=sign_in.body(user)[1].decode(),
            headers={},
        )
        session.add(letter)
        session.commit()
        letter_id = letter.id
    response = client.post(f"{PREFIX}/dead-letters/{letter_id}/replay", headers=admin)
    assert response.status_code == 200, response.text
    marker2 = uuid.uuid4()
    publish_raw([sign_in.body(marker2)])
    wait_for(lambda: recorded(engine, marker2))
    assert rows_of(engine, user) == 0

    # The deletion redelivered: nothing more to erase, the tombstone stays one row.
    publish_raw([user_deleted(user)])
    assert scalar(engine, "SELECT count(*) FROM user_tombstone WHERE user_id = :u", u=user) == 1


# --- audit ---------------------------------------------------------------------------------


def test_every_admin_write_route_writes_exactly_one_audit_row(
    engine: Engine,
    client: TestClient,
    admin: dict[str, str],
    test_keys: TestKeys,
    store_quests: Any,
    sign_in: Any,
    settings: Settings,
    amqp_url: str,
) -> None:
    store_quests(sign_in.quest())  # the player routes the walker calls need some quest copy
    # The replay publishes to the work queue.
    declare_queue(
        amqp_url, queue=settings.sign_in_queue, exchange=settings.events_exchange, routing_keys=[]
    )
    with Session(engine) as session:
        letter = DeadLetter(
            queue="q", reason="rejected", body=sign_in.body(uuid.uuid4())[1].decode(), headers={}
        )
        session.add(letter)
        session.commit()
        letter_id = letter.id
        upcoming = incidents.declare(
            uow_factory=partial(UnitOfWork, engine=engine),
            starts_at=utcnow() + timedelta(days=30),
            ends_at=utcnow() + timedelta(days=31),
            reason="planned maintenance",
            actor=Actor(id="ops", name="ops"),
            bounds=incidents.IncidentBounds(
                max_length=timedelta(days=7), max_ahead=timedelta(days=90)
            ),
        ).incident_id
        running = incidents.declare(
            uow_factory=partial(UnitOfWork, engine=engine),
            starts_at=utcnow() - timedelta(hours=1),
            ends_at=utcnow() + timedelta(hours=1),
            reason="login outage",
            actor=Actor(id="ops", name="ops"),
            bounds=incidents.IncidentBounds(
                max_length=timedelta(days=7), max_ahead=timedelta(days=90)
            ),
        ).incident_id
    calls: dict[str, Callable[[], Any]] = {
        "POST /api/processing/admin/incidents": lambda: client.post(
            f"{PREFIX}/admin/incidents",
            json={
                "starts_at": (utcnow() + timedelta(days=10)).isoformat(),
                "ends_at": (utcnow() + timedelta(days=10, hours=1)).isoformat(),
                "reason": "broker upgrade",
            },
            headers=admin,
        ),
        "PATCH /api/processing/admin/incidents/{incident_id}": lambda: client.patch(
            f"{PREFIX}/admin/incidents/{running}",
            json={"ends_at": utcnow().isoformat()},
            headers=admin,
        ),
        "DELETE /api/processing/admin/incidents/{incident_id}": lambda: client.delete(
            f"{PREFIX}/admin/incidents/{upcoming}", headers=admin
        ),
        "POST /api/processing/dead-letters/{dead_letter_id}/replay": lambda: client.post(
            f"{PREFIX}/dead-letters/{letter_id}/replay", headers=admin
        ),
        "POST /api/processing/admin/simulations": lambda: client.post(
            f"{PREFIX}/admin/simulations",
            json={
                "quest": {"streak": 2, "reward": {"reward_item": "gold", "reward_qty": 1}},
                "since": "2026-01-01T00:00:00Z",
            },
            headers=admin,
        ),
    }
    assert admin_write_routes(client, player(test_keys, uuid.uuid4())) == set(calls)

    def audit() -> dict[str, Any]:
        response = client.get(f"{PREFIX}/admin/audit", params={"limit": 200}, headers=admin)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    for route, call in calls.items():
        before = audit()["count"]
        response = call()
        assert response.status_code < 300, (route, response.text)
        after = audit()
        assert after["count"] == before + 1, route
        assert after["data"][0]["actor_id"] != ""
    assert {e["action"] for e in audit()["data"]} == {
        "incident.declare",
        "incident.end",
        "incident.withdraw",
        "dead_letter.replay",
        "simulation.start",
    }
    assert (
        client.get(f"{PREFIX}/admin/audit", headers=player(test_keys, uuid.uuid4())).status_code
        == 403
    )
