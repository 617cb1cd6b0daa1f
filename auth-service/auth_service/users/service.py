"""Users: sign-up, profile, password change, admin management, balances, seeding, audit."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from http import HTTPStatus

from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from auth_service.core.events import SOURCE
from auth_service.core.security import hash_password, verify_password
from auth_service.core.uow import AuthUnitOfWork
from auth_service.tokens.access import void_tokens
from auth_service.tokens.service import revoke_user_tokens
from auth_service.users.models import (
    Role,
    User,
    UserAdminUpdate,
    UserMe,
    UserPublic,
    UserStatus,
)
from auth_service.users.timezones import DEFAULT_TIME_ZONE, is_westward, next_change_at
from quest_common import audit
from quest_common.audit import AuditEntry
from quest_common.db import utcnow
from quest_common.events import USER_CREATED_KEY, CloudEvent, EventType, make_event
from quest_common.progression import level_for_xp
from quest_common.refusals import ClientError


class UserNameTakenError(ClientError, status=HTTPStatus.CONFLICT, detail="User name already taken"):
    pass


class UserNotFoundError(ClientError, status=HTTPStatus.NOT_FOUND, detail="User not found"):
    pass


class WrongPasswordError(ClientError, status=HTTPStatus.BAD_REQUEST, detail="Password is wrong"):
    """A password re-entered to confirm an action is not the account's."""


class WrongCurrentPasswordError(WrongPasswordError, detail="Current password is wrong"):
    """A password change carries two passwords: the answer says which one is wrong."""


class TimeZoneChangeTooSoonError(Exception):
    def __init__(self, next_change_at: datetime) -> None:
        super().__init__(f"next change allowed at {next_change_at.isoformat()}")
        self.next_change_at = next_change_at


class UserDeletedError(ClientError, status=HTTPStatus.CONFLICT, detail="User is deleted"):
    """The account was deleted (anonymised): it can no longer be changed."""


class LastAdminError(
    ClientError,
    status=HTTPStatus.CONFLICT,
    detail="This is the last admin: make another admin before demoting, banning or deleting it",
):
    """Without an active admin nobody could manage quests, rewards or players any more."""


# Arbitrary constant: the advisory lock that serialises changes taking admin rights away.
_ADMINS_LOCK_ID = 0x51_55_45_53_41_44


def is_active_admin(user: User) -> bool:
    return user.role == Role.ADMIN and user.status != UserStatus.BANNED and user.deleted_at is None


def keep_an_admin(*, uow: AuthUnitOfWork, user: User) -> None:
    """Refuse to take the last active admin's rights away (a demotion, a ban or a deletion).

    Called with `user`'s row locked, before the change. The advisory lock makes two such
    changes run one after the other: two admins demoting each other at once would otherwise
    each see the other still active, and both succeed."""
    if not is_active_admin(user):
        return
    session = uow.session
    session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _ADMINS_LOCK_ID})
    others = session.exec(
        select(func.count())
        .select_from(User)
        .where(
            User.role == Role.ADMIN,
            User.status != UserStatus.BANNED,
            col(User.deleted_at).is_(None),
            User.user_id != user.user_id,
        )
    ).one()
    if not others:
        uow.rollback()
        raise LastAdminError(str(user.user_id))


def actor(user: User) -> audit.Actor:
    return audit.Actor(id=str(user.user_id), name=user.user_name)


def audit_snapshot(user: User) -> dict[str, object]:
    """What an audit entry keeps of a user: no name (it would outlive a deletion) and no hash."""
    return {
        "user_id": str(user.user_id),
        "role": str(user.role),
        "status": int(user.status),
        "diamond": user.diamond,
        "gold": user.gold,
        "deleted": user.deleted_at is not None,
    }


def user_created_event(user: User) -> CloudEvent:
    return make_event(
        source=SOURCE,
        type=EventType.USER_CREATED,
        subject=str(user.user_id),
        time=user.created_at,
        data={
            "user_id": str(user.user_id),
            "user_name": user.user_name,
            "time_zone": user.time_zone,
        },
    )


def create_user(
    *,
    uow: AuthUnitOfWork,
    user_name: str,
    password: str,
    role: Role = Role.PLAYER,
    time_zone: str = DEFAULT_TIME_ZONE,
) -> User:
    hashed = hash_password(password)
    now = utcnow()
    # Choosing the zone at sign-up is not a change (time_zone_changed_at stays empty); the
    # interval before the first change runs from created_at (see timezones.next_change_at).
    user = User(
        user_name=user_name,
        hashed_password=hashed,
        role=role,
        time_zone=time_zone,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(user)
    try:
        uow.session.flush()  # the user id, for the announcement below
        # Processing keeps the set of players (and their latest zone) from this: an ingested
        # event for an account it was never told of is refused.
        uow.publish(user_created_event(user), routing_key=USER_CREATED_KEY)
        uow.commit()
    except IntegrityError as exc:
        # The unique index decides (two sign-ups racing for one name both pass a pre-check).
        uow.rollback()
        raise UserNameTakenError(user_name) from exc
    uow.session.refresh(user)
    return user


def lock_user(*, session: Session, user_id: uuid.UUID) -> User | None:
    """The user's row, locked (`FOR UPDATE`) until the caller's transaction ends."""
    return session.exec(select(User).where(User.user_id == user_id).with_for_update()).first()


def get_user(*, session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise UserNotFoundError(str(user_id))
    return user


def name_contains(search: str) -> str:
    """A LIKE pattern matching names that contain `search` literally (`%`, `_` and `\\` in it
    are not wildcards)."""
    escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_users(
    *, session: Session, limit: int, offset: int, search: str | None = None
) -> tuple[list[User], int]:
    """A page of users, oldest first; with `search`, only names containing it (any case)."""
    matching = [col(User.user_name).ilike(name_contains(search), escape="\\")] if search else []
    count = session.exec(select(func.count()).select_from(User).where(*matching)).one()
    users = session.exec(
        select(User)
        .where(*matching)
        .order_by(col(User.created_at), col(User.user_name))
        .offset(offset)
        .limit(limit)
    ).all()
    return list(users), int(count)


def update_user(
    *, uow: AuthUnitOfWork, user_id: uuid.UUID, changes: UserAdminUpdate, actor: audit.Actor
) -> User:
    """Change role and/or status; a change is audited in its own transaction (a request that
    changes nothing writes nothing)."""
    session = uow.session
    user = lock_user(session=session, user_id=user_id)
    if user is None:
        raise UserNotFoundError(str(user_id))
    if user.deleted_at is not None:
        uow.rollback()
        raise UserDeletedError(str(user_id))
    if (changes.role is not None and changes.role != Role.ADMIN) or (
        changes.status == UserStatus.BANNED
    ):
        keep_an_admin(uow=uow, user=user)
    before = audit_snapshot(user)
    now = utcnow()
    if changes.role is not None and changes.role != user.role:
        if user.role == Role.ADMIN:
            # A demotion: the old tokens say "admin" and must stop working everywhere (a
            # refresh issues one with the new role). A promotion needs nothing: auth reads the
            # role from its row, other services see it in the next token.
            void_tokens(uow=uow, user=user, reason="role", now=now)
        user.role = changes.role
    if changes.status is not None and changes.status != user.status:
        user.status = changes.status
        if changes.status == UserStatus.BANNED:
            void_tokens(uow=uow, user=user, reason="status", now=now)
            # A ban also ends the sessions: no refresh brings a new access token.
            revoke_user_tokens(session=session, user_id=user.user_id, now=now)
    after = audit_snapshot(user)
    if after == before:
        uow.rollback()
        return user
    user.updated_at = now
    session.add(user)
    audit.record(
        session,
        actor=actor,
        action="user.update",
        target_id=user.user_id,
        before=before,
        after=after,
    )
    uow.commit()
    session.refresh(user)
    return user


def change_time_zone(
    *,
    uow: AuthUnitOfWork,
    user_id: uuid.UUID,
    time_zone: str,
    interval: timedelta,
    now: datetime | None = None,
) -> User:
    """Set the player's zone (commits). The same zone again changes nothing and is always
    fine; another one is refused with TimeZoneChangeTooSoonError within `interval` of the last
    change (or of sign-up, unless this first change is westward: `timezones.next_change_at`),
    so hopping zones cannot mint extra local days."""
    now = now or utcnow()
    session = uow.session
    # Locked: two changes racing cannot both pass the interval check.
    user = lock_user(session=session, user_id=user_id)
    if user is None:
        raise UserNotFoundError(str(user_id))
    if user.time_zone != time_zone:
        wait_until = next_change_at(
            changed_at=user.time_zone_changed_at,
            signed_up_at=user.created_at,
            interval=interval,
            now=now,
            westward=is_westward(old=user.time_zone, new=time_zone, at=now),
        )
        if wait_until is not None:
            uow.rollback()
            raise TimeZoneChangeTooSoonError(wait_until)
        user.time_zone = time_zone
        user.time_zone_changed_at = now
        user.updated_at = now
        session.add(user)
    uow.commit()
    session.refresh(user)
    return user


def change_password(
    *, uow: AuthUnitOfWork, user: User, current_password: str, new_password: str
) -> None:
    if not verify_password(current_password, user.hashed_password):
        raise WrongCurrentPasswordError
    now = utcnow()
    user.hashed_password = hash_password(new_password)
    user.updated_at = now
    uow.session.add(user)
    # The "I was compromised" button: other sessions (possibly the reason for the change) must
    # sign in again, and access tokens already handed out stop working in every service within
    # seconds, as after a logout-everywhere.
    revoke_user_tokens(session=uow.session, user_id=user.user_id, now=now)
    void_tokens(uow=uow, user=user, reason="password", now=now)
    uow.commit()


def logout_everywhere(*, uow: AuthUnitOfWork, user: User) -> None:
    """Every session of the user ends: refresh tokens revoked, access tokens void (commits)."""
    now = utcnow()
    revoke_user_tokens(session=uow.session, user_id=user.user_id, now=now)
    void_tokens(uow=uow, user=user, reason="logout_everywhere", now=now)
    user.updated_at = now
    uow.commit()


def ensure_user(*, uow: AuthUnitOfWork, user_name: str, password: str, role: Role) -> bool:
    """Seed: create the user unless the name exists (never overwrites a changed password).
    Returns True when created."""
    if uow.session.exec(select(User).where(User.user_name == user_name)).first() is not None:
        return False
    try:
        create_user(uow=uow, user_name=user_name, password=password, role=role)
    except UserNameTakenError:
        return False  # another prestart got there first
    return True


def anonymise(
    *, session: Session, user: User, placeholder: str, unusable_hash: str, now: datetime
) -> None:
    """Add to the caller's transaction: the (locked) account keeps its row, so the ledger still
    adds up, but nothing in it names the person and nobody can sign in with it any more."""
    user.user_name = placeholder
    user.hashed_password = unusable_hash
    user.status = UserStatus.BANNED
    user.deleted_at = now
    user.updated_at = now
    session.add(user)


# --- balances: columns of the user's row, changed by the wallet ------------------------------

# Whitelist: column names go into SQL.
ITEM_COLUMNS = {"diamond": "diamond", "gold": "gold", "xp": "xp"}


def add_to_balance(
    *, session: Session, user_id: uuid.UUID, item: str, qty: int, now: datetime
) -> int | None:
    """Add to the caller's transaction: `qty` more of `item` (`x = x + :qty`, so concurrent
    credits never lose an update). The new balance, or None when the user does not exist."""
    column = ITEM_COLUMNS[item]
    balance: int | None = session.execute(
        text(
            f"UPDATE users SET {column} = {column} + :qty, updated_at = :now"  # noqa: S608
            f" WHERE user_id = :user_id RETURNING {column}"
        ),
        {"qty": qty, "now": now, "user_id": user_id},
    ).scalar_one_or_none()
    return balance


def adjust_balance(
    *, session: Session, user_id: uuid.UUID, item: str, qty: int, now: datetime
) -> tuple[int, int, int, int] | None:
    """Add to the caller's transaction: `qty` (either sign) of `item` on an account that is not
    deleted, unless it would take the balance below 0. Returns (balance of `item`, diamond,
    gold, xp) after the change, or None when nothing was changed.

    The check is part of the UPDATE's WHERE clause: each concurrent adjustment sees the balance
    the previous one committed (the row lock), so none can take it below zero."""
    column = ITEM_COLUMNS[item]
    updated = session.execute(
        text(
            f"UPDATE users SET {column} = {column} + :qty, updated_at = :now"  # noqa: S608
            f" WHERE user_id = :user_id AND deleted_at IS NULL AND {column} + :qty >= 0"
            f" RETURNING {column}, diamond, gold, xp"
        ),
        {"qty": qty, "now": now, "user_id": user_id},
    ).first()
    if updated is None:
        return None
    balance, diamond, gold, xp = updated
    return int(balance), int(diamond), int(gold), int(xp)


def balances(*, session: Session, user_id: uuid.UUID) -> tuple[int, int, int]:
    """The user's current (diamond, gold, xp), read afresh from the database."""
    user = session.get(User, user_id, populate_existing=True)
    if user is None:
        raise UserNotFoundError(str(user_id))
    return user.diamond, user.gold, user.xp


def raise_announced_level(*, session: Session, user_id: uuid.UUID, level: int) -> int | None:
    """Add to the caller's transaction: remember `level` as the highest announced when it is
    higher than the one remembered; that previous one, or None when it was not higher."""
    before: int | None = session.execute(
        text(
            "UPDATE users SET level_announced = :level"
            " FROM (SELECT level_announced AS before FROM users WHERE user_id = :user_id) AS old"
            " WHERE users.user_id = :user_id AND users.level_announced < :level"
            " RETURNING old.before"
        ),
        {"level": level, "user_id": user_id},
    ).scalar_one_or_none()
    return before


def own_view(user: User, *, thresholds: Sequence[int]) -> UserMe:
    """The player's own profile with their level on `thresholds` (catalog's curve)."""
    level = level_for_xp(thresholds, user.xp)
    return UserMe.model_validate(
        {
            **UserPublic.model_validate(user).model_dump(),
            "level": level.level,
            "level_starts_at_xp": level.level_starts_at_xp,
            "next_level_at_xp": level.next_level_at_xp,
        }
    )


def by_name(*, session: Session, user_name: str) -> User | None:
    return session.exec(select(User).where(User.user_name == user_name)).first()


# --- the audit trail about users -------------------------------------------------------------


def audit_about(*, session: Session, user_id: uuid.UUID) -> list[AuditEntry]:
    """The audit entries whose target is the user, oldest first."""
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.target_type == "user", AuditEntry.target_id == str(user_id))
            .order_by(col(AuditEntry.at))
        ).all()
    )


def forget_in_audit(*, session: Session, user_id: uuid.UUID, placeholder: str) -> None:
    """Add to the caller's transaction: entries about the user drop the free-text reason of
    adjustments; entries where the user acted as an admin carry `placeholder` as its name."""
    session.execute(
        text(
            "UPDATE audit_entry SET after = after - 'reason'"
            " WHERE target_type = 'user' AND target_id = :user_id AND after ? 'reason'"
        ),
        {"user_id": str(user_id)},
    )
    session.execute(
        text("UPDATE audit_entry SET actor_name = :placeholder WHERE actor_id = :user_id"),
        {"placeholder": placeholder, "user_id": str(user_id)},
    )
