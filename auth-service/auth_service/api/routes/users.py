"""Sign-up (public), the signed-in user's own profile, and admin user management."""

import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from auth_service import users, wallet
from auth_service.api.deps import AdminUser, CurrentUser, SessionDep
from auth_service.models import (
    LedgerEntriesPublic,
    LedgerEntryPublic,
    PasswordChange,
    UserAdminUpdate,
    UserCreate,
    UserPublic,
    UsersPublic,
)

public_router = APIRouter(tags=["users"])
router = APIRouter(tags=["users"])

Limit = Annotated[int, Query(ge=1, le=100)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]


@public_router.post(
    "/signup",
    status_code=status.HTTP_201_CREATED,
    responses={409: {"description": "User name already taken"}},
)
def signup(body: UserCreate, session: SessionDep) -> UserPublic:
    try:
        user = users.create_user(session=session, user_name=body.user_name, password=body.password)
    except users.UserNameTakenError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "User name already taken") from exc
    return UserPublic.model_validate(user)


@router.get("/users/me")
def read_me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)


@router.patch(
    "/users/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses={400: {"description": "Current password is wrong"}},
)
def change_my_password(body: PasswordChange, user: CurrentUser, session: SessionDep) -> None:
    try:
        users.change_password(
            session=session,
            user=user,
            current_password=body.current_password,
            new_password=body.new_password,
        )
    except users.WrongPasswordError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "Current password is wrong") from exc


@router.get("/users/me/transactions")
def my_transactions(
    user: CurrentUser, session: SessionDep, limit: Limit = 20, offset: Offset = 0
) -> LedgerEntriesPublic:
    rows, count = wallet.transactions(
        session=session, user_id=user.user_id, limit=limit, offset=offset
    )
    return LedgerEntriesPublic(
        data=[LedgerEntryPublic.model_validate(row) for row in rows], count=count
    )


@router.get("/users")
def list_users(
    _admin: AdminUser, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> UsersPublic:
    rows, count = users.list_users(session=session, limit=limit, offset=offset)
    return UsersPublic(data=[UserPublic.model_validate(u) for u in rows], count=count)


@router.get("/users/{user_id}", responses={404: {"description": "No such user"}})
def read_user(user_id: uuid.UUID, _admin: AdminUser, session: SessionDep) -> UserPublic:
    try:
        return UserPublic.model_validate(users.get_user(session=session, user_id=user_id))
    except users.UserNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found") from exc


@router.patch(
    "/users/{user_id}",
    responses={404: {"description": "No such user"}, 409: {"description": "User is deleted"}},
)
def update_user(
    user_id: uuid.UUID, body: UserAdminUpdate, admin: AdminUser, session: SessionDep
) -> UserPublic:
    try:
        user = users.update_user(
            session=session, user_id=user_id, changes=body, actor=users.actor(admin)
        )
    except users.UserNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "User not found") from exc
    except users.UserDeletedError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "User is deleted") from exc
    return UserPublic.model_validate(user)
