"""The simulation's pure fold: per player from an empty state, the same as `rules.replay`, however
the stream is cut into chunks; and the parsing of deletion events."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from processing_service.deletions.handler import InvalidDeletionError, parse_user_deleted
from processing_service.progress import rules
from processing_service.progress.rules import PlayerEvent
from processing_service.simulation import replay
from processing_service.simulation.draft import SimulationRequest
from quest_devtools.testing.quests import catalog_quest

RULE = rules.QuestRule.from_catalog(
    catalog_quest(
        name="q", title="Q", streak=2, streak_mode="daily", reward_item="gold", reward_qty=5
    )
)
START = datetime(2026, 1, 1, tzinfo=UTC)

histories = st.lists(
    st.lists(st.integers(min_value=0, max_value=24 * 20), max_size=15).map(sorted), max_size=8
)


def rows_of(history: list[list[int]]) -> list[replay.Row]:
    return [
        (f"user-{i:03}", START + timedelta(hours=h), "sign_in", None, None)
        for i, hours in enumerate(history)
        for h in hours
    ]


@given(histories, st.integers(min_value=1, max_value=10))
def test_the_fold_equals_replay_per_player_whatever_the_chunks(
    history: list[list[int]], chunk: int
) -> None:
    rows = rows_of(history)
    tally = replay.start(RULE, per_player=True)
    for i in range(0, len(rows), chunk):
        replay.fold(tally, rows[i : i + chunk])
    result = replay.finish(tally)
    expected = {
        f"user-{i:03}": rules.replay(
            RULE, [PlayerEvent(time=START + timedelta(hours=h)) for h in hours]
        ).completed
        for i, hours in enumerate(history)
        if hours
    }
    assert tally.per_player == expected
    assert result["events_replayed"] == len(rows)
    assert result["completions"] == sum(expected.values())
    assert result["minted"] == {"diamond": 0, "gold": 5 * sum(expected.values())}
    assert sum(result["completions_histogram"].values()) == result["players"] == len(expected)


def test_draft_rules_and_windows() -> None:
    request = SimulationRequest.model_validate(
        {
            "quest": {
                "streak": 3,
                "streak_mode": "daily",
                "grace_days": 1,
                "reward": {"reward_item": "diamond", "reward_qty": 2},
            },
            "since": "2026-01-01T00:00:00Z",
        }
    )
    assert request.quest.reward is not None
    rule = request.quest.rule(request.quest.reward)
    assert (rule.streak, rule.grace_days, rule.reward_item, rule.reward_qty) == (3, 1, "diamond", 2)
    with pytest.raises(ValueError, match="since must be before until"):
        SimulationRequest.model_validate(
            {
                "quest": request.quest.model_dump(),
                "since": "2026-02-01T00:00:00Z",
                "until": "2026-01-01T00:00:00Z",
            }
        )
    with pytest.raises(ValueError, match="time zone"):
        SimulationRequest.model_validate(
            {"quest": request.quest.model_dump(), "since": "2026-02-01T00:00:00"}
        )


def test_parse_user_deleted() -> None:
    user = uuid.uuid4()
    body = {
        "type": "UserDeleted",
        "subject": str(user),
        "data": {"user_id": str(user), "deleted_at": "2026-01-01T00:00:00+00:00"},
    }
    assert parse_user_deleted(json.dumps(body).encode()) == (user, datetime(2026, 1, 1, tzinfo=UTC))
    assert parse_user_deleted(json.dumps({**body, "type": "UserSignIn"}).encode()) is None
    with pytest.raises(InvalidDeletionError):
        parse_user_deleted(
            json.dumps({**body, "data": {"user_id": "nope"}, "subject": "x"}).encode()
        )
    with pytest.raises(InvalidDeletionError):
        parse_user_deleted(b"\xff")
