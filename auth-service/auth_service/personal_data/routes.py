"""A player's personal data: export it, delete the account (or an admin deletes it)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from auth_service.api.deps import AdminUser, CurrentUser, SessionDep, UowDep, abuse_guard
from auth_service.personal_data import service as personal_data
from auth_service.personal_data.models import AccountDeletion, PersonalDataExport
from auth_service.personal_data.service import AlreadyDeletedError
from auth_service.signin.abuse import AbuseGuard, LimitedError
from auth_service.users import service as users
from auth_service.users.service import LastAdminError, UserNotFoundError, WrongPasswordError
from quest_common.refusals import responses

router = APIRouter(tags=["users"])


@router.get("/users/me/export")
def export_me(user: CurrentUser, session: SessionDep, response: Response) -> PersonalDataExport:
    """Everything auth holds about the signed-in player, as a JSON download."""
    response.headers["Content-Disposition"] = (
        f'attachment; filename="quest-auth-{user.user_id}.json"'
    )
    return personal_data.export(session=session, user=user)


# Registered before `DELETE /users/{user_id}`: "me" is not a user id.
@router.delete(
    "/users/me",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(WrongPasswordError, LimitedError, LastAdminError),
)
def delete_me(
    body: AccountDeletion,
    user: CurrentUser,
    uow: UowDep,
    guard: Annotated[AbuseGuard, Depends(abuse_guard("delete"))],
) -> None:
    # Wrong passwords are guesses: limited per account and per address. auth.UserDeleted and
    # the access change leave as soon as the deletion commits.
    with guard.attempt(account=str(user.user_id), failure=WrongPasswordError):
        personal_data.delete_own_account(uow=uow, user=user, password=body.password)


@router.delete(
    "/users/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses(UserNotFoundError, AlreadyDeletedError, LastAdminError),
)
def delete_user(user_id: uuid.UUID, admin: AdminUser, uow: UowDep) -> None:
    personal_data.delete_account(
        uow=uow, user_id=user_id, initiated_by="admin", actor=users.actor(admin)
    )
