"""The leaderboard (any signed-in user)."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from auth_service import wallet
from auth_service.api.deps import CurrentUser, SessionDep
from auth_service.models import Leaderboard

router = APIRouter(tags=["wallet"])


@router.get("/leaderboard")
def leaderboard(
    _user: CurrentUser,
    session: SessionDep,
    item: Literal["diamond", "gold"] = "diamond",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Leaderboard:
    entries = wallet.leaderboard(session=session, item=item, limit=limit)
    return Leaderboard(data=entries, count=len(entries))
