"""The worker with the real PostgreSQL and RabbitMQ (catalog down: local quest copy)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from processing_service.core.config import Settings
from processing_service.events.models import RecordedEvent
from processing_service.grants.models import Grant
from processing_service.notifications.models import NotificationRecord as Notification
from processing_service.progress.models import QuestProgress
from quest_devtools.testing.plugin import drain_queue
from quest_devtools.testing.waiting import wait_for


def count_events(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(RecordedEvent)).scalar_one())


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
    wait_for(lambda: count_events(engine) == 3)
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


def test_the_same_event_twice_counts_once(
    engine: Engine, store_quests: Any, publish_raw: Any, run_worker: Any, sign_in: Any
) -> None:
    [quest] = store_quests(sign_in.quest())
    user = uuid.uuid4()
    message = sign_in.body(user, event_id=str(uuid.uuid4()))
    run_worker()
    publish_raw([message, message])
    wait_for(lambda: count_events(engine) == 1)
    publish_raw([message, sign_in.body(user)])
    wait_for(lambda: count_events(engine) == 2)
    row = progress(engine, user, quest["quest_id"])
    assert row is not None and row.streak == 2


def test_daily_mode_with_explicit_event_times(
    engine: Engine, store_quests: Any, publish_raw: Any, run_worker: Any, sign_in: Any
) -> None:
    [quest] = store_quests(sign_in.quest(streak_mode="daily", streak=5))
    user = uuid.uuid4()
    day = datetime(2025, 6, 1, 8, tzinfo=UTC)
    run_worker()
    times = [day, day + timedelta(hours=10)]  # same UTC day: counts once
    publish_raw([sign_in.body(user, at=t) for t in times])
    wait_for(lambda: count_events(engine) == 2)
    assert progress(engine, user, quest["quest_id"]).streak == 1  # type: ignore[union-attr]
    publish_raw([sign_in.body(user, at=day + timedelta(days=1))])  # next day: +1
    wait_for(lambda: count_events(engine) == 3)
    assert progress(engine, user, quest["quest_id"]).streak == 2  # type: ignore[union-attr]
    publish_raw([sign_in.body(user, at=day + timedelta(days=4))])  # a gap: back to 1
    wait_for(lambda: count_events(engine) == 4)
    assert progress(engine, user, quest["quest_id"]).streak == 1  # type: ignore[union-attr]


def test_auto_claim_creates_a_grant_without_a_claim(
    engine: Engine, store_quests: Any, publish_raw: Any, run_worker: Any, sign_in: Any
) -> None:
    [quest] = store_quests(sign_in.quest(auto_claim=True, streak=2, duplication=1))
    user = uuid.uuid4()
    run_worker()
    publish_raw([sign_in.body(user) for _ in range(4)])
    wait_for(lambda: count_events(engine) == 4)
    row = progress(engine, user, quest["quest_id"])
    assert row is not None and (row.completed, row.claimed) == (1, 1)
    with Session(engine) as session:
        grants = session.execute(select(Grant).where(Grant.user_id == user)).scalars().all()
    # auth is down in this test: the grant waits, pending, for the delivery loop's next try.
    assert [(g.item, g.qty, g.reason, g.status) for g in grants] == [
        ("diamond", 10, "quest_auto_claim", "pending")
    ]


def test_a_malformed_message_is_dead_lettered_and_the_worker_keeps_going(
    engine: Engine,
    store_quests: Any,
    publish_raw: Any,
    run_worker: Any,
    sign_in: Any,
    settings: Settings,
    test_keys: Any,
) -> None:
    from fastapi.testclient import TestClient

    from processing_service.main import create_app

    store_quests(sign_in.quest())
    user = uuid.uuid4()
    # Dead letters collected every 0.2 s rather than 5: the test waits on two collections.
    run_worker(settings.model_copy(update={"dead_letter_poll_s": 0.2}))
    publish_raw([("auth.UserSignIn", b"{not json"), sign_in.body(user)])
    wait_for(lambda: count_events(engine) == 1)
    admin = test_keys.headers(role="admin")
    player = test_keys.headers()
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/processing/dead-letters", headers=player).status_code == 403
        listed = wait_for(
            lambda: (
                client.get("/api/processing/dead-letters", headers=admin).json()
                if client.get("/api/processing/dead-letters", headers=admin).json()["count"]
                else None
            )
        )
        [letter] = listed["data"]
        assert letter["body"] == "{not json"
        replayed = client.post(f"/api/processing/dead-letters/{letter['id']}/replay", headers=admin)
        assert replayed.status_code == 200 and replayed.json()["replayed_at"]
        # Still malformed: the worker dead-letters it again, and it shows up once more.
        wait_for(
            lambda: client.get("/api/processing/dead-letters", headers=admin).json()["count"] == 2
        )
    assert drain_queue(settings.amqp_url, settings.sign_in_queue + ".dlq", wait_seconds=0.5) == []


def test_awkward_text_is_stored_verbatim_by_the_bulk_statements(
    engine: Engine, store_quests: Any, publish_raw: Any, run_worker: Any, sign_in: Any
) -> None:
    """The batch path passes arrays as literals it quotes itself: quotes, backslashes, commas,
    braces and NULL-looking names must arrive unchanged."""
    store_quests(sign_in.quest())
    names = ['a"b', "back\\slash", "co,m{ma}", "NULL", " spaced ", ""]
    users = [uuid.uuid4() for _ in names]
    run_worker()
    messages = []
    for user, name in zip(users, names, strict=True):
        key, body = sign_in.body(user, event_id=f'id-"{name}"\\')
        raw = json.loads(body)
        raw["data"]["user_name"] = name
        messages.append((key, json.dumps(raw).encode()))
    publish_raw(messages)
    wait_for(lambda: count_events(engine) == len(names))
    with Session(engine) as session:
        stored = dict(session.execute(select(RecordedEvent.user_id, RecordedEvent.user_name)).all())
        ids = set(session.execute(select(RecordedEvent.event_id)).scalars())
    assert [stored[u] for u in users] == names
    assert ids == {f'id-"{name}"\\' for name in names}


def test_dead_letters_with_nul_bytes_or_bad_utf8_are_listed_and_replayable(
    engine: Engine, publish_raw: Any, run_worker: Any, settings: Settings, test_keys: Any
) -> None:
    from fastapi.testclient import TestClient

    from processing_service.main import create_app

    run_worker(settings.model_copy(update={"dead_letter_poll_s": 0.2}))
    nul, not_utf8 = b'{"a": "\x00"} nul', b"\xff\xfe not utf-8"
    publish_raw([("auth.UserSignIn", nul), ("auth.UserSignIn", not_utf8)])
    admin = test_keys.headers(role="admin")
    with TestClient(create_app(settings)) as client:

        def listing() -> Any:
            response = client.get("/api/processing/dead-letters", headers=admin)
            assert response.status_code == 200
            return response.json() if response.json()["count"] == 2 else None

        letters = wait_for(listing)["data"]
        bodies = {letter["body"] for letter in letters}
        assert any("\\x00" in b for b in bodies) and any("\\xff" in b for b in bodies)
        for letter in letters:
            replayed = client.post(
                f"/api/processing/dead-letters/{letter['id']}/replay", headers=admin
            )
            assert replayed.status_code == 200 and replayed.json()["replayed_at"]
        # Replayed byte for byte, dead-lettered again by the worker, listed again.
        wait_for(
            lambda: client.get("/api/processing/dead-letters", headers=admin).json()["count"] == 4
        )


def test_a_player_holds_at_most_five_streams(settings: Settings, test_keys: Any) -> None:
    from fastapi.testclient import TestClient

    from processing_service.main import create_app

    app = create_app(settings)
    token = test_keys.mint()
    with TestClient(app) as client:
        hub = app.state.hub
        # Five open streams of this player on this replica (the subject the token carries).
        user = jwt.decode(token, options={"verify_signature": False})["sub"]
        queues = [hub.subscribe(user) for _ in range(5)]
        response = client.get(
            "/api/processing/notifications/stream", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 429
        assert response.headers["Retry-After"] and response.json()["detail"]
        hub.unsubscribe(user, queues[0])
        assert hub.stream_count(user) == 4
