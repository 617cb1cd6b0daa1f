"""Sign-up (public), the signed-in user's own profile, admin user management, the audit trail."""

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse

from auth_service.api.deps import (
    AdminUser,
    CurrentUser,
    LevelCurveDep,
    SessionDep,
    SettingsDep,
    UowDep,
    abuse_guard,
    get_admin_user,
    get_session,
)
from auth_service.core.fields import NO_NUL
from auth_service.signin.abuse import AbuseGuard, LimitedError
from auth_service.users import service as users
from auth_service.users.models import (
    PasswordChange,
    TimeZoneChangeRefused,
    UserAdminUpdate,
    UserAdminView,
    UserCreate,
    UserMe,
    UserPublic,
    UserSelfUpdate,
    UsersPublic,
)
from quest_common.audit import audit_router
from quest_common.refusals import responses

public_router = APIRouter(tags=["users"])
router = APIRouter(tags=["users"])
audit = audit_router(session_dependency=get_session, admin_dependency=get_admin_user)

Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@public_router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    responses=responses(users.UserNameTakenError, LimitedError),
)
def signup(
    body: UserCreate,
    uow: UowDep,
    guard: Annotated[AbuseGuard, Depends(abuse_guard("signup"))],
) -> UserPublic:
    # Every attempt counts (each costs an argon2 hash), before the work.
    guard.check_and_count()
    user = users.create_user(
        uow=uow,
        user_name=body.user_name,
        password=body.password,
        time_zone=body.time_zone,
    )
    return UserPublic.model_validate(user)


@router.get("/users/me")
def read_me(user: CurrentUser, curve: LevelCurveDep) -> UserMe:
    """The player's own profile: balances (XP too) and the level they are at, with the XP at
    which it started and the next one starts (null at the last level)."""
    return users.own_view(user, thresholds=curve.thresholds())


# Before `PATCH /users/{user_id}`: routes match in order, and "me" is not a user id.
@router.patch(
    "/users/me",
    response_model=UserMe,
    responses={
        409: {"model": TimeZoneChangeRefused, "description": "Time zone changed too recently"},
    },
)
def update_me(
    body: UserSelfUpdate,
    user: CurrentUser,
    uow: UowDep,
    settings: SettingsDep,
    curve: LevelCurveDep,
) -> UserMe | JSONResponse:
    """Change the player's own settings: `time_zone` (an IANA name) at most once every
    `TIME_ZONE_CHANGE_INTERVAL_DAYS` (7); the first change after sign-up is always allowed."""
    if body.time_zone is None:
        return users.own_view(user, thresholds=curve.thresholds())
    try:
        updated = users.change_time_zone(
            uow=uow,
            user_id=user.user_id,
            time_zone=body.time_zone,
            interval=timedelta(days=settings.time_zone_change_interval_days),
        )
    except users.TimeZoneChangeTooSoonError as exc:
        refused = TimeZoneChangeRefused(
            detail="The time zone can be changed once every "
            f"{settings.time_zone_change_interval_days:g} days",
            next_change_at=exc.next_change_at,
        )
        return JSONResponse(refused.model_dump(mode="json"), status_code=status.HTTP_409_CONFLICT)
    return users.own_view(updated, thresholds=curve.thresholds())


@router.patch(
    "/users/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(users.WrongCurrentPasswordError, LimitedError),
)
def change_my_password(
    body: PasswordChange,
    user: CurrentUser,
    uow: UowDep,
    guard: Annotated[AbuseGuard, Depends(abuse_guard("password"))],
) -> None:
    # Wrong current passwords are guesses: limited per account and per address.
    with guard.attempt(account=str(user.user_id), failure=users.WrongPasswordError):
        users.change_password(
            uow=uow,
            user=user,
            current_password=body.current_password,
            new_password=body.new_password,
        )


@router.get("/users")
def list_users(
    _admin: AdminUser,
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
    q: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
) -> UsersPublic:
    """Users, oldest first; `q` keeps those whose name contains it (any case)."""
    rows, count = users.list_users(session=session, limit=limit, offset=offset, search=q)
    return UsersPublic(data=[UserAdminView.model_validate(u) for u in rows], count=count)


@router.get("/users/{user_id}", responses=responses(users.UserNotFoundError))
def read_user(user_id: uuid.UUID, _admin: AdminUser, session: SessionDep) -> UserAdminView:
    return UserAdminView.model_validate(users.get_user(session=session, user_id=user_id))


@router.patch(
    "/users/{user_id}",
    responses=responses(users.UserNotFoundError, users.UserDeletedError, users.LastAdminError),
)
def update_user(
    user_id: uuid.UUID, body: UserAdminUpdate, admin: AdminUser, uow: UowDep
) -> UserAdminView:
    # A ban or a demotion reaches the other services at once: its event leaves on the commit.
    user = users.update_user(uow=uow, user_id=user_id, changes=body, actor=users.actor(admin))
    return UserAdminView.model_validate(user)
