"""Progression: badges held once, levels announced once each, the public player page, and the
boards read from their maintained entries (see migration a0106_progression)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from http import HTTPStatus

from sqlalchemy import text
from sqlmodel import Session, col, select

from auth_service.models import User, UserStatus
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
from quest_common.events import make_event
from quest_common.outbox import enqueue
from quest_common.progression import (
    Period,
    level_for_xp,
    levels_reached,
    period_bounds,
    shared_ranks,
)
from quest_common.refusals import ClientError

SOURCE = "auth-service"
LEVEL_REACHED = "LevelReached"
LEVEL_REACHED_KEY = "auth.LevelReached"


class PlayerNotFoundError(ClientError, status=HTTPStatus.NOT_FOUND, detail="Player not found"):
    """Unknown name, or a deleted player (their page is gone with them)."""


# --- levels ----------------------------------------------------------------------------------


def announce_levels(
    *, session: Session, user_id: uuid.UUID, xp: int, thresholds: Sequence[int]
) -> list[int]:
    """In the caller's transaction (right after the XP change, the user row locked): store one
    `auth.LevelReached` per level newly reached, and remember the highest, so that a reward
    crossing two levels announces both and a retried one announces none again."""
    level = level_for_xp(thresholds, xp).level
    announced = session.execute(
        text(
            "UPDATE users SET level_announced = :level"
            " FROM (SELECT level_announced AS before FROM users WHERE user_id = :user_id) AS old"
            " WHERE users.user_id = :user_id AND users.level_announced < :level"
            " RETURNING old.before"
        ),
        {"level": level, "user_id": user_id},
    ).scalar_one_or_none()
    if announced is None:
        return []
    reached = levels_reached(announced=int(announced), level=level)
    for n in reached:
        event = make_event(
            source=SOURCE,
            type=LEVEL_REACHED,
            subject=str(user_id),
            data={"user_id": str(user_id), "level": n},
        )
        enqueue(session, event, routing_key=LEVEL_REACHED_KEY)
    return reached


# --- badges ----------------------------------------------------------------------------------


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
        return BadgeCredit(
            idempotency_key=idempotency_key,
            user_id=existing.user_id,
            badge=existing.badge,
            given=True,
            earned_at=existing.earned_at,
        )
    inserted = session.execute(
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
    if inserted is not None:
        return BadgeCredit(
            idempotency_key=idempotency_key,
            user_id=user_id,
            badge=badge,
            given=True,
            earned_at=inserted,
        )
    held = session.exec(
        select(UserBadge).where(UserBadge.user_id == user_id, UserBadge.badge == badge)
    ).first()
    if held is None:
        # The conflict was on the key: a concurrent retry of this same credit committed first.
        raced = session.exec(
            select(UserBadge).where(UserBadge.idempotency_key == idempotency_key)
        ).one()
        return BadgeCredit(
            idempotency_key=idempotency_key,
            user_id=raced.user_id,
            badge=raced.badge,
            given=True,
            earned_at=raced.earned_at,
        )
    return BadgeCredit(
        idempotency_key=idempotency_key,
        user_id=user_id,
        badge=badge,
        given=False,
        earned_at=held.earned_at,
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


def player_page(*, session: Session, user_name: str, thresholds: Sequence[int]) -> PlayerPublic:
    user = session.exec(select(User).where(User.user_name == user_name)).first()
    # Deleted accounts are anonymised (renamed) but checked anyway: their page is gone.
    if user is None or user.deleted_at is not None:
        raise PlayerNotFoundError(user_name)
    return PlayerPublic(
        user_name=user.user_name,
        level=level_for_xp(thresholds, user.xp).level,
        badges=badges_of(session=session, user_id=user.user_id),
        member_since=user.created_at,
    )


# --- boards ----------------------------------------------------------------------------------

# A player is on the boards unless banned or deleted. `_HIDDEN` is the predicate of the partial
# index ix_users_hidden, written the same way so the planner uses it.
_LISTED = f"u.status <> {int(UserStatus.BANNED)} AND u.deleted_at IS NULL"
_HIDDEN = f"(u.status = {int(UserStatus.BANNED)} OR u.deleted_at IS NOT NULL)"

_TOP = f"""
SELECT u.user_id, u.user_name, e.value
FROM leaderboard_entry e JOIN users u ON u.user_id = e.user_id
WHERE e.item = :item AND e.period = :period AND e.period_start = :start AND e.value > 0
  AND {_LISTED}
ORDER BY e.value DESC, e.reached_at, e.user_id
LIMIT :limit
"""  # noqa: S608 (constants only)

# Players with nothing on this board, by sign-up: they "got there" when they joined.
_ZEROS = f"""
SELECT u.user_id, u.user_name, 0
FROM users u
WHERE {_LISTED} AND NOT EXISTS (
    SELECT 1 FROM leaderboard_entry e
    WHERE e.item = :item AND e.period = :period AND e.period_start = :start
      AND e.user_id = u.user_id AND e.value > 0)
ORDER BY u.created_at, u.user_id
LIMIT :limit
"""  # noqa: S608

_MINE = """
SELECT e.value, e.reached_at FROM leaderboard_entry e
WHERE e.item = :item AND e.period = :period AND e.period_start = :start AND e.user_id = :me
"""

# Players above a value: a sum over the distinct values above it (the maintained counts), less
# the banned and deleted among them (few, found through their partial index).
_ABOVE = f"""
SELECT
  (SELECT coalesce(sum(c.players), 0) FROM leaderboard_count c
    WHERE c.item = :item AND c.period = :period AND c.period_start = :start
      AND c.value > :value) AS counted,
  (SELECT count(*) FROM users u JOIN leaderboard_entry e
      ON e.item = :item AND e.period = :period AND e.period_start = :start
     AND e.user_id = u.user_id
    WHERE {_HIDDEN} AND e.value > :value) AS hidden
"""  # noqa: S608

# Listed players at the same value who got there first: a range of the board's index.
_TIES_BEFORE = f"""
SELECT count(*) FROM leaderboard_entry e JOIN users u ON u.user_id = e.user_id
WHERE e.item = :item AND e.period = :period AND e.period_start = :start AND e.value = :value
  AND (e.reached_at, e.user_id) < (:reached_at, :me) AND {_LISTED}
"""  # noqa: S608


def board(
    *, session: Session, item: str, period: Period, limit: int, me: User | None, now: datetime
) -> Board:
    start, end = period_bounds(period, now)
    params = {"item": item, "period": period.value, "start": start}
    rows = list(session.execute(text(_TOP), {**params, "limit": limit}).all())
    if len(rows) < limit:
        rows += session.execute(text(_ZEROS), {**params, "limit": limit - len(rows)}).all()
    values = [int(r[2]) for r in rows]
    shared = shared_ranks(values)
    data = [
        BoardRow(
            # Players with nothing are all tied: they share one place, listed by sign-up.
            rank=i + 1 if values[i] > 0 else shared[i],
            shared_rank=shared[i],
            user_name=name,
            value=values[i],
            you=me is not None and user_id == me.user_id,
        )
        for i, (user_id, name, _) in enumerate(rows)
    ]
    return Board(
        item=item,  # type: ignore[arg-type]
        period=period.value,  # type: ignore[arg-type]
        period_starts_at=None if end is None else start,
        resets_at=end,
        data=data,
        me=None if me is None else my_rank(session=session, params=params, me=me),
    )


def my_rank(*, session: Session, params: Mapping[str, object], me: User) -> MyRank | None:
    """The caller's place: `shared_rank` = 1 + listed players with more; `rank` also counts
    those with as much who got there first. Players with nothing share the place after everyone
    with something."""
    if me.status == UserStatus.BANNED or me.deleted_at is not None:
        return None
    mine = session.execute(text(_MINE), {**params, "me": me.user_id}).first()
    value = int(mine[0]) if mine is not None else 0
    above = session.execute(text(_ABOVE), {**params, "value": value}).one()
    shared_rank = 1 + int(above.counted) - int(above.hidden)
    if value == 0 or mine is None:
        return MyRank(rank=shared_rank, shared_rank=shared_rank, value=0)
    ties_before = session.execute(
        text(_TIES_BEFORE),
        {**params, "value": value, "reached_at": mine[1], "me": me.user_id},
    ).scalar_one()
    return MyRank(rank=shared_rank + int(ties_before), shared_rank=shared_rank, value=value)
