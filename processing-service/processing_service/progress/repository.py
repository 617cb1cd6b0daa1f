"""The `quest_progress` table: the one module that reads and writes it."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, and_, delete, select, text, update
from sqlmodel import Session, col

from processing_service.progress.models import QuestProgress
from processing_service.progress.rules import ProgressState
from quest_common.db import pg_array, pg_plain_array, utcnow
from quest_common.rows import from_row

# A (player, quest) pair as canonical text: it sorts like PostgreSQL's uuid order.
Key = tuple[str, str]

_ENSURE_PROGRESS = text(
    """
    INSERT INTO quest_progress (id, user_id, quest_id, streak, completed, claimed, updated_at)
    SELECT gen_random_uuid(), t.user_id, t.quest_id, 0, 0, 0, :now
    FROM unnest(CAST(:users AS text)::uuid[], CAST(:quests AS text)::uuid[])
         WITH ORDINALITY AS t(user_id, quest_id, ord)
    ORDER BY t.ord
    ON CONFLICT (user_id, quest_id) DO NOTHING
    """
)
# A join with the batch's (player, quest) pairs: `= ANY(array)` on both columns would compare
# every row of the table with every element of the arrays.
_LOCK_PROGRESS = text(
    """
    SELECT p.user_id::text AS user_id, p.quest_id::text AS quest_id,
           p.streak, p.completed, p.claimed, p.last_day, p.last_counted_at, p.period,
           p.period_completed, p.grace_used, p.expired
    FROM quest_progress AS p
    JOIN unnest(CAST(:users AS text)::uuid[], CAST(:quests AS text)::uuid[]) AS t(user_id, quest_id)
      ON p.user_id = t.user_id AND p.quest_id = t.quest_id
    ORDER BY p.user_id, p.quest_id
    FOR UPDATE OF p
    """
)
_UPDATE_PROGRESS = text(
    """
    UPDATE quest_progress AS p
    SET streak = t.streak, completed = t.completed, claimed = t.claimed, last_day = t.day,
        last_counted_at = t.counted_at, period = t.period,
        period_completed = t.period_completed, grace_used = t.grace_used, updated_at = :now
    FROM unnest(CAST(:users AS text)::uuid[], CAST(:quests AS text)::uuid[],
                CAST(:streaks AS text)::float8[], CAST(:completed AS text)::int[],
                CAST(:claimed AS text)::int[], CAST(:days AS text)::date[],
                CAST(:counted_at AS text)::timestamptz[], CAST(:periods AS text)::date[],
                CAST(:period_completed AS text)::int[], CAST(:grace_used AS text)::int[])
         AS t(user_id, quest_id, streak, completed, claimed, day, counted_at, period,
              period_completed, grace_used)
    WHERE p.user_id = t.user_id AND p.quest_id = t.quest_id
    """
)


def _state(row: Any) -> ProgressState:
    """A stored row as a state; a whole-number streak reads back as the int it was counted as
    (only a sum quest's total can have a fraction)."""
    state = from_row(ProgressState, row)
    streak = state.streak
    if isinstance(streak, float) and streak.is_integer():
        state = dataclasses.replace(state, streak=int(streak))
    return state


def _pairs(keys: Sequence[Key]) -> dict[str, str]:
    return {
        "users": "{" + ",".join([k[0] for k in keys]) + "}",
        "quests": "{" + ",".join([k[1] for k in keys]) + "}",
    }


class ProgressRepository(Protocol):
    def lock(self, keys: Sequence[Key]) -> dict[Key, ProgressState]:
        """Create the missing rows, then lock them all, in the (sorted) order given."""
        ...

    def save(self, changed: Sequence[tuple[Key, ProgressState]]) -> None:
        """Write these states (sorted by key: rows are updated in one stable order)."""
        ...

    def lock_one(self, user_id: uuid.UUID, quest_id: uuid.UUID) -> ProgressState | None: ...

    def set_counts(
        self, user_id: uuid.UUID, quest_id: uuid.UUID, *, claimed: int, expired: int, now: datetime
    ) -> None: ...

    def states(
        self, user_id: uuid.UUID, quest_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, ProgressState]: ...

    def erase(self, user_id: uuid.UUID) -> int: ...


class SqlProgress:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock(self, keys: Sequence[Key]) -> dict[Key, ProgressState]:
        pairs = _pairs(keys)
        self.session.execute(_ENSURE_PROGRESS, {**pairs, "now": utcnow()})
        rows = self.session.execute(_LOCK_PROGRESS, pairs).all()
        return {(r.user_id, r.quest_id): _state(r) for r in rows}

    def save(self, changed: Sequence[tuple[Key, ProgressState]]) -> None:
        if not changed:
            return
        states = [s for _, s in changed]
        self.session.execute(
            _UPDATE_PROGRESS,
            {
                **_pairs([k for k, _ in changed]),
                "streaks": pg_plain_array([s.streak for s in states]),
                "completed": pg_plain_array([s.completed for s in states]),
                "claimed": pg_plain_array([s.claimed for s in states]),
                "days": pg_array([s.last_day for s in states]),
                "counted_at": pg_array([s.last_counted_at for s in states]),
                "periods": pg_array([s.period for s in states]),
                "period_completed": pg_plain_array([s.period_completed for s in states]),
                "grace_used": pg_plain_array([s.grace_used for s in states]),
                "now": utcnow(),
            },
        )

    def _one(self, user_id: uuid.UUID, quest_id: uuid.UUID) -> ColumnElement[bool]:
        return and_(col(QuestProgress.user_id) == user_id, col(QuestProgress.quest_id) == quest_id)

    def lock_one(self, user_id: uuid.UUID, quest_id: uuid.UUID) -> ProgressState | None:
        row = self.session.execute(
            select(QuestProgress.__table__)  # type: ignore[attr-defined]
            .where(self._one(user_id, quest_id))
            .with_for_update()
        ).first()
        return _state(row) if row is not None else None

    def set_counts(
        self, user_id: uuid.UUID, quest_id: uuid.UUID, *, claimed: int, expired: int, now: datetime
    ) -> None:
        self.session.execute(
            update(QuestProgress)
            .where(self._one(user_id, quest_id))
            .values(claimed=claimed, expired=expired, updated_at=now)
        )

    def states(
        self, user_id: uuid.UUID, quest_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, ProgressState]:
        if not quest_ids:
            return {}
        rows = self.session.execute(
            select(QuestProgress.__table__).where(  # type: ignore[attr-defined]
                and_(
                    col(QuestProgress.user_id) == user_id,
                    col(QuestProgress.quest_id).in_(quest_ids),
                )
            )
        ).all()
        return {r.quest_id: _state(r) for r in rows}

    def erase(self, user_id: uuid.UUID) -> int:
        result = self.session.execute(
            delete(QuestProgress).where(col(QuestProgress.user_id) == user_id)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
