"""Progression: levels announced once each, badges held once, the public player page, and the
boards read from their maintained entries (see migration a0106_progression)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from http import HTTPStatus

from sqlalchemy import text
from sqlmodel import Session, col, select

from auth_service import views
from auth_service.core import events
from auth_service.core.uow import AuthUnitOfWork
from auth_service.progression.models import (
    BadgeCredit,
    BadgePublic,
    BadgesPublic,
    Board,
    BoardRow,
    MyRank,
    PlayerPublic,
    UserBadge,
)
from auth_service.users import service as users
from auth_service.users.models import User, UserStatus
from auth_service.users.service import UserNotFoundError
from quest_common.events import make_event
from quest_common.progression import (
    Period,
    level_for_xp,
    levels_reached,
    period_bounds,
    shared_ranks,
)
from quest_common.refusals import ClientError

LEVEL_REACHED = "LevelReached"
LEVEL_REACHED_KEY = f"{events.PRODUCER}.{LEVEL_REACHED}"


class PlayerNotFoundError(ClientError, status=HTTPStatus.NOT_FOUND, detail="Player not found"):
    """Unknown name, or a deleted player (their page is gone with them)."""


# --- levels ----------------------------------------------------------------------------------


def announce_levels(
    *, uow: AuthUnitOfWork, user_id: uuid.UUID, xp: int, thresholds: Sequence[int]
) -> list[int]:
    """In the caller's transaction (right after the XP change, the user row locked): store one
    `auth.LevelReached` per level newly reached in the outbox, and remember the highest, so that
    a reward crossing two levels announces both and a retried one announces none again."""
    level = level_for_xp(thresholds, xp).level
    before = users.raise_announced_level(session=uow.session, user_id=user_id, level=level)
    if before is None:
        return []
    reached = levels_reached(announced=before, level=level)
    for n in reached:
        event = make_event(
            source=events.SOURCE,
            type=LEVEL_REACHED,
            subject=str(user_id),
            data={"user_id": str(user_id), "level": n},
        )
        uow.publish(event, routing_key=LEVEL_REACHED_KEY)
    return reached


# --- badges ----------------------------------------------------------------------------------


def credit_badge(
    *,
    uow: AuthUnitOfWork,
    idempotency_key: str,
    user_id: uuid.UUID,
    badge: str,
    reason: str,
    now: datetime,
) -> BadgeCredit:
    """A service's badge credit, in one transaction: the player's row locked (their badge
    credits one at a time), then the badge given once (`give_badge`)."""
    if users.lock_user(session=uow.session, user_id=user_id) is None:
        uow.rollback()
        raise UserNotFoundError(str(user_id))
    result = give_badge(
        session=uow.session,
        idempotency_key=idempotency_key,
        user_id=user_id,
        badge=badge,
        reason=reason,
        now=now,
    )
    uow.commit()
    return result


def give_badge(
    *,
    session: Session,
    idempotency_key: str,
    user_id: uuid.UUID,
    badge: str,
    reason: str,
    now: datetime,
) -> BadgeCredit:
    """Give a badge once per player, in the caller's transaction. The same key again answers
    the same; another key for a badge the player holds gives nothing (`given` False)."""
    existing = session.exec(
        select(UserBadge).where(UserBadge.idempotency_key == idempotency_key)
    ).first()
    if existing is not None:
        return _given(existing, idempotency_key)
    earned_at = session.execute(
        text(
            "INSERT INTO user_badge"
            " (badge_id, user_id, badge, idempotency_key, reason, earned_at)"
            " VALUES (:badge_id, :user_id, :badge, :key, :reason, :now)"
            " ON CONFLICT DO NOTHING RETURNING earned_at"
        ),
        {
            "badge_id": uuid.uuid4(),
            "user_id": user_id,
            "badge": badge,
            "key": idempotency_key,
            "reason": reason,
            "now": now,
        },
    ).scalar_one_or_none()
    if earned_at is not None:
        return BadgeCredit(
            idempotency_key=idempotency_key,
            user_id=user_id,
            badge=badge,
            given=True,
            earned_at=earned_at,
        )
    held = session.exec(
        select(UserBadge).where(UserBadge.user_id == user_id, UserBadge.badge == badge)
    ).first()
    if held is None:
        # The conflict was on the key: a concurrent retry of this same credit committed first.
        raced = session.exec(
            select(UserBadge).where(UserBadge.idempotency_key == idempotency_key)
        ).one()
        return _given(raced, idempotency_key)
    return BadgeCredit(
        idempotency_key=idempotency_key,
        user_id=user_id,
        badge=badge,
        given=False,
        earned_at=held.earned_at,
    )


def _given(row: UserBadge, idempotency_key: str) -> BadgeCredit:
    return BadgeCredit(
        idempotency_key=idempotency_key,
        user_id=row.user_id,
        badge=row.badge,
        given=True,
        earned_at=row.earned_at,
    )


def badges_of(*, session: Session, user_id: uuid.UUID) -> list[BadgePublic]:
    rows = session.exec(
        select(UserBadge)
        .where(UserBadge.user_id == user_id)
        .order_by(col(UserBadge.earned_at), col(UserBadge.badge))
    ).all()
    return [BadgePublic(badge=r.badge, earned_at=r.earned_at) for r in rows]


def my_badges(*, session: Session, user_id: uuid.UUID) -> BadgesPublic:
    badges = badges_of(session=session, user_id=user_id)
    return BadgesPublic(data=badges, count=len(badges))


def forget_badges(*, session: Session, user_id: uuid.UUID) -> None:
    """Add to the caller's transaction (an account's deletion): the player's badges go."""
    session.execute(text("DELETE FROM user_badge WHERE user_id = :u"), {"u": user_id})


def player_page(*, session: Session, user_name: str, thresholds: Sequence[int]) -> PlayerPublic:
    user = users.by_name(session=session, user_name=user_name)
    # Deleted accounts are renamed when anonymised; checked anyway: their page is gone.
    if user is None or user.deleted_at is not None:
        raise PlayerNotFoundError(user_name)
    return PlayerPublic(
        user_name=user.user_name,
        level=level_for_xp(thresholds, user.xp).level,
        badges=badges_of(session=session, user_id=user.user_id),
        member_since=user.created_at,
    )


# --- boards ----------------------------------------------------------------------------------


def board(
    *, session: Session, item: str, period: Period, limit: int, me: User | None, now: datetime
) -> Board:
    """The top `limit` of one board and the caller's own place on it."""
    start, end = period_bounds(period, now)
    key = views.BoardKey(item=item, period=period.value, start=start)
    rows = views.board_top(session=session, board=key, limit=limit)
    if len(rows) < limit:
        rows += views.board_zeros(session=session, board=key, limit=limit - len(rows))
    values = [row.value for row in rows]
    shared = shared_ranks(values)
    data = [
        BoardRow(
            # Players with nothing are all tied: they share one place, listed by sign-up.
            rank=i + 1 if values[i] > 0 else shared[i],
            shared_rank=shared[i],
            user_name=row.user_name,
            value=row.value,
            you=me is not None and row.user_id == me.user_id,
        )
        for i, row in enumerate(rows)
    ]
    return Board(
        item=item,  # type: ignore[arg-type]
        period=period.value,  # type: ignore[arg-type]
        period_starts_at=None if end is None else start,
        resets_at=end,
        data=data,
        me=None if me is None else my_rank(session=session, board=key, me=me),
    )


def my_rank(*, session: Session, board: views.BoardKey, me: User) -> MyRank | None:
    """The caller's place: `shared_rank` = 1 + listed players with more; `rank` also counts
    those with as much who got there first. Players with nothing share the place after everyone
    with something. None for a banned or deleted caller (not on the boards)."""
    if me.status == UserStatus.BANNED or me.deleted_at is not None:
        return None
    mine = views.board_value(session=session, board=board, user_id=me.user_id)
    value = mine[0] if mine is not None else 0
    shared_rank = 1 + views.listed_above(session=session, board=board, value=value)
    if mine is None or value == 0:
        return MyRank(rank=shared_rank, shared_rank=shared_rank, value=0)
    ties_before = views.ties_before(
        session=session, board=board, value=value, reached_at=mine[1], user_id=me.user_id
    )
    return MyRank(rank=shared_rank + ties_before, shared_rank=shared_rank, value=value)
