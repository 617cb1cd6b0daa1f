"""SSE event names, the processing event type of each, and the reward payload; no I/O."""

from __future__ import annotations

from typing import Any, Final

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


def reward_credited(
    *, quest_id: str, title: str, grant_id: str, item: str, qty: int
) -> dict[str, Any]:
    return {"quest_id": quest_id, "title": title, "grant_id": grant_id, "item": item, "qty": qty}
