"""Reward use cases. Writes run in one unit-of-work transaction and record a catalog change."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from catalog_service.core.audit_trail import record_catalog_write
from catalog_service.core.changes import Change
from catalog_service.core.db import row_values
from catalog_service.core.errors import ConflictError, InvalidError, NotFoundError
from catalog_service.core.named_rows import NamedRows
from catalog_service.core.uow import UnitOfWork, once_more_after_a_race
from catalog_service.core.writes import badge_quest_error, badge_reward_error, plain
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


def _check_reward(values: dict[str, Any]) -> None:
    error = badge_reward_error(
        reward_item=plain(values["reward_item"]), reward_qty=values["reward_qty"]
    )
    if error is not None:
        raise InvalidError("reward_qty", error)


REWARDS = NamedRows(Reward, kind="reward", name_field="reward_name", check=_check_reward)


def _check_quests_paying(session: Session, reward: Reward) -> None:
    """A reward that becomes a badge must not be paid by a quest completed more than once."""
    quests = session.exec(select(Quest).where(Quest.reward_id == reward.reward_id)).all()
    for quest in quests:
        error = badge_quest_error(
            reward_item=plain(reward.reward_item),
            duplication=quest.duplication,
            reset=plain(quest.reset),
        )
        if error is not None:
            raise InvalidError("reward_item", f"quest {quest.name!r}: {error}")


def create_reward(*, uow: UnitOfWork, data: RewardCreate, actor: audit.Actor) -> Reward:
    with uow:
        reward = REWARDS.create(uow.session, data.model_dump(), actor=actor)
        uow.commit()
        return reward


def update_reward(
    *, uow: UnitOfWork, reward_id: uuid.UUID, data: RewardUpdate, actor: audit.Actor
) -> Reward:
    changes = data.model_dump(exclude_unset=True)
    with uow:
        reward = get_reward(session=uow.session, reward_id=reward_id)
        REWARDS.update(uow.session, reward, changes, actor=actor)
        _check_quests_paying(uow.session, reward)
        uow.commit()
        return reward


def upsert_reward(
    *, uow: UnitOfWork, name: str, data: RewardUpsert, actor: audit.Actor = audit.SYSTEM
) -> tuple[Reward, bool]:
    """Create or update by name; returns (reward, created). Re-running the same seed writes
    nothing and publishes nothing."""

    def attempt() -> tuple[Reward, bool]:
        with uow:
            result = REWARDS.upsert(uow.session, name, data.model_dump(), actor=actor)
            _check_quests_paying(uow.session, result[0])
            uow.commit()
            return result

    return once_more_after_a_race(attempt)


def delete_reward(*, uow: UnitOfWork, reward_id: uuid.UUID, actor: audit.Actor) -> None:
    with uow:
        session = uow.session
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
        uow.commit()
