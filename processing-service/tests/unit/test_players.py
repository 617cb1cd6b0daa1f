"""Known players on the in-memory unit of work: `auth.UserCreated` and sign-ins make a player
known in the zone of their newest event; a deleted player is never brought back."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from tests.unit.test_handlers import Quests, delivery, quest, run, sign_in, user_deleted

from processing_service.deletions.handler import UserDeletedHandler
from processing_service.events.handler import EventHandler
from processing_service.players.handler import UserCreatedHandler
from processing_service.players.models import PlayerSeen, newest_per_player
from quest_common.broker.consumer import Outcome
from quest_common.events import make_event

T0 = datetime(2026, 3, 2, 12, tzinfo=UTC)


def user_created(user: uuid.UUID, *, zone: object = "Asia/Tokyo", at: datetime = T0) -> bytes:
    return make_event(
        source="auth-service",
        type="UserCreated",
        subject=str(user),
        data={"user_id": str(user), "user_name": "p", "time_zone": zone},
        time=at,
    ).to_json()


def test_an_announced_player_is_known_in_their_zone(fakes: Any) -> None:
    user, odd = uuid.uuid4(), uuid.uuid4()
    handler = UserCreatedHandler(uow_factory=fakes.uow_factory)
    outcomes = handler(
        [
            delivery(user_created(user)),
            delivery(user_created(odd, zone="Mars/Olympus")),
            delivery(b"\xff not an event"),
            delivery(user_deleted(uuid.uuid4())),  # another type: acked, ignored
        ]
    )
    assert outcomes == [Outcome.ACK, Outcome.ACK, Outcome.DEAD_LETTER, Outcome.ACK]
    assert {u: p.time_zone for u, p in fakes.db.players.items()} == {
        str(user): "Asia/Tokyo",
        str(odd): "UTC",  # an unknown zone reads as UTC, as a sign-in's does
    }


def test_a_sign_in_makes_the_player_known_and_newer_zones_win(fakes: Any) -> None:
    user = uuid.uuid4()
    signins = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(quest(streak=3)))
    run(signins, sign_in(user, T0 + timedelta(days=1)))  # carries Europe/Paris
    assert fakes.db.players[str(user)].time_zone == "Europe/Paris"
    # The sign-up announcement arrives late (older): it does not bring its zone back.
    UserCreatedHandler(uow_factory=fakes.uow_factory)([delivery(user_created(user))])
    assert fakes.db.players[str(user)].time_zone == "Europe/Paris"
    # A newer announcement (say, a redelivery with a later time) does.
    later = T0 + timedelta(days=2)
    UserCreatedHandler(uow_factory=fakes.uow_factory)([delivery(user_created(user, at=later))])
    assert fakes.db.players[str(user)].time_zone == "Asia/Tokyo"


def test_a_deleted_player_is_forgotten_and_never_announced_again(fakes: Any) -> None:
    user, other = uuid.uuid4(), uuid.uuid4()
    created = UserCreatedHandler(uow_factory=fakes.uow_factory)
    created([delivery(user_created(user)), delivery(user_created(other))])
    UserDeletedHandler(uow_factory=fakes.uow_factory)([delivery(user_deleted(user))])
    assert set(fakes.db.players) == {str(other)}
    # A redelivered announcement after the deletion: the tombstone keeps the player out.
    assert created([delivery(user_created(user))]) == [Outcome.ACK]
    assert set(fakes.db.players) == {str(other)}
    assert fakes.made[-1].locks == ["shared"]


seen_items = st.lists(
    st.builds(
        PlayerSeen,
        user_id=st.sampled_from([uuid.UUID(int=i) for i in range(4)]),
        time_zone=st.sampled_from(["UTC", "Europe/Paris", "Asia/Tokyo"]),
        at=st.integers(0, 10).map(lambda h: T0 + timedelta(hours=h)),
    ),
    max_size=20,
)


@given(seen_items)
def test_one_entry_per_player_the_newest(seen: list[PlayerSeen]) -> None:
    kept = newest_per_player(seen)
    assert [k.user_id for k in kept] == sorted({s.user_id for s in seen}, key=str)
    for item in kept:
        mine = [s for s in seen if s.user_id == item.user_id]
        assert item.at == max(s.at for s in mine)
        # Ties keep the later entry (the order the events came in).
        assert item == [s for s in mine if s.at == item.at][-1]
