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
from http import HTTPStatus

import sqlalchemy as sa

from auth_service.core.config import Settings
from auth_service.core.events import PRODUCER, SOURCE
from auth_service.core.security import (
    hash_password,
    hash_refresh_token,
    needs_rehash,
    new_refresh_token,
    sign_in_gate,
    verify_password,
)
from auth_service.core.uow import AuthUnitOfWork
from auth_service.signin import throttle
from auth_service.tokens.models import RefreshToken
from auth_service.tokens.service import BannedUserError, rotate_refresh_token
from auth_service.users.models import User, UserStatus
from quest_common.db import utcnow
from quest_common.events import (
    EventType,
    make_event,
    rfc3339,
    routing_key,
    stored_envelope,
)
from quest_common.outbox import OutboxEvent, outbox_insert
from quest_common.refusals import ClientError, RetryLaterError


class InvalidCredentialsError(
    ClientError, status=HTTPStatus.BAD_REQUEST, detail="Incorrect user name or password"
):
    pass


class ThrottledError(RetryLaterError, detail="Too many failed sign-in attempts, try again later"):
    pass


@dataclass(frozen=True, slots=True)
class SignedInUser:
    """The user's columns a password sign-in reads (`_SELECT_USER`): a plain row, not an ORM
    `User` (building one, with its instrumented state, cost more CPU than the query). Enough
    for `TokenService.access_token`."""

    user_id: uuid.UUID
    user_name: str
    hashed_password: str
    status: int
    role: str
    time_zone: str


@dataclass(frozen=True)
class SignIn:
    user: SignedInUser  # as it was read: `status` is the one before this sign-in
    refresh_token: str
    event_type: str


def sign_in_event_type(status: int) -> str:
    return EventType.NEW_USER_SIGN_IN if status == UserStatus.NEW else EventType.USER_SIGN_IN


def sign_in_data(
    *, user_id: uuid.UUID, user_name: str, time_zone: str, method: str, now: datetime
) -> dict[str, str]:
    """The `data` of every sign-in event. `time_zone` lets processing count the player's local
    days; `method` says how they signed in ("password" or "resume")."""
    return {
        "user_id": str(user_id),
        "user_name": user_name,
        "signed_in_at": rfc3339(now),
        "time_zone": time_zone,
        "method": method,
    }


_USERS = User.__table__  # type: ignore[attr-defined]
_REFRESH = RefreshToken.__table__  # type: ignore[attr-defined]
_OUTBOX = OutboxEvent.__table__  # type: ignore[attr-defined]

# Built once: a statement object reused keeps its cache key, so SQLAlchemy neither rebuilds nor
# recompiles it per login.
_SELECT_USER = (
    sa.select(
        _USERS.c.user_id,
        _USERS.c.user_name,
        _USERS.c.hashed_password,
        _USERS.c.status,
        _USERS.c.role,
        _USERS.c.time_zone,
        # The throttle states ride along: one round trip instead of two. Read without locks:
        # the user row lock already serialises the account's attempts, and failures are
        # counted atomically (record_failure) either way.
        throttle.states_subquery(
            account=sa.bindparam("p_account_subject"), address=sa.bindparam("p_address_subject")
        ).label("throttles"),
    )
    .where(_USERS.c.user_name == sa.bindparam("p_user_name"))
    .with_for_update(of=_USERS)
)


def _write_statement(*, rehash: bool) -> sa.Insert:
    """Status flip, outbox row and refresh token in one statement: PostgreSQL runs every
    data-modifying CTE whether or not the main statement references it."""
    changes: dict[str, sa.BindParameter[object]] = {
        "status": sa.bindparam("p_status"),
        "last_sign_in_at": sa.bindparam("p_now"),
        "updated_at": sa.bindparam("p_now"),
    }
    if rehash:
        changes["hashed_password"] = sa.bindparam("p_hashed_password")
    flip = _USERS.update().where(_USERS.c.user_id == sa.bindparam("p_user_id")).values(changes)
    event = outbox_insert(
        id=sa.bindparam("p_event_id"),
        routing_key=sa.bindparam("p_routing_key"),
        event_type=sa.bindparam("p_event_type"),
        payload=sa.bindparam("p_payload", type_=_OUTBOX.c.payload.type),
        created_at=sa.bindparam("p_now"),
    )
    return (
        _REFRESH.insert()
        .values(
            token_id=sa.bindparam("p_token_id"),
            token_hash=sa.bindparam("p_token_hash"),
            family_id=sa.bindparam("p_family_id"),
            user_id=sa.bindparam("p_user_id"),
            created_at=sa.bindparam("p_now"),
            expires_at=sa.bindparam("p_expires_at"),
        )
        .add_cte(flip.cte("status_flip"))
        .add_cte(event.cte("sign_in_event"))
    )


_WRITE = {rehash: _write_statement(rehash=rehash) for rehash in (False, True)}


# Through the gate: this function's first read takes a connection and the row lock, and its
# commit gives both back, so crowds queue in arrival order before holding either.
@sign_in_gate
def sign_in(
    *,
    uow: AuthUnitOfWork,
    user_name: str,
    password: str,
    client_address: str,
    settings: Settings,
    now: datetime | None = None,
) -> SignIn:
    now = now or utcnow()
    session = uow.session
    # The two hot statements go straight to the session's connection (same transaction): they
    # are Core, and the ORM session's execute path costs more CPU than they do.
    connection = session.connection()
    found = connection.execute(
        _SELECT_USER,
        {
            "p_user_name": user_name,
            "p_account_subject": user_name[:255],
            "p_address_subject": client_address[:255],
        },
    ).first()
    user = (
        SignedInUser(
            user_id=found.user_id,
            user_name=found.user_name,
            hashed_password=found.hashed_password,
            status=found.status,
            role=found.role,
            time_zone=found.time_zone,
        )
        if found is not None
        else None
    )
    subjects = [(throttle.ACCOUNT, user_name), (throttle.ADDRESS, client_address)]
    states = (
        throttle.states_from_json(found.throttles)
        if found is not None
        # No such user, so no row came back: the states need their own query.
        else throttle.load_many(session=session, subjects=subjects)
    )
    account_state = states.get((throttle.ACCOUNT, user_name))
    wait = throttle.wait_needed(states, now=now)
    if wait is not None:
        uow.rollback()
        raise ThrottledError(wait)

    # Unknown names verify against a dummy hash: same time, same answer as a wrong password.
    if not verify_password(password, user.hashed_password if user is not None else None):
        policies = settings.login_policies
        throttle.record_failures(
            session=session,
            subjects=[(scope, subject, policies[scope]) for scope, subject in subjects],
            now=now,
        )
        uow.commit()
        raise InvalidCredentialsError
    assert user is not None

    if user.status == UserStatus.BANNED:
        uow.rollback()
        raise BannedUserError

    if account_state is not None:
        throttle.reset(session=session, scope=throttle.ACCOUNT, subject=user_name)
    params: dict[str, object] = {"p_user_id": user.user_id, "p_status": UserStatus.ACTIVE}
    rehash = needs_rehash(user.hashed_password)
    if rehash:
        # Parameters were raised since this hash was made: upgrade it while we know the password.
        params["p_hashed_password"] = hash_password(password)

    event_type = sign_in_event_type(user.status)
    # Our own envelope, built as stored: validating it through the model cost CPU per login.
    event = stored_envelope(
        source=SOURCE,
        type=event_type,
        subject=str(user.user_id),
        time=now,
        data=sign_in_data(
            user_id=user.user_id,
            user_name=user.user_name,
            time_zone=user.time_zone,
            method="password",
            now=now,
        ),
    )
    refresh = new_refresh_token()
    params.update(
        p_now=now,
        p_event_id=uuid.UUID(event["id"]),
        p_routing_key=routing_key(PRODUCER, event_type),
        p_event_type=event_type,
        p_payload=event,
        p_token_id=uuid.uuid4(),
        p_token_hash=hash_refresh_token(refresh),
        p_family_id=uuid.uuid4(),
        p_expires_at=now + timedelta(days=settings.refresh_token_expire_days),
    )
    connection.execute(_WRITE[rehash], params)
    uow.outbox_written()  # the sign-in event is in `_WRITE`: it leaves as soon as this commits
    uow.commit()
    return SignIn(user=user, refresh_token=refresh, event_type=event_type)


# --- resumed sessions --------------------------------------------------------------------------

# One statement decides and records: a concurrent resume of the same player waits for this
# row lock, then re-checks the condition against the updated row and matches nothing, so two
# tabs resuming at once emit one sign-in.
_RESUME = (
    _USERS.update()
    .where(
        _USERS.c.user_id == sa.bindparam("p_user_id"),
        _USERS.c.status != UserStatus.BANNED,
        sa.or_(
            _USERS.c.last_sign_in_at.is_(None),
            _USERS.c.last_sign_in_at <= sa.bindparam("p_due_at"),
        ),
    )
    .values(last_sign_in_at=sa.bindparam("p_now"), updated_at=sa.bindparam("p_now"))
    .returning(_USERS.c.user_name, _USERS.c.time_zone)
)


def resume_sign_in(
    *, uow: AuthUnitOfWork, user_id: uuid.UUID, settings: Settings, now: datetime
) -> bool:
    """A resumed session is a sign-in when the player's last sign-in of any kind is at least
    `resume_sign_in_after_s` old: record it and put `UserSignIn` (method "resume") in the
    outbox, in the caller's transaction. Returns whether it counted."""
    row = uow.session.execute(
        _RESUME,
        {
            "p_user_id": user_id,
            "p_due_at": now - timedelta(seconds=settings.resume_sign_in_after_s),
            "p_now": now,
        },
    ).first()
    if row is None:
        return False
    event = make_event(
        source=SOURCE,
        type=EventType.USER_SIGN_IN,
        subject=str(user_id),
        time=now,
        data=sign_in_data(
            user_id=user_id,
            user_name=row.user_name,
            time_zone=row.time_zone,
            method="resume",
            now=now,
        ),
    )
    uow.publish(event, routing_key=routing_key(PRODUCER, EventType.USER_SIGN_IN))
    return True


def refresh_session(
    *, uow: AuthUnitOfWork, token: str, settings: Settings, resume: bool
) -> tuple[User, str]:
    """Spend a refresh token for the next one of its family (commits). With `resume` (the web
    UI starting with a valid session) the player's return is also a sign-in when their last one
    is old enough (`resume_sign_in`), in the rotation's own transaction: the new token and the
    sign-in event commit together or not at all."""

    def record_resume(user: User, now: datetime) -> None:
        resume_sign_in(uow=uow, user_id=user.user_id, settings=settings, now=now)

    return rotate_refresh_token(
        uow=uow,
        token=token,
        lifetime=timedelta(days=settings.refresh_token_expire_days),
        grace=timedelta(seconds=settings.refresh_reuse_grace_seconds),
        before_commit=record_resume if resume else None,
    )
