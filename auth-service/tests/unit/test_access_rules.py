"""Which of auth's outbox events need a bound queue before they count as published."""

from auth_service.core.events import PRODUCER
from auth_service.tokens.access import ACCESS_CHANGED_KEY, route_required
from quest_common.events import EventType, routing_key


def test_sign_ins_wait_for_a_queue_access_changes_do_not() -> None:
    assert route_required(routing_key(PRODUCER, EventType.USER_SIGN_IN))
    assert route_required(routing_key(PRODUCER, EventType.NEW_USER_SIGN_IN))
    assert ACCESS_CHANGED_KEY == "auth.UserAccessChanged"
    assert not route_required(ACCESS_CHANGED_KEY)
