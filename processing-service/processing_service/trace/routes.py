"""Why, step by step (DESIGN §11): a player's own quest trace, and any player's for admins."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from processing_service.api.deps import AdminClaims, CacheDep, PlayerId, SessionDep
from processing_service.trace.service import QuestTrace, quest_trace

router = APIRouter(tags=["personal data"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])


@router.get("/me/quests/{quest_id}/trace")
def my_quest_trace(
    quest_id: uuid.UUID, player: PlayerId, session: SessionDep, cache: CacheDep
) -> QuestTrace:
    return quest_trace(
        session=session, user_id=player, rule=cache.rule(quest_id), quests=cache.rules()
    )


@admin_router.get("/users/{user_id}/quests/{quest_id}/trace")
def user_quest_trace(
    user_id: uuid.UUID,
    quest_id: uuid.UUID,
    _admin: AdminClaims,
    session: SessionDep,
    cache: CacheDep,
) -> QuestTrace:
    return quest_trace(
        session=session, user_id=user_id, rule=cache.rule(quest_id), quests=cache.rules()
    )
