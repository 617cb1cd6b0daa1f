"""The handlers on the in-memory unit of work (`conftest.Fakes`): the sign-in batch, claims,
grant delivery and deletions, with no PostgreSQL and no broker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pika
import pytest
from tests.processing_helpers import ingested_body

from processing_service.deletions.handler import UserDeletedHandler
from processing_service.events.handler import EventHandler
from processing_service.grants.service import deliver_due
from processing_service.progress import rules
from processing_service.progress.rules import ProgressState, QuestRule
from processing_service.progress.service import claim_reward
from quest_common.broker.consumer import Delivery, Outcome
from quest_common.events import ingest_type, make_event
from quest_devtools.testing.quests import catalog_quest

T0 = datetime(2026, 3, 2, 12, tzinfo=UTC)


class Quests:
    """The active quests, as the catalog cache would hand them to the handler."""

    def __init__(self, *rules_: QuestRule) -> None:
        self.list = list(rules_)

    def rules(self) -> list[QuestRule]:
        return list(self.list)


def catalog(**fields: Any) -> dict[str, Any]:
    return catalog_quest(**{"name": f"q-{uuid.uuid4().hex[:6]}", **fields})


def quest(**fields: Any) -> QuestRule:
    return QuestRule.from_catalog(catalog(**fields))


def delivery(body: bytes, tag: int = 1) -> Delivery:
    return Delivery(
        delivery_tag=tag,
        body=body,
        routing_key="auth.UserSignIn",
        exchange="quest.events",
        redelivered=False,
        properties=pika.BasicProperties(message_id=str(tag)),
    )


def sign_in(user: uuid.UUID, at: datetime, *, event_id: str | None = None) -> bytes:
    event = make_event(
        source="auth-service",
        type="UserSignIn",
        subject=str(user),
        data={"user_id": str(user), "user_name": "p", "time_zone": "Europe/Paris"},
        time=at,
        event_id=event_id,
    )
    return event.to_json()


def user_deleted(user: uuid.UUID) -> bytes:
    return make_event(
        source="auth-service",
        type="UserDeleted",
        subject=str(user),
        data={"user_id": str(user), "deleted_at": T0.isoformat()},
    ).to_json()


def run(handler: EventHandler, *bodies: bytes) -> list[Outcome]:
    return handler.apply(handler.parse([delivery(b, i) for i, b in enumerate(bodies, 1)]))


def state(fakes: Any, user: uuid.UUID, rule: QuestRule) -> ProgressState:
    return fakes.db.progress[(str(user), str(rule.quest_id))]


def test_a_batch_records_each_event_once_and_dead_letters_what_cannot_be_read(fakes: Any) -> None:
    rule = quest(streak=3)
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(rule))
    user = uuid.uuid4()
    first = sign_in(user, T0, event_id="e1")
    outcomes = run(handler, first, first, b"{not json", sign_in(user, T0 + timedelta(hours=1)))
    assert outcomes == [Outcome.ACK, Outcome.ACK, Outcome.DEAD_LETTER, Outcome.ACK]
    assert fakes.db.events[0].event_id == "e1"
    assert len(fakes.db.events) == 2  # the duplicate counted once
    assert state(fakes, user, rule).streak == 2
    assert fakes.db.events[0].time_zone == "Europe/Paris"
    # The batch held the deletions' lock (shared) in its transaction, and committed once.
    assert fakes.made[0].locks == ["shared"]
    assert fakes.made[0].commits == 1


def test_a_redelivered_batch_changes_nothing(fakes: Any) -> None:
    rule = quest(streak=3)
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(rule))
    user = uuid.uuid4()
    batch = [sign_in(user, T0, event_id="a"), sign_in(user, T0 + timedelta(1), event_id="b")]
    run(handler, *batch)
    published = list(fakes.published)
    run(handler, *batch)
    assert state(fakes, user, rule).streak == 2
    assert fakes.published == published  # nothing told twice


def test_each_check_in_is_published_after_the_commit_with_its_sse_id(fakes: Any) -> None:
    rule = quest(streak=2)
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(rule))
    user = uuid.uuid4()
    run(handler, sign_in(user, T0), sign_in(user, T0 + timedelta(hours=1)))
    events = [(n.event, n.data.get("streak")) for n in fakes.published]
    assert events == [("check_in", 1), ("check_in", 0), ("quest_completed", None)]
    assert [n.seq for n in fakes.published] == [n.seq for n in fakes.db.notifications]
    assert all(n.seq > 0 for n in fakes.published)


def test_a_completed_auto_claim_quest_owes_a_grant_and_wakes_the_delivery(fakes: Any) -> None:
    rule = quest(streak=1, auto_claim=True)
    woken: list[bool] = []
    handler = EventHandler(
        uow_factory=fakes.uow_factory, cache=Quests(rule), on_grants=lambda: woken.append(True)
    )
    user = uuid.uuid4()
    run(handler, sign_in(user, T0))
    [grant] = fakes.db.grants.values()
    assert (grant["user_id"], grant["status"], grant["qty"]) == (user, "pending", 10)
    assert woken == [True]


def test_a_deleted_players_sign_in_is_dropped_not_recorded(fakes: Any) -> None:
    rule = quest(streak=3)
    user, other = uuid.uuid4(), uuid.uuid4()
    UserDeletedHandler(uow_factory=fakes.uow_factory)([delivery(user_deleted(user))])
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(rule))
    run(handler, sign_in(user, T0), sign_in(other, T0))
    assert [e.user_id for e in fakes.db.events] == [other]
    assert (str(user), str(rule.quest_id)) not in fakes.db.progress


def test_a_deletion_erases_the_player_and_keeps_a_tombstone(fakes: Any) -> None:
    rule = quest(streak=1, auto_claim=True)
    user, other = uuid.uuid4(), uuid.uuid4()
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(rule))
    run(handler, sign_in(user, T0), sign_in(other, T0))
    deletions = UserDeletedHandler(uow_factory=fakes.uow_factory)
    assert deletions([delivery(user_deleted(user))]) == [Outcome.ACK]
    assert deletions([delivery(b"\xff not an event")]) == [Outcome.DEAD_LETTER]
    assert [e.user_id for e in fakes.db.events] == [other]
    assert {k[0] for k in fakes.db.progress} == {str(other)}
    assert {g["user_id"] for g in fakes.db.grants.values()} == {other}
    assert {n.user_id for n in fakes.db.notifications} == {str(other)}
    assert str(user) in fakes.db.tombstones
    # The deletion took the lock exclusively (it waits for the batches in flight).
    assert any(u.locks == ["exclusive"] for u in fakes.made)


def test_a_claim_takes_one_earned_reward_and_credits_it(fakes: Any) -> None:
    read = catalog(streak=1, duplication=2)
    rule = QuestRule.from_catalog(read)
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(rule))
    user = uuid.uuid4()
    run(handler, sign_in(user, T0), sign_in(user, T0 + timedelta(hours=1)))
    claimed = claim_reward(
        uow_factory=fakes.uow_factory, auth=fakes.ledger, user_id=user, quest=read
    )
    assert claimed.credited
    assert (claimed.progress.claimed, claimed.progress.claimable) == (1, 1)
    grant_id = uuid.UUID(claimed.grant_id)
    assert list(fakes.ledger.credits) == [grant_id]
    assert fakes.db.grants[grant_id]["status"] == "credited"
    assert fakes.published[-1].event == "reward_credited"


def test_a_claim_with_auth_down_is_kept_and_nothing_is_claimed_twice(fakes: Any) -> None:
    read = catalog(streak=1, duplication=1)
    rule = QuestRule.from_catalog(read)
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(rule))
    user = uuid.uuid4()
    run(handler, sign_in(user, T0))
    fakes.ledger.down = True
    claimed = claim_reward(
        uow_factory=fakes.uow_factory, auth=fakes.ledger, user_id=user, quest=read
    )
    assert not claimed.credited
    assert fakes.db.grants[uuid.UUID(claimed.grant_id)]["status"] == "pending"
    with pytest.raises(rules.NothingToClaimError):
        claim_reward(uow_factory=fakes.uow_factory, auth=fakes.ledger, user_id=user, quest=read)
    assert state(fakes, user, rule).claimed == 1  # the refused claim left nothing behind


def test_an_expired_reward_is_refused_and_marked_expired(fakes: Any) -> None:
    read = catalog(streak=1, claim_within_s=60)
    rule = QuestRule.from_catalog(read)
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(rule))
    user = uuid.uuid4()
    run(handler, sign_in(user, datetime.now(UTC) - timedelta(hours=1)))
    [grant] = fakes.db.grants.values()
    assert grant["status"] == "earned"
    with pytest.raises(rules.RewardExpiredError):
        claim_reward(uow_factory=fakes.uow_factory, auth=fakes.ledger, user_id=user, quest=read)
    assert grant["grant_id"] in fakes.db.grants
    assert fakes.db.grants[grant["grant_id"]]["status"] == "expired"
    assert state(fakes, user, rule).expired == 1
    assert fakes.ledger.credits == {}


def test_grant_delivery_credits_what_is_due_and_backs_off_while_auth_is_down(fakes: Any) -> None:
    rule = quest(streak=1, auto_claim=True, duplication=3)
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(rule))
    user = uuid.uuid4()
    run(handler, sign_in(user, T0), sign_in(user, T0 + timedelta(hours=1)))
    fakes.ledger.down = True
    first = deliver_due(uow_factory=fakes.uow_factory, auth=fakes.ledger)
    assert (first.credited, first.drained) == (0, True)
    attempts = sorted(g["attempts"] for g in fakes.db.grants.values())
    assert attempts == [0, 1]  # the round stopped at the first failure
    fakes.ledger.down = False
    for g in fakes.db.grants.values():
        g["next_attempt_at"] = T0  # the backoff has passed
    second = deliver_due(uow_factory=fakes.uow_factory, auth=fakes.ledger)
    assert second.credited == 2
    assert {g["status"] for g in fakes.db.grants.values()} == {"credited"}
    assert len(fakes.ledger.credits) == 2
    assert [n.event for n in fakes.published].count("reward_credited") == 2


def test_grant_delivery_runs_rounds_until_nothing_is_due(fakes: Any) -> None:
    rule = quest(streak=1, auto_claim=True, duplication=5)
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(rule))
    user = uuid.uuid4()
    run(handler, *(sign_in(user, T0 + timedelta(hours=i)) for i in range(5)))
    full = deliver_due(uow_factory=fakes.uow_factory, auth=fakes.ledger, limit=3)
    assert (full.credited, full.drained) == (3, False)
    rest = deliver_due(uow_factory=fakes.uow_factory, auth=fakes.ledger, limit=3)
    assert (rest.credited, rest.drained) == (2, True)


def test_a_deleted_players_pending_grant_is_erased_not_delivered(fakes: Any) -> None:
    rule = quest(streak=1, auto_claim=True)
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(rule))
    user = uuid.uuid4()
    run(handler, sign_in(user, T0))
    fakes.db.tombstones[str(user)] = T0  # deleted in the moment the grant was owed
    delivered = deliver_due(uow_factory=fakes.uow_factory, auth=fakes.ledger)
    assert delivered.credited == 0
    assert fakes.db.grants == {}
    assert fakes.ledger.credits == {}


def test_a_check_in_is_sent_only_when_the_quest_moved_and_says_why(fakes: Any) -> None:
    daily = quest(streak=5, streak_mode="daily")
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(daily))
    user = uuid.uuid4()
    run(handler, sign_in(user, T0))
    run(handler, sign_in(user, T0 + timedelta(hours=1)))  # the same local day: no step
    run(handler, sign_in(user, T0 + timedelta(days=3)))  # days missed: the streak starts again
    check_ins = [n.data for n in fakes.published if n.event == "check_in"]
    assert [(c["streak"], c["verdict"]) for c in check_ins] == [(1, "counted"), (1, "streak_reset")]


# --- any event (DESIGN §14) ------------------------------------------------------------------


def ingested(user: uuid.UUID, at: datetime, event_type: str, **data: Any) -> bytes:
    return ingested_body(user, event_type, at, **data)


def test_ingested_events_count_in_the_players_latest_zone_and_unlock_chains(fakes: Any) -> None:
    first = quest(name="sign-in-once", streak=1, duplication=1)
    spend = quest(
        name="spend",
        event_type="purchase",
        trigger="event",
        streak=500,
        duplication=1,
        measure="sum",
        measure_property="gold",
        requires=["sign-in-once"],
        auto_claim=True,
        where=[{"property": "shop", "op": "ne", "value": "black-market"}],
    )
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(spend, first))
    user = uuid.uuid4()
    # Before the prerequisite: locked, nothing moves.
    run(handler, ingested(user, T0, "purchase", gold=300, shop="main"))
    assert state(fakes, user, spend) == ProgressState()
    # The sign-in (carrying Paris) completes the prerequisite; in the same batch the purchases
    # count, a filtered one does not, and the excess over 500 is carried.
    run(
        handler,
        sign_in(user, T0 + timedelta(minutes=1)),
        ingested(user, T0 + timedelta(minutes=2), "purchase", gold=400, shop="main"),
        ingested(user, T0 + timedelta(minutes=3), "purchase", gold=999, shop="black-market"),
        ingested(user, T0 + timedelta(minutes=4), "purchase", gold=0, shop="main"),
    )
    assert state(fakes, user, first).completed == 1
    assert state(fakes, user, spend).streak == 400
    run(handler, ingested(user, T0 + timedelta(minutes=5), "purchase", gold=150, shop="main"))
    after = state(fakes, user, spend)
    assert (after.completed, after.claimed, after.streak) == (1, 1, 0)  # done: nothing carried
    paid = [g for g in fakes.db.grants.values() if g["quest_id"] == spend.quest_id]
    assert [g["reason"] for g in paid] == ["quest_auto_claim"]
    # Every event is recorded once, the ingested ones dated in the player's latest zone.
    recorded = {e.envelope_type: e for e in fakes.db.events}
    # The player is told of each move, with what the quest counts.
    moves = [n.data for n in fakes.db.notifications if n.event == "check_in"]
    assert [
        (m["event_type"], m["streak"]) for m in moves if m["quest_id"] == str(spend.quest_id)
    ] == [
        ("purchase", 400),
        ("purchase", 0),
    ]
    assert recorded["ingest.purchase"].time_zone == "Europe/Paris"
    assert recorded["ingest.purchase"].type == "purchase"
    assert len(fakes.db.events) == 6


def test_an_ingested_event_without_its_properties_is_dead_lettered(fakes: Any) -> None:
    handler = EventHandler(uow_factory=fakes.uow_factory, cache=Quests(quest()))
    user = uuid.uuid4()
    bad = make_event(
        source="client:studio",
        type=ingest_type("purchase"),
        subject=str(user),
        data={"user_id": str(user), "data": "gold=5"},
        time=T0,
    ).to_json()
    assert run(handler, bad) == [Outcome.DEAD_LETTER]
    assert fakes.db.events == []
