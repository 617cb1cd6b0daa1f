"""Property (DESIGN §10): the worker's stored progress equals `rules.replay` over the recorded
events — whatever the zones, the order of consumption, the batch cuts and the redeliveries.

The worker's batch core (`consume_events`) runs against the real database; the replay folds
the same events in the order the worker recorded them (`seq`) with the zone each one kept.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlmodel import Session
from tests.processing_helpers import recorded_events

from processing_service.progress import rules
from processing_service.progress.rules import PlayerEvent, QuestRule
from processing_service.progress.service import progress_states

ZONES = ["UTC", "Pacific/Kiritimati", "America/New_York", "Europe/Paris", "Pacific/Pago_Pago"]
START = datetime(2026, 3, 1, tzinfo=UTC)  # spans the US and EU DST changes of March

quests = st.fixed_dictionaries(
    {
        "streak_mode": st.sampled_from(["count", "daily"]),
        "streak": st.integers(1, 4),
        "duplication": st.integers(1, 3),
        "reset": st.sampled_from(["none", "daily", "weekly"]),
        "grace_days": st.integers(0, 2),
        "cooldown_s": st.sampled_from([0, 3600]),
    }
).filter(lambda q: not (q["streak_mode"] == "daily" and q["reset"] == "daily"))
sign_ins = st.lists(
    st.tuples(st.integers(0, 40 * 24 * 60), st.sampled_from(ZONES), st.integers(0, 9)),
    min_size=1,
    max_size=25,
)


def _deadline_bounded(seconds: float) -> Any:
    started = time.monotonic()
    return lambda: time.monotonic() - started < seconds


def test_replay_equals_the_worker(engine: Engine, sign_in: Any, consume: Any) -> None:
    in_time = _deadline_bounded(90)

    @given(quest=quests, events=sign_ins, cuts=st.lists(st.integers(1, 6), max_size=6))
    @settings(
        max_examples=15,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(quest: dict[str, Any], events: list[tuple[int, str, int]], cuts: list[int]) -> None:
        if not in_time():
            return
        rule = QuestRule.from_catalog(sign_in.quest(**quest))
        user = uuid.uuid4()
        ids = [f"{user}-{n}" for n in range(10)]
        # Ids repeat (a redelivery); batches are cut where the draw says.
        received = [
            PlayerEvent(
                event_id=ids[pick],
                user_id=user,
                user_name="p",
                envelope_type="UserSignIn",
                time=START + timedelta(minutes=minute),
                time_zone=zone,
            )
            for minute, zone, pick in events
        ]
        batches, at = [], 0
        for size in [*cuts, len(received)]:
            if at >= len(received):
                break
            batches.append(received[at : at + size])
            at += size
        for batch in batches:
            consume(batch, [rule])

        with Session(engine) as session:
            [stored] = progress_states(
                session=session, user_id=user, quest_ids=[rule.quest_id]
            ).values()
            recorded = recorded_events(session, user)
        expected = rules.replay(
            rule,
            [
                PlayerEvent(time=e.occurred_at, time_zone=e.time_zone, event_id=e.event_id)
                for e in recorded
            ],
        )
        assert stored == expected
        assert len(recorded) == len({e.event_id for e in received})

    check()
