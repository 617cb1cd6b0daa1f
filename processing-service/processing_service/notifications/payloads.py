"""What a notification carries: the SSE event names, the processing event type of each, and
one pydantic model per SSE payload (published in processing's OpenAPI, so the web UI's types
are generated from them); no I/O."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

from quest_common.events import EventType

CHECK_IN: Final = "check_in"
QUEST_COMPLETED: Final = "quest_completed"
REWARD_CREDITED: Final = "reward_credited"
# From auth (`auth.LevelReached {user_id, level}`), relayed live to the player's streams: it is
# not stored, so it has no `id` and is not replayed (the level itself is on the player's profile).
LEVEL_REACHED: Final = "level_reached"
LEVEL_REACHED_KEY: Final = "auth.LevelReached"

# The processing event type published for each SSE event name, and back.
EVENT_TYPES: Final = {
    CHECK_IN: EventType.QUEST_PROGRESSED,
    QUEST_COMPLETED: EventType.QUEST_COMPLETED,
    REWARD_CREDITED: EventType.REWARD_CREDITED,
}
SSE_NAMES: Final = {v: k for k, v in EVENT_TYPES.items()}

# A deep queue's batch publishes its notifications as one message of this type (routing key
# `processing.NotificationBatch`): data `{"items": [{"type": <one of EVENT_TYPES' values>,
# "user_id", "notification_id", ...the SSE data}, ...]}` in order. A broker message per check-in
# would cost the worker more than the whole database transaction.
NOTIFICATION_BATCH: Final = "NotificationBatch"


Item = Literal["diamond", "gold", "xp", "badge"]
QuestStatus = Literal["in_progress", "claimable", "done"]
# What the rules said of the sign-in that moved the quest (`progress.rules.Verdict`).
CountedVerdict = Literal["counted", "grace_used", "streak_reset"]


class QuestNotice(BaseModel):
    quest_id: str
    quest_name: str
    title: str
    completed: int = Field(description="Completions so far (earned rewards)")
    duplication: int = Field(description="The most completions the quest allows")


class CheckInNotice(QuestNotice):
    """`check_in`: an event (a sign-in, or a game server's) moved the quest (sent only then)."""

    event_type: str = Field(
        default="sign_in", description="What the quest counts: `sign_in` or a game's event type"
    )
    streak: int | float = Field(
        description="Progress after this event (0 once it completed; a sum carries the excess)"
    )
    target: int
    status: QuestStatus
    claimable: int
    verdict: CountedVerdict
    # The player's time after this event, as `GET /me/quests` would say it now: the card takes
    # the frame as it is, without asking again.
    time_zone: str = Field(default="UTC", description="The zone the event was dated in")
    counted_today: bool = Field(
        default=False, description="An event already counted on the player's local today"
    )
    next_count_at: datetime | None = Field(
        default=None, description="When the next event can count (cooldown, next local day)"
    )
    grace_left: int = Field(default=0, description="Missed days the streak can still absorb")


class QuestCompletedNotice(QuestNotice):
    """`quest_completed`: the streak was reached; the reward is earned."""

    reward_item: Item
    reward_qty: int
    auto_claim: bool


class RewardCreditedNotice(BaseModel):
    """`reward_credited`: auth's wallet took the reward."""

    quest_id: str
    title: str
    grant_id: str
    item: Item
    qty: int


class LevelReachedNotice(BaseModel):
    """`level_reached`: auth's `LevelReached`, relayed live (never stored, so never replayed)."""

    level: int


# The payload of each SSE event name.
PAYLOADS: Final = {
    CHECK_IN: CheckInNotice,
    QUEST_COMPLETED: QuestCompletedNotice,
    REWARD_CREDITED: RewardCreditedNotice,
    LEVEL_REACHED: LevelReachedNotice,
}


def data(payload: BaseModel) -> dict[str, Any]:
    """A payload as a notification's `data` (what is stored, published and streamed)."""
    return payload.model_dump(mode="json")
