"""Password sign-in: throttle, verify, flip status, store the sign-in event, issue tokens.

One transaction per sign-in. The user's row is locked (`SELECT ... FOR UPDATE`) for its whole
duration, so concurrent logins of one account are serialised: exactly one of fifty parallel
first logins sees status 0 and emits `NewUserSignIn`, and the account's failure count is exact.
The event goes to the outbox in that same transaction: a 2xx login means its event is durable,
whether or not the broker is up (the relay publishes it).

The success path uses SQLAlchemy Core, not the ORM: it is the hottest path of the service and
ORM bookkeeping cost more CPU than the statements. The three writes (status flip, outbox row,
refresh token) go in one statement (data-modifying CTEs), so a login is two reads, one write
and the commit.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from auth_service import throttle
from auth_service.core.config import Settings
from auth_service.core.security import (
    hash_password,
    hash_refresh_token,
    new_refresh_token,
    pwd_context,
    verify_password,
)
from auth_service.models import RefreshToken, User, UserStatus
from quest_common.db import utcnow
from quest_common.events import EventType, make_event, rfc3339, routing_key
from quest_common.outbox import OutboxEvent

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


_USERS = User.__table__  # type: ignore[attr-defined]
_REFRESH = RefreshToken.__table__  # type: ignore[attr-defined]
_OUTBOX = OutboxEvent.__table__  # type: ignore[attr-defined]


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
    found = session.execute(
        sa.select(
            _USERS.c.user_id,
            _USERS.c.user_name,
            _USERS.c.hashed_password,
            _USERS.c.status,
            _USERS.c.role,
        )
        .where(_USERS.c.user_name == user_name)
        .with_for_update()
    ).first()
    user = (
        User(
            user_id=found.user_id,
            user_name=found.user_name,
            hashed_password=found.hashed_password,
            status=found.status,
            role=found.role,
        )
        if found is not None
        else None
    )
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
    changes: dict[str, object] = {
        "status": UserStatus.ACTIVE,
        "last_sign_in_at": now,
        "updated_at": now,
    }
    if pwd_context.needs_update(user.hashed_password):
        # Parameters were raised since this hash was made: upgrade it while we know the password.
        changes["hashed_password"] = hash_password(password)

    event_type = sign_in_event_type(user.status)
    event = make_event(
        source=SOURCE,
        type=event_type,
        subject=str(user.user_id),
        time=now,
        data={
            "user_id": str(user.user_id),
            "user_name": user.user_name,
            "signed_in_at": rfc3339(now),
        },
    )
    refresh = new_refresh_token()
    # One round trip: PostgreSQL runs every data-modifying CTE whether or not it is referenced.
    flip = _USERS.update().where(_USERS.c.user_id == user.user_id).values(**changes)
    # Same row as quest_common.outbox.enqueue builds, written with Core.
    outbox_row = _OUTBOX.insert().values(
        id=uuid.UUID(event.id),
        routing_key=routing_key(PRODUCER, event_type),
        event_type=event.type,
        payload=event.model_dump(mode="json", exclude_none=True),
        created_at=now,
        attempts=0,
    )
    session.execute(
        _REFRESH.insert()
        .values(
            token_id=uuid.uuid4(),
            token_hash=hash_refresh_token(refresh),
            family_id=uuid.uuid4(),
            user_id=user.user_id,
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_expire_days),
        )
        .add_cte(flip.cte("status_flip"))
        .add_cte(outbox_row.cte("sign_in_event"))
    )
    session.commit()
    user.status = UserStatus.ACTIVE
    user.last_sign_in_at = now
    user.updated_at = now
    return SignIn(user=user, refresh_token=refresh, event_type=event_type)
