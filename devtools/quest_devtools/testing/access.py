"""Publishing what auth publishes when a user's tokens become void, for the listeners' tests."""

from __future__ import annotations

from datetime import datetime

from quest_common.access import ACCESS_CHANGED, ACCESS_CHANGED_KEY
from quest_common.broker.publisher import ConfirmingPublisher
from quest_common.events import make_event, rfc3339


def publish_access_change(
    amqp_url: str, exchange: str, *, user_id: str, not_before: datetime, reason: str = "status"
) -> None:
    """One `auth.UserAccessChanged` on `exchange`, confirmed by the broker."""
    event = make_event(
        source="auth-service",
        type=ACCESS_CHANGED,
        subject=user_id,
        data={"user_id": user_id, "not_before": rfc3339(not_before), "reason": reason},
    )
    publisher = ConfirmingPublisher(amqp_url, exchange, name="test-access-change")
    try:
        publisher.publish(event, routing_key=ACCESS_CHANGED_KEY)
    finally:
        publisher.close()
