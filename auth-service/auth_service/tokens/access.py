"""Current authorisation: void a user's access tokens now, not at their expiry (DESIGN §12).

`void_tokens` adds to the caller's transaction both the user's new line (`tokens_valid_after`)
and the `auth.UserAccessChanged` event in the outbox, so a committed ban always reaches the
other services and an uncommitted one never does. The snapshot below serves the same lines to a
replica that starts (or reconnects to the broker) and must not miss the ones it did not hear.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any, Literal

import jwt
from sqlmodel import Session, col, select

from auth_service.clients import service as clients
from auth_service.core.events import PRODUCER, SOURCE
from auth_service.core.security import ALGORITHM
from auth_service.core.uow import AuthUnitOfWork
from auth_service.tokens.keys import KeyRing
from auth_service.users.models import User
from quest_common.access import ACCESS_CHANGED, SNAPSHOT_AUDIENCE, encode_entries
from quest_common.events import make_event, rfc3339, routing_key

ACCESS_CHANGED_KEY = routing_key(PRODUCER, ACCESS_CHANGED)

Reason = Literal["role", "status", "deleted", "logout_everywhere", "password"]


def void_tokens(*, uow: AuthUnitOfWork, user: User, reason: Reason, now: datetime) -> None:
    """Add to the caller's transaction: every access token of `user` issued before `now` is void
    in every service within seconds. The caller commits."""
    user.tokens_valid_after = now
    uow.session.add(user)
    event = make_event(
        source=SOURCE,
        type=ACCESS_CHANGED,
        subject=str(user.user_id),
        time=now,
        data={"user_id": str(user.user_id), "not_before": rfc3339(now), "reason": reason},
    )
    uow.publish(event, routing_key=ACCESS_CHANGED_KEY)


def route_required(key: str) -> bool:
    """For the outbox relay: nobody may be listening for access changes (no other service up),
    and that must not hold back the sign-in events queued after one."""
    return key != ACCESS_CHANGED_KEY


def recent_lines(*, session: Session, since: datetime) -> dict[uuid.UUID, datetime]:
    rows = session.exec(
        select(User.user_id, User.tokens_valid_after).where(col(User.tokens_valid_after) >= since)
    ).all()
    return {user_id: line for user_id, line in rows if line is not None}


def signed_snapshot(
    *,
    session: Session,
    keyring: KeyRing,
    issuer: str,
    horizon: timedelta,
    now: datetime,
    lifetime: timedelta = timedelta(minutes=2),
) -> str:
    """The lines newer than `horizon` (older ones cannot concern a live access token) as a JWT
    signed with the token key, so services verify it through the JWKS they already trust."""
    since = now - horizon
    lines = {
        str(user_id): line for user_id, line in recent_lines(session=session, since=since).items()
    }
    # Clients' lines too, under their tokens' subject (`client:<id>`).
    lines.update(clients.recent_lines(session=session, since=since))
    active = keyring.snapshot().active
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": SNAPSHOT_AUDIENCE,
        "sub": "access-snapshot",
        "iat": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
        "not_before": encode_entries(
            {subject: line.timestamp() for subject, line in lines.items()}
        ),
    }
    return jwt.encode(claims, active.private_key, algorithm=ALGORITHM, headers={"kid": active.kid})
