"""A player's quests and claims, and the admin's view of any player's quests."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, HTTPException, Request, Response, status

from processing_service.progress import rules
from processing_service.api.deps import (
    AdminClaims,
    AuthDep,
    CacheDep,
    CurrentClaims,
    EngineDep,
    SessionDep,
    SettingsDep,
)
from processing_service.api.schemas import ClaimResult, QuestProgressList
from processing_service.grants.service import GrantData, deliver
from processing_service.progress import service
from processing_service.progress.read_models import progress_item
from processing_service.progress.rules import ProgressState, QuestRule

router = APIRouter()


def _player(user_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(user_id)
    except ValueError as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Not a player token") from exc


def _quest_list(session: SessionDep, cache: CacheDep, user_id: uuid.UUID) -> QuestProgressList:
    quests = cache.quests()
    ids = [uuid.UUID(str(q["quest_id"])) for q in quests]
    states = service.progress_states(session=session, user_id=user_id, quest_ids=ids)
    items = [
        progress_item(q, states.get(i, ProgressState())) for q, i in zip(quests, ids, strict=True)
    ]
    return QuestProgressList(data=items, count=len(items))


@router.get("/me/quests")
def my_quests(claims: CurrentClaims, session: SessionDep, cache: CacheDep) -> QuestProgressList:
    return _quest_list(session, cache, _player(claims.sub))


@router.post(
    "/me/quests/{quest_id}/claim",
    responses={
        202: {"model": ClaimResult, "description": "Claimed; credited once auth is back"},
        409: {"description": "Nothing to claim"},
    },
)
def claim_reward(
    quest_id: uuid.UUID,
    claims: CurrentClaims,
    session: SessionDep,
    cache: CacheDep,
    auth: AuthDep,
    engine: EngineDep,
    settings: SettingsDep,
    request: Request,
    response: Response,
) -> ClaimResult:
    user_id = _player(claims.sub)
    quest = cache.quest(quest_id)
    if quest is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Quest not found")
    rule = QuestRule.from_catalog(quest)
    try:
        result = service.claim(session=session, user_id=user_id, quest=rule)
    except rules.NothingToClaimError as exc:
        session.rollback()
        raise HTTPException(status.HTTP_409_CONFLICT, "Nothing to claim on this quest") from exc
    grant = GrantData.of(result.grant)
    session.commit()  # the claim and its grant are durable before auth is called
    notes = deliver(engine=engine, auth=auth, grant=grant)
    if notes:
        request.app.state.publish(notes)
    if notes is None:
        response.status_code = status.HTTP_202_ACCEPTED
    return ClaimResult(
        progress=progress_item(quest, result.state),
        grant_id=str(grant.grant_id),
        item=grant.item,
        qty=grant.qty,
        credited=notes is not None,
    )


@router.get("/users/{user_id}/quests")
def user_quests(
    user_id: uuid.UUID, _admin: AdminClaims, session: SessionDep, cache: CacheDep
) -> QuestProgressList:
    return _quest_list(session, cache, user_id)
