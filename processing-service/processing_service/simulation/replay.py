"""The pure part of a simulation: fold recorded events (grouped by player) through the quest
rules and tally what the quest would have done. No I/O: the runner streams rows in, the tests
feed lists."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from processing_service.progress.rules import (
    DEFAULT_ZONE,
    PlayerEvent,
    ProgressState,
    QuestRule,
    apply_event,
)

SAMPLE_SIZE = 10

# One recorded event as the simulation reads it: (player, time, event type, zone or None, and
# its properties — a sign-in has none).
Row = tuple[str, datetime, str, str | None, dict[str, Any] | None]


@dataclass
class Tally:
    rule: QuestRule
    events_replayed: int = 0
    players: int = 0
    completions: int = 0
    players_completing: int = 0
    histogram: Counter[int] = field(default_factory=Counter)
    sample: list[dict[str, Any]] = field(default_factory=list)
    # Completions per player (every player with events in the window, 0 included).
    per_player: dict[str, int] | None = None
    # The player being folded when a chunk ends (a player's events may span two chunks).
    current_user: str | None = None
    current_state: ProgressState = field(default_factory=ProgressState)
    current_events: int = 0
    # The operators' incident windows, as the worker passes them to the rules.
    incidents: tuple[Any, ...] = ()

    def close_player(self, user_id: str, state: ProgressState, events: int) -> None:
        self.players += 1
        self.completions += state.completed
        self.histogram[state.completed] += 1
        if state.completed:
            self.players_completing += 1
        if self.per_player is not None:
            self.per_player[user_id] = state.completed
        # The sample favours players who completed (what an operator wants to check by hand).
        if len(self.sample) < SAMPLE_SIZE and (state.completed or self.players > 100):
            self.sample.append(
                {
                    "user_id": user_id,
                    "events": events,
                    "completed": state.completed,
                    "streak": state.streak,
                }
            )

    def result(self) -> dict[str, Any]:
        minted = {"diamond": 0, "gold": 0}
        if self.rule.reward_item in minted:
            minted[self.rule.reward_item] = self.completions * self.rule.reward_qty
        return {
            "events_replayed": self.events_replayed,
            "players": self.players,
            "completions": self.completions,
            "players_completing": self.players_completing,
            "minted": minted,
            "completions_histogram": {str(k): v for k, v in sorted(self.histogram.items())},
            "sample": self.sample,
        }


def fold(tally: Tally, rows: Iterable[Row]) -> None:
    """Fold rows ordered by player (then in the worker's order) into `tally`.

    Call it once per chunk of a stream; `finish` closes the last player. Each player starts from
    an empty state, as a quest that did not exist before the window would."""
    rule = tally.rule
    user, state, events = tally.current_user, tally.current_state, tally.current_events
    replayed = 0
    empty = ProgressState()
    for user_id, at, event_type, zone, data in rows:
        if user_id != user:
            if user is not None:
                tally.close_player(user, state, events)
            user, state, events = user_id, empty, 0
        # A draft is judged alone: its prerequisites (`requires`) are not applied here.
        event = PlayerEvent(
            time=at, time_zone=zone or DEFAULT_ZONE, type=event_type, data=data or {}
        )
        state = apply_event(rule, state, event, incidents=tally.incidents, check_window=True).state
        events += 1
        replayed += 1
    tally.events_replayed += replayed
    tally.current_user, tally.current_state, tally.current_events = user, state, events


def start(rule: QuestRule, *, per_player: bool = False, incidents: Iterable[Any] = ()) -> Tally:
    return Tally(rule=rule, per_player={} if per_player else None, incidents=tuple(incidents))


def finish(tally: Tally) -> dict[str, Any]:
    if tally.current_user is not None:
        tally.close_player(tally.current_user, tally.current_state, tally.current_events)
        tally.current_user = None
    return tally.result()


def simulate(rule: QuestRule, rows: Iterable[Row]) -> dict[str, Any]:
    """The whole fold in one call (tests, the benchmark's pure bound)."""
    tally = start(rule)
    fold(tally, rows)
    return finish(tally)
