"""Badges, the public player page and the leaderboards."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from auth_service.api.deps import CurrentUser, LevelCurveDep, SessionDep
from auth_service.progression import service as progression
from auth_service.progression.models import (
    BadgesPublic,
    Board,
    BoardItem,
    BoardPeriod,
    PlayerPublic,
)
from auth_service.users.models import USER_NAME_PATTERN
from quest_common.db import utcnow
from quest_common.progression import Period
from quest_common.refusals import responses

router = APIRouter(tags=["progression"])
# Public on purpose: a player's page is what they show others (level, badges, since when).
public_router = APIRouter(tags=["progression"])

UserName = Annotated[str, Path(min_length=3, max_length=64, pattern=USER_NAME_PATTERN)]


@router.get("/users/me/badges")
def my_badges(user: CurrentUser, session: SessionDep) -> BadgesPublic:
    """The player's badges, oldest first."""
    return progression.my_badges(session=session, user_id=user.user_id)


@public_router.get("/players/{user_name}", responses=responses(progression.PlayerNotFoundError))
def read_player(user_name: UserName, session: SessionDep, curve: LevelCurveDep) -> PlayerPublic:
    """A player's public page: name, level, badges and member since, nothing else (404 for an
    unknown or deleted player)."""
    return progression.player_page(
        session=session, user_name=user_name, thresholds=curve.thresholds()
    )


@router.get("/leaderboard")
def leaderboard(
    user: CurrentUser,
    session: SessionDep,
    item: BoardItem = "diamond",
    period: BoardPeriod = "all",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Board:
    """The top `limit` by `item`: `all` ranks balances, `week` (UTC ISO week) and `month` (UTC
    calendar month) what was earned in the current one. Ties go to who got there first
    (`rank`); equal values share `shared_rank` (the medal); `me` is the caller's own place."""
    return progression.board(
        session=session, item=item, period=Period(period), limit=limit, me=user, now=utcnow()
    )
