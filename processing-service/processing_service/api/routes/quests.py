"""A player's quests and claims, and the admin's view of any player's quests."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException, Response, status

from processing_service.api.deps import (
    AdminClaims,
    CacheDep,
    CurrentClaims,
    ReadsDep,
    RuntimeDep,
)
from processing_service.api.schemas import ClaimResult, QuestProgressList, progress_item
from processing_service.progress import service
from processing_service.progress.rules import ProgressState, QuestRule
from quest_common.db import utcnow

router = APIRouter()


def _player(user_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(user_id)
    except ValueError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Not a player token") from exc


def _quest_list(reads: ReadsDep, cache: CacheDep, user_id: uuid.UUID) -> QuestProgressList:
    quests = cache.quests()
    ids = [uuid.UUID(str(q["quest_id"])) for q in quests]
    states = reads.progress.states(user_id, ids)
    player = service.player_time(uow=reads, user_id=user_id)
    now = utcnow()
    items = [
        progress_item(q, states.get(i, ProgressState()), player=player, now=now)
        for q, i in zip(quests, ids, strict=True)
    ]
    return QuestProgressList(data=items, count=len(items))


@router.get("/me/quests")
def my_quests(claims: CurrentClaims, reads: ReadsDep, cache: CacheDep) -> QuestProgressList:
    return _quest_list(reads, cache, _player(claims.sub))


@router.post(
    "/me/quests/{quest_id}/claim",
    responses={
        202: {"model": ClaimResult, "description": "Claimed; credited once auth is back"},
        409: {"description": "Nothing to claim, or the reward expired (`reward expired`)"},
    },
)
def claim_reward(
    quest_id: uuid.UUID,
    claims: CurrentClaims,
    reads: ReadsDep,
    cache: CacheDep,
    runtime: RuntimeDep,
    response: Response,
) -> ClaimResult:
    user_id = _player(claims.sub)
    quest = cache.quest(quest_id)
    if quest is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Quest not found")
    claimed = service.claim_reward(
        uow_factory=runtime.uow,
        auth=runtime.auth,
        user_id=user_id,
        quest=QuestRule.from_catalog(quest),
    )
    if not claimed.credited:
        response.status_code = status.HTTP_202_ACCEPTED
    player = service.player_time(uow=reads, user_id=user_id)
    return ClaimResult(
        progress=progress_item(quest, claimed.state, player=player),
        grant_id=str(claimed.grant.grant_id),
        item=claimed.grant.item,
        qty=claimed.grant.qty,
        credited=claimed.credited,
    )


@router.get("/users/{user_id}/quests")
def user_quests(
    user_id: uuid.UUID, _admin: AdminClaims, reads: ReadsDep, cache: CacheDep
) -> QuestProgressList:
    return _quest_list(reads, cache, user_id)
