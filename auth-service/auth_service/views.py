"""The read side across domains: queries that join one domain's tables to another's, for reads
only (cosmicpython's `views.py`). Domains never name another's tables in their own SQL; a read
that needs both lives here, declared.

The boards: `leaderboard_entry` and `leaderboard_count` (progression's, kept by the ledger's
trigger) joined to `users` for names and for who is listed (not banned, not deleted).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from auth_service.users.models import UserStatus

# A player is on the boards unless banned or deleted. `_HIDDEN` is the predicate of the partial
# index ix_users_hidden, written the same way so the planner uses it.
_LISTED = f"u.status <> {int(UserStatus.BANNED)} AND u.deleted_at IS NULL"
_HIDDEN = f"(u.status = {int(UserStatus.BANNED)} OR u.deleted_at IS NOT NULL)"
_BOARD = "e.item = :item AND e.period = :period AND e.period_start = :start"

_TOP = f"""
SELECT u.user_id, u.user_name, e.value
FROM leaderboard_entry e JOIN users u ON u.user_id = e.user_id
WHERE {_BOARD} AND e.value > 0 AND {_LISTED}
ORDER BY e.value DESC, e.reached_at, e.user_id
LIMIT :limit
"""  # noqa: S608 (constants only)

# Players with nothing on this board, by sign-up: they "got there" when they joined.
_ZEROS = f"""
SELECT u.user_id, u.user_name, 0
FROM users u
WHERE {_LISTED} AND NOT EXISTS (
    SELECT 1 FROM leaderboard_entry e WHERE {_BOARD} AND e.user_id = u.user_id AND e.value > 0)
ORDER BY u.created_at, u.user_id
LIMIT :limit
"""  # noqa: S608

_MINE = f"""
SELECT e.value, e.reached_at FROM leaderboard_entry e WHERE {_BOARD} AND e.user_id = :me
"""  # noqa: S608

# Players above a value: a sum over the distinct values above it (the maintained counts), less
# the banned and deleted among them (few, found through their partial index).
_ABOVE = f"""
SELECT
  (SELECT coalesce(sum(c.players), 0) FROM leaderboard_count c
    WHERE c.item = :item AND c.period = :period AND c.period_start = :start
      AND c.value > :value)
  -
  (SELECT count(*) FROM users u JOIN leaderboard_entry e
      ON {_BOARD} AND e.user_id = u.user_id
    WHERE {_HIDDEN} AND e.value > :value)
"""  # noqa: S608

# Listed players at the same value who got there first: a range of the board's index.
_TIES_BEFORE = f"""
SELECT count(*) FROM leaderboard_entry e JOIN users u ON u.user_id = e.user_id
WHERE {_BOARD} AND e.value = :value
  AND (e.reached_at, e.user_id) < (:reached_at, :me) AND {_LISTED}
"""  # noqa: S608


@dataclass(frozen=True, slots=True)
class BoardKey:
    item: str
    period: str
    start: datetime

    def params(self, **more: Any) -> dict[str, Any]:
        return {"item": self.item, "period": self.period, "start": self.start, **more}


@dataclass(frozen=True, slots=True)
class BoardLine:
    user_id: uuid.UUID
    user_name: str
    value: int


def board_top(*, session: Session, board: BoardKey, limit: int) -> list[BoardLine]:
    """The listed players with something on the board, best first, ties by who got there first."""
    rows = session.execute(text(_TOP), board.params(limit=limit)).all()
    return [BoardLine(user_id, name, int(value)) for user_id, name, value in rows]


def board_zeros(*, session: Session, board: BoardKey, limit: int) -> list[BoardLine]:
    """Listed players with nothing on the board, by sign-up."""
    rows = session.execute(text(_ZEROS), board.params(limit=limit)).all()
    return [BoardLine(user_id, name, 0) for user_id, name, _ in rows]


def board_value(
    *, session: Session, board: BoardKey, user_id: uuid.UUID
) -> tuple[int, datetime] | None:
    """A player's value on the board and when they reached it; None when never on it."""
    row = session.execute(text(_MINE), board.params(me=user_id)).first()
    return None if row is None else (int(row[0]), row[1])


def listed_above(*, session: Session, board: BoardKey, value: int) -> int:
    return int(session.execute(text(_ABOVE), board.params(value=value)).scalar_one())


def ties_before(
    *, session: Session, board: BoardKey, value: int, reached_at: datetime, user_id: uuid.UUID
) -> int:
    params = board.params(value=value, reached_at=reached_at, me=user_id)
    return int(session.execute(text(_TIES_BEFORE), params).scalar_one())
