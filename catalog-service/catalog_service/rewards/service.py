"""Reward use cases. Writes run in one unit-of-work transaction and record a catalog change."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from catalog_service.core.audit_trail import (
    record_catalog_write,
    record_created,
    record_updated,
)
from catalog_service.core.changes import Change
from catalog_service.core.db import row_values
from catalog_service.core.errors import ConflictError, NotFoundError
from catalog_service.core.uow import UnitOfWork, once_more_after_a_race
from catalog_service.core.writes import changed_fields, plain
from catalog_service.quests.models import Quest
from catalog_service.rewards.models import (
    Reward,
    RewardCreate,
    RewardPublic,
    RewardsPublic,
    RewardUpdate,
    RewardUpsert,
)
from quest_common import audit
from quest_common.db import utcnow


def list_rewards(*, session: Session, limit: int, offset: int) -> RewardsPublic:
    count = session.exec(select(func.count()).select_from(Reward)).one()
    rows = session.exec(
        select(Reward)
        .order_by(col(Reward.reward_name), col(Reward.reward_id))
        .offset(offset)
        .limit(limit)
    ).all()
    return RewardsPublic(data=[RewardPublic.model_validate(r) for r in rows], count=count)


def get_reward(*, session: Session, reward_id: uuid.UUID) -> Reward:
    reward = session.get(Reward, reward_id)
    if reward is None:
        raise NotFoundError("Reward not found")
    return reward


def _name_taken(session: Session, name: str, *, other_than: uuid.UUID | None = None) -> bool:
    query = select(Reward.reward_id).where(Reward.reward_name == name)
    if other_than is not None:
        query = query.where(Reward.reward_id != other_than)
    return session.exec(query).first() is not None


def _flush_unique(session: Session, name: str) -> None:
    # The explicit check above gives the clear message; this catches two writers racing.
    try:
        session.flush()
    except IntegrityError as exc:
        raise ConflictError(f"A reward named {name!r} already exists") from exc


def create_reward(*, uow: UnitOfWork, data: RewardCreate, actor: audit.Actor) -> Reward:
    with uow.transaction() as session:
        if _name_taken(session, data.reward_name):
            raise ConflictError(f"A reward named {data.reward_name!r} already exists")
        reward = Reward(**{k: plain(v) for k, v in data.model_dump().items()})
        session.add(reward)
        _flush_unique(session, data.reward_name)
        record_created(session, reward, action="reward.create", actor=actor)
    return reward


def update_reward(
    *, uow: UnitOfWork, reward_id: uuid.UUID, data: RewardUpdate, actor: audit.Actor
) -> Reward:
    changes = data.model_dump(exclude_unset=True)
    with uow.transaction() as session:
        reward = get_reward(session=session, reward_id=reward_id)
        before = row_values(reward)
        name = changes.get("reward_name")
        if name is not None and _name_taken(session, name, other_than=reward_id):
            raise ConflictError(f"A reward named {name!r} already exists")
        if not _apply(reward, changes):
            return reward
        session.add(reward)
        _flush_unique(session, reward.reward_name)
        record_updated(session, reward, action="reward.update", actor=actor, before=before)
    return reward


def upsert_reward(
    *, uow: UnitOfWork, name: str, data: RewardUpsert, actor: audit.Actor = audit.SYSTEM
) -> tuple[Reward, bool]:
    """Create or update by name; returns (reward, created). Re-running the same seed writes
    nothing and publishes nothing."""
    return once_more_after_a_race(lambda: _upsert_once(uow=uow, name=name, data=data, actor=actor))


def _upsert_once(
    *, uow: UnitOfWork, name: str, data: RewardUpsert, actor: audit.Actor
) -> tuple[Reward, bool]:
    with uow.transaction() as session:
        reward = session.exec(
            select(Reward).where(Reward.reward_name == name).with_for_update()
        ).first()
        if reward is None:
            reward = Reward(reward_name=name, **{k: plain(v) for k, v in data.model_dump().items()})
            session.add(reward)
            session.flush()
            record_created(session, reward, action="reward.create", actor=actor)
            return reward, True
        before = row_values(reward)
        if _apply(reward, data.model_dump()):
            session.add(reward)
            record_updated(session, reward, action="reward.update", actor=actor, before=before)
        return reward, False


def delete_reward(*, uow: UnitOfWork, reward_id: uuid.UUID, actor: audit.Actor) -> None:
    with uow.transaction() as session:
        reward = get_reward(session=session, reward_id=reward_id)
        used_by = session.exec(
            select(func.count()).select_from(Quest).where(Quest.reward_id == reward_id)
        ).one()
        if used_by:
            # Inactive quests count too: processing keeps their history, which names the reward.
            raise ConflictError(
                f"Reward is used by {used_by} quest(s); change or remove them first"
            )
        before = row_values(reward)
        session.delete(reward)
        try:
            session.flush()
        except IntegrityError as exc:
            raise ConflictError("Reward is used by a quest") from exc
        record_catalog_write(
            session,
            reward,
            change=Change.deleted,
            action="reward.delete",
            actor=actor,
            before=before,
            deleted=True,
        )


def _apply(reward: Reward, incoming: dict[str, Any]) -> bool:
    """Set the fields that differ; returns whether anything changed."""
    changes = changed_fields(row_values(reward), incoming)
    for field, value in changes.items():
        setattr(reward, field, value)
    if changes:
        reward.updated_at = utcnow()
    return bool(changes)
