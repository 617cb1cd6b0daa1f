"""Password sign-in: throttle, verify, flip status, store the sign-in event, issue tokens.

One transaction per sign-in. The user's row is locked (`SELECT ... FOR UPDATE`) for its whole
duration, so concurrent logins of one account are serialised: exactly one of fifty parallel
first logins sees status 0 and emits `NewUserSignIn`, and the account's failure count is exact.
The event goes to the outbox in that same transaction: a 2xx login means its event is durable,
whether or not the broker is up (the relay publishes it).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from auth_service import throttle
from auth_service.core.config import Settings
from auth_service.core.security import hash_password, pwd_context, verify_password
from auth_service.models import User, UserStatus
from auth_service.tokens import issue_refresh_token
from quest_common.db import utcnow
from quest_common.events import EventType, make_event, rfc3339, routing_key
from quest_common.outbox import enqueue

SOURCE = "auth-service"
PRODUCER = "auth"


class InvalidCredentialsError(Exception):
    pass


class ThrottledError(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


class BannedError(Exception):
    pass


@dataclass(frozen=True)
class SignIn:
    user: User
    refresh_token: str
    event_type: str


def sign_in_event_type(status: int) -> str:
    return EventType.NEW_USER_SIGN_IN if status == UserStatus.NEW else EventType.USER_SIGN_IN


def sign_in(
    *,
    session: Session,
    user_name: str,
    password: str,
    client_address: str,
    settings: Settings,
    now: datetime | None = None,
) -> SignIn:
    now = now or utcnow()
    user = session.exec(select(User).where(User.user_name == user_name).with_for_update()).first()
    # Read without locks: for an existing account the user row lock above already serialises
    # its attempts, and failures are counted atomically (record_failure) either way.
    states = throttle.load_many(
        session=session,
        subjects=[(throttle.ACCOUNT, user_name), (throttle.ADDRESS, client_address)],
    )
    account_state = states.get((throttle.ACCOUNT, user_name))
    waits = [throttle.retry_after(state, now=now) for state in states.values()]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is not None:
        session.rollback()
        raise ThrottledError(wait)

    # Unknown names verify against a dummy hash: same time, same answer as a wrong password.
    if not verify_password(password, user.hashed_password if user is not None else None):
        for scope, subject, policy in (
            (throttle.ACCOUNT, user_name, settings.account_policy),
            (throttle.ADDRESS, client_address, settings.address_policy),
        ):
            throttle.record_failure(
                session=session, scope=scope, subject=subject, policy=policy, now=now
            )
        session.commit()
        raise InvalidCredentialsError
    assert user is not None

    if user.status == UserStatus.BANNED:
        session.rollback()
        raise BannedError

    if account_state is not None:
        throttle.reset(session=session, scope=throttle.ACCOUNT, subject=user_name)
    if pwd_context.needs_update(user.hashed_password):
        # Parameters were raised since this hash was made: upgrade it while we know the password.
        user.hashed_password = hash_password(password)

    event_type = sign_in_event_type(user.status)
    user.status = UserStatus.ACTIVE
    user.last_sign_in_at = now
    user.updated_at = now
    session.add(user)
    enqueue(
        session,
        make_event(
            source=SOURCE,
            type=event_type,
            subject=str(user.user_id),
            time=now,
            data={
                "user_id": str(user.user_id),
                "user_name": user.user_name,
                "signed_in_at": rfc3339(now),
            },
        ),
        routing_key=routing_key(PRODUCER, event_type),
    )
    refresh = issue_refresh_token(
        session=session,
        user_id=user.user_id,
        now=now,
        lifetime=timedelta(days=settings.refresh_token_expire_days),
    )
    session.commit()
    return SignIn(user=user, refresh_token=refresh, event_type=event_type)
