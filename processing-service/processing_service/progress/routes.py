"""A player's quests and claims, and the admin's view of any player's quests."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from processing_service.api.deps import AdminClaims, CacheDep, PlayerId, ReadsDep, RuntimeDep
from processing_service.progress import service
from processing_service.progress.schemas import ClaimResult, QuestProgressList

router = APIRouter(tags=["quests"])


@router.get("/me/quests")
def my_quests(player: PlayerId, reads: ReadsDep, cache: CacheDep) -> QuestProgressList:
    return service.quest_list(uow=reads, quests=cache.quests(), user_id=player)


@router.post(
    "/me/quests/{quest_id}/claim",
    responses={
        202: {"model": ClaimResult, "description": "Claimed; credited once auth is back"},
        409: {"description": "Nothing to claim, or the reward expired (`reward expired`)"},
    },
)
def claim_reward(
    quest_id: uuid.UUID,
    player: PlayerId,
    cache: CacheDep,
    runtime: RuntimeDep,
    response: Response,
) -> ClaimResult:
    claimed = service.claim_reward(
        uow_factory=runtime.uow, auth=runtime.auth, user_id=player, quest=cache.require(quest_id)
    )
    if not claimed.credited:
        response.status_code = status.HTTP_202_ACCEPTED
    return claimed


@router.get("/users/{user_id}/quests")
def user_quests(
    user_id: uuid.UUID, _admin: AdminClaims, reads: ReadsDep, cache: CacheDep
) -> QuestProgressList:
    return service.quest_list(uow=reads, quests=cache.quests(), user_id=user_id)
