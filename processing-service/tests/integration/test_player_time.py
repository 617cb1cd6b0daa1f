"""Player time through the real worker, database and API (DESIGN §10, §13.8).

The worker runs on a thread with the real broker; catalog is down (the local quest copy) and
auth is down (claims stay pending), so what is asserted is this service's own doing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from processing_service.core.config import Settings
from processing_service.events.models import RecordedEvent
from processing_service.grants.models import Grant
from processing_service.incidents import service as incidents
from processing_service.main import create_app
from processing_service.progress.models import QuestProgress
from processing_service.progress.rules import PlayerEvent, QuestRule
from processing_service.unit_of_work import UnitOfWork
from quest_common.audit import Actor
from quest_devtools.testing.tokens import TestKeys
from quest_devtools.testing.waiting import wait_for

KIRITIMATI, NEW_YORK, PARIS = "Pacific/Kiritimati", "America/New_York", "Europe/Paris"


def count_events(engine: Engine, user: uuid.UUID) -> int:
    with Session(engine) as session:
        return int(
            session.execute(
                select(func.count()).select_from(RecordedEvent).where(RecordedEvent.user_id == user)
            ).scalar_one()
        )


def progress(engine: Engine, user: uuid.UUID, quest: dict[str, Any]) -> QuestProgress:
    with Session(engine) as session:
        row = session.execute(
            select(QuestProgress).where(
                QuestProgress.user_id == user,
                QuestProgress.quest_id == uuid.UUID(quest["quest_id"]),
            )
        ).scalar_one()
        session.expunge(row)
        return row


@pytest.fixture
def send(engine: Engine, publish_raw: Any, run_worker: Any, sign_in: Any) -> Callable[..., None]:
    """Publish sign-ins of one player (at the given instants, in the given zone) and wait until
    the worker has recorded them."""
    run_worker()

    def send_all(user: uuid.UUID, times: list[datetime], zone: object = None) -> None:
        before = count_events(engine, user)
        publish_raw([sign_in.body(user, at=t, time_zone=zone) for t in times])
        wait_for(lambda: count_events(engine, user) == before + len(times))

    return send_all


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


def test_two_zones_signing_in_at_the_same_instants_get_different_local_days(
    engine: Engine, add_quest: Any, send: Any
) -> None:
    quest = add_quest(streak_mode="daily", streak=5)
    kiritimati, new_york = uuid.uuid4(), uuid.uuid4()
    # 09:00Z is 23:00 on the 10th in Kiritimati (UTC+14) and 04:00 in New York (UTC-5);
    # 11:00Z is already the 11th in Kiritimati and still the 10th in New York.
    instants = [datetime(2026, 1, 10, 9, tzinfo=UTC), datetime(2026, 1, 10, 11, tzinfo=UTC)]
    send(kiritimati, instants, KIRITIMATI)
    send(new_york, instants, NEW_YORK)
    east, west = progress(engine, kiritimati, quest), progress(engine, new_york, quest)
    assert (east.streak, east.last_day) == (2, date(2026, 1, 11))
    assert (west.streak, west.last_day) == (1, date(2026, 1, 10))
    with Session(engine) as session:
        zones = set(
            session.execute(
                select(RecordedEvent.time_zone).where(RecordedEvent.user_id == kiritimati)
            ).scalars()
        )
    assert zones == {KIRITIMATI}  # kept, so a replay recomputes the same local dates


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", 42, "x" * 300])
def test_an_unknown_zone_counts_on_utc_days_and_is_never_a_dead_letter(
    engine: Engine, add_quest: Any, send: Any, zone: object
) -> None:
    quest = add_quest(streak_mode="daily", streak=5)
    user = uuid.uuid4()
    # 23:30Z and 00:30Z: two UTC days.
    send(
        user,
        [datetime(2026, 3, 1, 23, 30, tzinfo=UTC), datetime(2026, 3, 2, 0, 30, tzinfo=UTC)],
        zone,
    )
    assert progress(engine, user, quest).streak == 2
    with Session(engine) as session:
        stored = (
            session.execute(select(RecordedEvent.time_zone).where(RecordedEvent.user_id == user))
            .scalars()
            .all()
        )
    assert stored == ["UTC", "UTC"]


def test_a_daily_reset_restarts_the_period(engine: Engine, add_quest: Any, send: Any) -> None:
    quest = add_quest(streak=2, duplication=1, reset="daily")
    user = uuid.uuid4()
    paris = ZoneInfo(PARIS)
    day1 = datetime(2026, 5, 4, 9, tzinfo=paris)
    send(user, [day1, day1 + timedelta(hours=1), day1 + timedelta(hours=2)], PARIS)
    row = progress(engine, user, quest)
    # Completed once; the third sign-in finds the period done.
    assert (row.streak, row.completed, row.period, row.period_completed) == (
        0,
        1,
        date(2026, 5, 4),
        1,
    )
    # 23:30 UTC on the 4th is already the 5th in Paris: a new period starts.
    send(user, [datetime(2026, 5, 4, 22, 30, tzinfo=UTC)], PARIS)
    row = progress(engine, user, quest)
    assert (row.streak, row.completed, row.period, row.period_completed) == (
        1,
        1,
        date(2026, 5, 5),
        0,
    )


def test_grace_forgives_a_missed_day(engine: Engine, add_quest: Any, send: Any) -> None:
    graced = add_quest(streak_mode="daily", streak=5, grace_days=1)
    strict = add_quest(streak_mode="daily", streak=5)
    user = uuid.uuid4()
    day1 = datetime(2026, 6, 1, 12, tzinfo=UTC)
    send(user, [day1, day1 + timedelta(days=2)], NEW_YORK)  # the 2nd is missed
    row = progress(engine, user, graced)
    assert (row.streak, row.grace_used) == (2, 1)
    assert progress(engine, user, strict).streak == 1


def test_an_incident_window_forgives_a_day(engine: Engine, add_quest: Any, send: Any) -> None:
    quest = add_quest(streak_mode="daily", streak=5)
    incidents.declare(
        uow_factory=partial(UnitOfWork, engine=engine),
        starts_at=datetime(2026, 7, 2, 10, tzinfo=UTC),
        ends_at=datetime(2026, 7, 2, 11, tzinfo=UTC),
        reason="login outage",
        actor=Actor(id="ops", name="ops"),
        bounds=incidents.IncidentBounds(max_length=timedelta(days=7), max_ahead=timedelta(days=90)),
    )
    user, other = uuid.uuid4(), uuid.uuid4()
    day1 = datetime(2026, 7, 1, 12, tzinfo=UTC)
    send(user, [day1, day1 + timedelta(days=2)], PARIS)  # the 2nd overlaps the incident
    assert progress(engine, user, quest).streak == 2
    send(other, [day1, day1 + timedelta(days=3)], PARIS)  # the 3rd does not: reset
    assert progress(engine, other, quest).streak == 1


def test_a_cooldown_refuses_a_too_quick_sign_in(engine: Engine, add_quest: Any, send: Any) -> None:
    quest = add_quest(streak=5, cooldown_s=600)
    user = uuid.uuid4()
    t = datetime(2026, 8, 1, 12, tzinfo=UTC)
    send(user, [t, t + timedelta(seconds=60), t + timedelta(seconds=700)], "UTC")
    row = progress(engine, user, quest)
    assert row.streak == 2
    assert row.last_counted_at == t + timedelta(seconds=700)


def test_a_late_event_in_a_later_batch_never_counts_its_day(
    engine: Engine, add_quest: Any, send: Any
) -> None:
    quest = add_quest(streak_mode="daily", streak=5)
    user = uuid.uuid4()
    day1 = datetime(2026, 9, 1, 12, tzinfo=UTC)
    send(user, [day1 + timedelta(days=1)], "UTC")
    send(user, [day1], "UTC")  # redelivered late: its date is before the last counted one
    row = progress(engine, user, quest)
    assert (row.streak, row.last_day) == (1, date(2026, 9, 2))


def test_a_batch_applies_each_players_events_in_event_time_order(
    engine: Engine, sign_in: Any, consume: Any
) -> None:
    quest = sign_in.quest(streak_mode="daily", streak=5)
    rule = QuestRule.from_catalog(quest)
    user = uuid.uuid4()
    day1 = datetime(2026, 10, 1, 12, tzinfo=UTC)
    # Consumed out of order within one batch: both days still count.
    events = [
        PlayerEvent(time=day1 + timedelta(days=1), event_id=str(uuid.uuid4()), user_id=user),
        PlayerEvent(time=day1, event_id=str(uuid.uuid4()), user_id=user),
    ]
    consume(events, [rule])
    row = progress(engine, user, quest)
    assert (row.streak, row.last_day) == (2, date(2026, 10, 2))


def test_an_expired_reward_is_refused_and_a_fresh_one_is_claimed(
    engine: Engine,
    add_quest: Any,
    send: Any,
    api: TestClient,
    test_keys: TestKeys,
) -> None:
    quest = add_quest(streak=1, duplication=3, claim_within_s=3600)
    user = uuid.uuid4()
    headers = test_keys.headers(sub=str(user))
    now = datetime.now(UTC)
    send(user, [now - timedelta(hours=2)], PARIS)  # earned two hours ago: expired
    claim = api.post(f"/api/processing/me/quests/{quest['quest_id']}/claim", headers=headers)
    assert claim.status_code == 409
    assert claim.json() == {"detail": "reward expired"}
    row = progress(engine, user, quest)
    assert (row.completed, row.claimed, row.expired) == (1, 0, 1)

    send(user, [now - timedelta(minutes=10)], PARIS)
    [item] = api.get("/api/processing/me/quests", headers=headers).json()["data"]
    assert item["expired"] == 1 and item["claimable"] == 1 and item["status"] == "claimable"
    [expiring] = item["expiring"]
    assert datetime.fromisoformat(expiring["expires_at"]) - datetime.fromisoformat(
        expiring["earned_at"]
    ) == timedelta(hours=1)

    claim = api.post(f"/api/processing/me/quests/{quest['quest_id']}/claim", headers=headers)
    assert claim.status_code == 202  # auth is down: credited later
    with Session(engine) as session:
        grants = session.execute(
            select(Grant.status, Grant.earned_at)
            .where(Grant.user_id == user)
            .order_by(Grant.earned_at)
        ).all()
    assert [g.status for g in grants] == ["expired", "pending"]
    assert all(g.earned_at is not None for g in grants)
    again = api.post(f"/api/processing/me/quests/{quest['quest_id']}/claim", headers=headers)
    assert again.status_code == 409 and again.json()["detail"] == "reward expired"


def test_quest_list_fields_in_the_players_zone(
    add_quest: Any,
    send: Any,
    api: TestClient,
    test_keys: TestKeys,
) -> None:
    reset = add_quest(streak=3, duplication=1, reset="daily")
    graced = add_quest(streak_mode="daily", streak=7, grace_days=2)
    cooled = add_quest(streak=9, cooldown_s=3600)
    user = uuid.uuid4()
    now = datetime.now(UTC)
    send(user, [now - timedelta(seconds=5)], KIRITIMATI)
    body = api.get("/api/processing/me/quests", headers=test_keys.headers(sub=str(user))).json()
    items = {i["quest"]["quest_id"]: i for i in body["data"]}
    local_now = datetime.now(ZoneInfo(KIRITIMATI))
    midnight = datetime.combine(
        local_now.date() + timedelta(days=1), datetime.min.time(), ZoneInfo(KIRITIMATI)
    )

    r = items[reset["quest_id"]]
    assert r["time_zone"] == KIRITIMATI
    assert datetime.fromisoformat(r["period_ends_at"]) == midnight
    assert r["quest"]["reset"] == "daily"
    assert r["counted_today"] is True and r["streak"] == 1

    g = items[graced["quest_id"]]
    assert g["period_ends_at"] is None and g["grace_left"] == 2
    assert datetime.fromisoformat(g["next_count_at"]) == midnight  # come back tomorrow

    c = items[cooled["quest_id"]]
    next_count = datetime.fromisoformat(c["next_count_at"])
    assert timedelta(minutes=59) < next_count - now <= timedelta(hours=1)
    assert c["expiring"] == [] and c["expired"] == 0

    fresh = api.get("/api/processing/me/quests", headers=test_keys.headers()).json()["data"]
    assert all(i["counted_today"] is False and i["time_zone"] == "UTC" for i in fresh)
    assert all(i["next_count_at"] is None for i in fresh)


def test_incidents_are_declared_listed_and_withdrawn_by_admins_only(
    api: TestClient, test_keys: TestKeys
) -> None:
    admin, player = test_keys.headers(role="admin"), test_keys.headers()
    url = "/api/processing/admin/incidents"
    now = datetime.now(UTC)
    window = {
        "starts_at": (now + timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=1, hours=2)).isoformat(),
        "reason": "planned maintenance",
    }
    assert api.post(url, json=window, headers=player).status_code == 403
    for bad in (
        {**window, "ends_at": window["starts_at"]},
        {**window, "reason": ""},
        {**window, "reason": "x" * 201},
        {**window, "starts_at": "2026-01-01T00:00:00"},  # no offset: ambiguous
    ):
        assert api.post(url, json=bad, headers=admin).status_code == 422, bad
    assert api.get(url, headers=admin).json()["count"] == 0

    future = api.post(url, json=window, headers=admin)
    assert future.status_code == 201
    past = api.post(
        url,
        json={
            "starts_at": (now - timedelta(hours=3)).isoformat(),
            "ends_at": (now - timedelta(hours=1)).isoformat(),
            "reason": "broker outage",
        },
        headers=admin,
    ).json()
    listed = api.get(url, headers=admin).json()
    assert listed["count"] == 2
    assert [i["reason"] for i in listed["data"]] == ["planned maintenance", "broker outage"]
    assert api.get(url, headers=player).status_code == 403

    started = api.delete(f"{url}/{past['incident_id']}", headers=admin)
    assert started.status_code == 409
    assert api.delete(f"{url}/{future.json()['incident_id']}", headers=player).status_code == 403
    assert api.delete(f"{url}/{future.json()['incident_id']}", headers=admin).status_code == 204
    assert api.delete(f"{url}/{uuid.uuid4()}", headers=admin).status_code == 404
    assert [i["reason"] for i in api.get(url, headers=admin).json()["data"]] == ["broker outage"]


def test_an_incident_is_bounded_in_length_and_how_far_ahead_it_ends(
    api: TestClient, test_keys: TestKeys
) -> None:
    admin = test_keys.headers(role="admin")
    url = "/api/processing/admin/incidents"
    now = datetime.now(UTC)
    for starts_at, ends_at in (
        ("0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"),  # "no streak ever breaks again"
        ((now - timedelta(days=8)).isoformat(), now.isoformat()),  # longer than 7 days
        ((now + timedelta(days=200)).isoformat(), (now + timedelta(days=201)).isoformat()),
    ):
        refused = api.post(
            url, json={"starts_at": starts_at, "ends_at": ends_at, "reason": "x"}, headers=admin
        )
        assert refused.status_code == 422, (starts_at, refused.text)
        assert isinstance(refused.json()["detail"], str)
    assert api.get(url, headers=admin).json()["count"] == 0
    week = {
        "starts_at": (now - timedelta(days=7)).isoformat(),
        "ends_at": now.isoformat(),
        "reason": "the longest allowed",
    }
    assert api.post(url, json=week, headers=admin).status_code == 201


def test_an_admin_ends_a_running_incident_now_audited(
    engine: Engine, api: TestClient, test_keys: TestKeys
) -> None:
    admin, player = test_keys.headers(role="admin"), test_keys.headers()
    url = "/api/processing/admin/incidents"
    now = datetime.now(UTC)
    running = api.post(
        url,
        json={
            "starts_at": (now - timedelta(hours=2)).isoformat(),
            "ends_at": (now + timedelta(days=2)).isoformat(),
            "reason": "login outage",
        },
        headers=admin,
    ).json()
    one = f"{url}/{running['incident_id']}"
    starts_at = datetime.fromisoformat(running["starts_at"])
    end_now = {"ends_at": datetime.now(UTC).isoformat()}
    assert api.patch(one, json=end_now, headers=player).status_code == 403
    assert api.patch(f"{url}/{uuid.uuid4()}", json=end_now, headers=admin).status_code == 404
    for bad in (
        {"ends_at": (starts_at - timedelta(minutes=1)).isoformat()},  # before its start
        {"ends_at": running["starts_at"]},
        {"ends_at": (starts_at + timedelta(days=8)).isoformat()},  # past the longest
        {"ends_at": "2026-01-01T00:00:00"},  # no offset
        {"ends_at": (now + timedelta(days=1)).isoformat(), "reason": "sneaky"},
        {},
    ):
        refused = api.patch(one, json=bad, headers=admin)
        assert refused.status_code == 422, (bad, refused.text)
    audited = api.get("/api/processing/admin/audit", headers=admin).json()["count"]
    ended = api.patch(one, json=end_now, headers=admin)
    assert ended.status_code == 200, ended.text
    assert datetime.fromisoformat(ended.json()["ends_at"]) == datetime.fromisoformat(
        end_now["ends_at"]
    )
    [listed] = api.get(url, headers=admin).json()["data"]
    assert listed["ends_at"] == ended.json()["ends_at"]
    audit = api.get("/api/processing/admin/audit", headers=admin).json()
    assert audit["count"] == audited + 1
    entry = audit["data"][0]
    assert entry["action"] == "incident.end"
    assert entry["target_id"] == running["incident_id"]
    assert entry["before"]["ends_at"] != entry["after"]["ends_at"]
    # Over: its end is history now, like its start.
    again = api.patch(one, json={"ends_at": datetime.now(UTC).isoformat()}, headers=admin)
    assert again.status_code == 409, again.text
