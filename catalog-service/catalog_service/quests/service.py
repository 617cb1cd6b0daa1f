"""Quest use cases. Writes run in one unit-of-work transaction and record a catalog change."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from catalog_service.core.audit_trail import deactivate
from catalog_service.core.db import lock_quest_links, row_values
from catalog_service.core.errors import InvalidError, NotFoundError
from catalog_service.core.named_rows import NamedRows
from catalog_service.core.uow import UnitOfWork, once_more_after_a_race
from catalog_service.core.writes import (
    badge_quest_error,
    plain,
    time_rules_error,
    window_error,
)
from catalog_service.event_types import service as event_types
from catalog_service.quests import rules
from catalog_service.quests.models import (
    TRIGGER_DESCRIPTIONS,
    Quest,
    QuestCreate,
    QuestPublic,
    QuestsPublic,
    QuestUpdate,
    QuestUpsert,
    Trigger,
    TriggerPublic,
    TriggersPublic,
    trigger_of,
)
from catalog_service.quests.views import prerequisite_graph
from catalog_service.rewards.models import Reward, RewardEmbedded
from quest_common import audit


def list_triggers() -> TriggersPublic:
    data = [TriggerPublic(trigger=t, description=TRIGGER_DESCRIPTIONS[t]) for t in Trigger]
    return TriggersPublic(data=data, count=len(data))


def to_public(quest: Quest, reward: Reward) -> QuestPublic:
    return QuestPublic.model_validate(
        {**row_values(quest), "reward": RewardEmbedded.model_validate(row_values(reward))}
    )


def list_quests(
    *,
    session: Session,
    active: bool | None = None,
    trigger: Trigger | None = None,
    event_type: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> QuestsPublic:
    conditions: list[ColumnElement[bool]] = []
    if active is not None:
        conditions.append(col(Quest.is_active).is_(active))
    if trigger is not None:
        conditions.append(col(Quest.trigger) == trigger.value)
    if event_type is not None:
        conditions.append(col(Quest.event_type) == event_type)
    count = session.exec(select(func.count()).select_from(Quest).where(*conditions)).one()
    rows = session.exec(
        select(Quest, Reward)
        .join(Reward, col(Reward.reward_id) == col(Quest.reward_id))
        .where(*conditions)
        .order_by(col(Quest.created_at), col(Quest.quest_id))
        .offset(offset)
        .limit(limit)
    ).all()
    return QuestsPublic(data=[to_public(q, r) for q, r in rows], count=count)


def _one_quest(session: Session, condition: ColumnElement[bool]) -> QuestPublic:
    row = session.exec(
        select(Quest, Reward)
        .join(Reward, col(Reward.reward_id) == col(Quest.reward_id))
        .where(condition)
    ).first()
    if row is None:
        raise NotFoundError("Quest not found")
    return to_public(*row)


def get_quest(*, session: Session, quest_id: uuid.UUID) -> QuestPublic:
    return _one_quest(session, col(Quest.quest_id) == quest_id)


def get_quest_by_name(*, session: Session, name: str) -> QuestPublic:
    return _one_quest(session, col(Quest.name) == name)


def _quest_for_update(session: Session, quest_id: uuid.UUID) -> Quest:
    quest = session.exec(select(Quest).where(Quest.quest_id == quest_id).with_for_update()).first()
    if quest is None:
        raise NotFoundError("Quest not found")
    return quest


def _reward(session: Session, reward_id: uuid.UUID) -> Reward:
    reward = session.get(Reward, reward_id)
    if reward is None:
        # Not a 422: the body matches the schema; the reward it names does not exist.
        raise NotFoundError(f"Unknown reward {reward_id}")
    return reward


def _check_rules(values: dict[str, Any]) -> None:
    """The rules that span fields, on a quest's complete values (a PATCH: merged with the stored
    row): the time window, and player-time settings that do not contradict each other."""
    error = window_error(values["starts_at"], values["ends_at"])
    if error is not None:
        raise InvalidError("ends_at", error)
    rule_error = time_rules_error(
        streak_mode=plain(values["streak_mode"]),
        reset=plain(values["reset"]),
        grace_days=values["grace_days"],
    )
    if rule_error is not None:
        raise InvalidError(*rule_error)
    if plain(values["trigger"]) != trigger_of(values["event_type"]).value:
        raise InvalidError(
            "trigger",
            f"trigger {plain(values['trigger'])!r} does not go with event_type "
            f"{values['event_type']!r} (sign_in → sign_in, any other type → event)",
        )


def _check_links(session: Session, values: dict[str, Any], *, old_name: str | None) -> None:
    """The rules of a quest's complete values that read other rows: its event type exists (and
    is active when the quest is), its filters and sum fit the type's properties, and its
    prerequisites name existing quests without a cycle. `old_name`: the quest's stored name (a
    write to an existing quest), left out of the graph it is checked against."""
    lock_quest_links(session)
    values = {field: plain(value) for field, value in values.items()}
    properties = event_types.properties_for_quest(
        session, values["event_type"], active_quest=values["is_active"]
    )
    problem = rules.event_problem(values, properties) or rules.prerequisite_problem(
        name=values["name"],
        requires=values["requires"],
        others=prerequisite_graph(session, without=old_name or values["name"]),
        old_name=old_name,
    )
    if problem is not None:
        raise InvalidError(*problem)


def _check_pays(reward: Reward, *, duplication: int, reset: Any) -> None:
    """A quest paying a badge is completed once (a badge is held once)."""
    error = badge_quest_error(
        reward_item=plain(reward.reward_item), duplication=duplication, reset=plain(reset)
    )
    if error is not None:
        raise InvalidError(*error)


QUESTS = NamedRows(Quest, kind="quest", name_field="name", check=_check_rules)


def create_quest(*, uow: UnitOfWork, data: QuestCreate, actor: audit.Actor) -> QuestPublic:
    values = data.model_dump()
    with uow:
        _check_rules(values)
        _check_links(uow.session, values, old_name=None)
        reward = _reward(uow.session, data.reward_id)
        _check_pays(reward, duplication=data.duplication, reset=data.reset)
        quest = to_public(QUESTS.create(uow.session, values, actor=actor), reward)
        uow.commit()
        return quest


def update_quest(
    *, uow: UnitOfWork, quest_id: uuid.UUID, data: QuestUpdate, actor: audit.Actor
) -> QuestPublic:
    incoming = data.model_dump(exclude_unset=True)
    if "event_type" in incoming and "trigger" not in incoming:
        incoming["trigger"] = trigger_of(incoming["event_type"])
    with uow:
        session = uow.session
        quest = _quest_for_update(session, quest_id)
        if "reward_id" in incoming:
            _reward(session, incoming["reward_id"])
        merged = {**row_values(quest), **incoming}
        _check_rules(merged)
        _check_links(session, merged, old_name=quest.name)
        QUESTS.update(session, quest, incoming, actor=actor)
        reward = _reward(session, quest.reward_id)
        _check_pays(reward, duplication=quest.duplication, reset=quest.reset)
        public = to_public(quest, reward)
        uow.commit()
        return public


def upsert_quest(
    *, uow: UnitOfWork, name: str, data: QuestUpsert, actor: audit.Actor = audit.SYSTEM
) -> tuple[QuestPublic, bool]:
    """Create or replace by name; returns (quest, created). Re-running the same seed writes
    nothing and publishes nothing."""

    def attempt() -> tuple[QuestPublic, bool]:
        values = data.model_dump()
        with uow:
            reward = _reward(uow.session, data.reward_id)
            _check_pays(reward, duplication=data.duplication, reset=data.reset)
            _check_links(uow.session, {**values, "name": name}, old_name=name)
            quest, created = QUESTS.upsert(uow.session, name, values, actor=actor)
            public = to_public(quest, reward)
            uow.commit()
            return public, created

    return once_more_after_a_race(attempt)


def deactivate_quest(*, uow: UnitOfWork, quest_id: uuid.UUID, actor: audit.Actor) -> QuestPublic:
    """DELETE keeps the row (processing keeps the players' progress history) and turns it off."""
    with uow:
        session = uow.session
        quest = _quest_for_update(session, quest_id)
        deactivate(session, quest, action="quest.deactivate", actor=actor)
        public = to_public(quest, _reward(session, quest.reward_id))
        uow.commit()
        return public
